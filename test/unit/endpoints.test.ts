import { describe, expect, it } from 'vitest';
import { setRuntimeEndpoint, userEndpoint } from '#infra/local/endpoints';

describe('the endpoint variables', () => {
  it('are the user’s when set and not marked as set by a runtime of this process', () => {
    expect(userEndpoint('DYNAMODB', {})).toBeUndefined();
    expect(userEndpoint('DYNAMODB', { AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:8000' })).toBe('http://127.0.0.1:8000');
    const env: NodeJS.ProcessEnv = {};
    setRuntimeEndpoint('SQS', 'http://127.0.0.1:41000', env);
    expect(env.AWS_ENDPOINT_URL_SQS).toBe('http://127.0.0.1:41000');
    expect(userEndpoint('SQS', env)).toBeUndefined();
    env.AWS_ENDPOINT_URL_SQS = 'http://127.0.0.1:9324';
    expect(userEndpoint('SQS', env)).toBe('http://127.0.0.1:9324');
  });
});
