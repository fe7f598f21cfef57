/**
 * X-Ray tracing (functions/lib/tracer.ts): off and harmless outside Lambda, where the embedded
 * runtime and the tests run; in Lambda with active tracing, client calls and X-Road calls are
 * subsegments of the invocation's segment.
 */
import { spawnSync } from 'node:child_process';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it, vi } from 'vitest';

afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

describe('tracing outside Lambda (the embedded runtime, the tests)', () => {
  it('is off: clients are returned as they are and a subsegment only runs its work', async () => {
    vi.stubEnv('AWS_EXECUTION_ENV', '');
    const { tracer, traceClient, inSubsegment } = await import('#lib/tracer');
    expect(tracer.isTracingEnabled()).toBe(false);
    const client = new SQSClient({ region: 'eu-north-1' });
    const before = client.middlewareStack.identify();
    expect(traceClient(client)).toBe(client);
    expect(client.middlewareStack.identify()).toEqual(before);
    await expect(inSubsegment('X-Road vtj', async () => 42)).resolves.toBe(42);
    await expect(inSubsegment('X-Road vtj', async () => Promise.reject(new Error('refused')))).rejects.toThrow('refused');
  });
});

/** test/support/tracer-in-lambda.ts in a fresh process with `env` (and PATH) only: what it saw, and what it wrote to stderr. */
const inProcessWith = (env: Record<string, string>) => {
  const child = spawnSync(process.execPath, ['--import', 'tsx', 'test/support/tracer-in-lambda.ts'], { encoding: 'utf8', env: { PATH: process.env.PATH, ...env } });
  expect(child.status, child.stderr).toBe(0);
  const seen = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as { enabled: boolean; automaticMode: boolean; clientTraced: boolean; outer?: string; seen: string[]; answer: string; failure: string; after?: string };
  return { ...seen, stderr: child.stderr };
};

describe('the X-Ray SDK under Tracer', () => {
  it('starts in manual mode outside Lambda, so that no async hook is put on every promise', () => {
    expect(inProcessWith({})).toMatchObject({ enabled: false, automaticMode: false, clientTraced: false, answer: 'answer', failure: 'timeout' });
  });

  it('keeps a mode the environment sets', () => {
    expect(inProcessWith({ AWS_XRAY_MANUAL_MODE: '' })).toMatchObject({ enabled: false, automaticMode: true });
  });
});

describe('tracing in Lambda with active tracing', () => {
  /** With the environment Lambda sets. */
  const inLambda = (env: Record<string, string> = {}) =>
    inProcessWith({
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      LAMBDA_TASK_ROOT: '/var/task',
      _X_AMZN_TRACE_ID: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
      AWS_XRAY_DAEMON_ADDRESS: '127.0.0.1:2000',
      AWS_XRAY_DEBUG_MODE: '',
      ...env,
    });

  it("adds X-Ray's middleware to clients and runs each X-Road call in a subsegment named by its system, back to the segment after it", () => {
    expect(inLambda()).toEqual({
      stderr: expect.any(String),
      enabled: true,
      automaticMode: true,
      clientTraced: true,
      outer: 'facade',
      seen: ['X-Road vtj', 'X-Road uma'],
      answer: 'answer',
      failure: 'timeout',
      after: 'facade',
    });
  });

  it('is off in Lambda too with POWERTOOLS_TRACE_ENABLED=false, and says nothing of a context it does not keep', () => {
    const off = inLambda({ POWERTOOLS_TRACE_ENABLED: 'false' });
    expect(off.stderr).not.toMatch(/Cannot set sub\/segment|Error/);
    expect(off).toMatchObject({ enabled: false, automaticMode: false, clientTraced: false, seen: ['## Dummy segment', '## Dummy segment'], answer: 'answer', failure: 'timeout' });
  });
});
