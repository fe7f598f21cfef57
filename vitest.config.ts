import { configDefaults, defineConfig } from 'vitest/config';

// test/dynamodb-local/ needs Java: it belongs to the DynamoDB Local lane (npm run test:dynamodb-local) alone.
const dynamodbLocalLane = process.env.KOTO_DYNAMODB === 'dynamodb-local';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: [...configDefaults.exclude, ...(dynamodbLocalLane ? [] : ['test/dynamodb-local/**'])],
    // The second acts in test/integration only: no request to a mock may have a HETU in its URL.
    setupFiles: ['infra/local/quiet-warnings.ts', 'test/support/no-hetu-in-urls.setup.ts'],
    // Integration tests start real servers (dynalite, local-aws-sqs, mocks) on free loopback ports;
    // two cores are shared, so keep the number of files run at once small.
    maxWorkers: 2,
    // A DynamoDB Local is a JVM per runtime: seconds to start, and CPU the rest of the suite shares.
    testTimeout: dynamodbLocalLane ? 180_000 : 60_000,
    hookTimeout: dynamodbLocalLane ? 180_000 : 60_000,
  },
});
