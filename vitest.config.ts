import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The second acts in test/integration only: no request to a mock may have a HETU in its URL.
    setupFiles: ['infra/local/quiet-warnings.ts', 'test/support/no-hetu-in-urls.setup.ts'],
    // Integration tests start real servers (dynalite, local-aws-sqs, mocks) on free loopback ports;
    // two cores are shared, so keep the number of files run at once small.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
