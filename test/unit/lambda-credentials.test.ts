/**
 * The Lambda bundles' stand-in for the SDK's default credential chain (infra/cdk/bundling.ts
 * aliases `@aws-sdk/credential-provider-node` to it): the environment, and nothing else.
 */
import type { defaultProvider as sdkDefaultProvider } from '@aws-sdk/credential-provider-node';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { defaultProvider } from '#lib/lambda-credentials';

// It must fit where the SDK clients' runtime config puts the real one.
const _fits: typeof sdkDefaultProvider = defaultProvider;

afterEach(() => vi.unstubAllEnvs());

describe('the credentials of a bundled function', () => {
  it('are the ones Lambda puts in the environment, session token included', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDKOTOHUB');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret');
    vi.stubEnv('AWS_SESSION_TOKEN', 'token');
    await expect(defaultProvider()()).resolves.toMatchObject({ accessKeyId: 'AKIDKOTOHUB', secretAccessKey: 'secret', sessionToken: 'token' });
  });

  it('are looked for nowhere else: without them in the environment the provider fails', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', '');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', '');
    vi.stubEnv('AWS_PROFILE', 'somewhere-else');
    await expect(defaultProvider()()).rejects.toThrow('Unable to find environment variable credentials.');
  });
});
