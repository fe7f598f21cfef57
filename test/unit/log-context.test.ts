/**
 * On the embedded runtime every function shares one process and one logger: each invocation's
 * lines must carry its own Lambda context, even while another function's invocation runs between
 * its `addContext` and its line (the poller's lines used to say `outreach-watchdog`).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lambdaContext, invokeWithLogContext } from '#infra/local/runner';
import { logger } from '#lib/logger';

let saved: string | undefined;
let file: string;
beforeEach(() => {
  saved = process.env.KOTO_LOG_FILE;
  file = join(mkdtempSync(join(tmpdir(), 'koto-log-')), 'hub.log');
  process.env.KOTO_LOG_FILE = file;
});
afterEach(() => {
  if (saved === undefined) delete process.env.KOTO_LOG_FILE;
  else process.env.KOTO_LOG_FILE = saved;
});

const gate = () => {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
};

const lines = () => readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);

describe('each function’s log context on the embedded runtime', () => {
  it('labels every line with the function whose invocation wrote it, however the invocations interleave', async () => {
    const pollerAdded = gate();
    const watchdogAdded = gate();
    // As injectLambdaContext does: each invocation adds its context to the one shared logger.
    const poller = async (_event: unknown, context: ReturnType<typeof lambdaContext>) => {
      logger.addContext(context);
      pollerAdded.open();
      await watchdogAdded.opened;
      logger.info('poller line');
    };
    const watchdog = async (_event: unknown, context: ReturnType<typeof lambdaContext>) => {
      await pollerAdded.opened;
      logger.addContext(context);
      watchdogAdded.open();
      logger.info('watchdog line');
    };
    await Promise.all([
      invokeWithLogContext(poller, {}, lambdaContext({ functionName: 'vtj-change-poller', memoryMb: 512 }, Date.now() + 60_000)),
      invokeWithLogContext(watchdog, {}, lambdaContext({ functionName: 'outreach-watchdog', memoryMb: 256 }, Date.now() + 60_000)),
    ]);
    const byMessage = Object.fromEntries(lines().map((line) => [line.message, line]));
    expect(byMessage['poller line']).toMatchObject({ function_name: 'vtj-change-poller', function_memory_size: 512 });
    expect(byMessage['watchdog line']).toMatchObject({ function_name: 'outreach-watchdog', function_memory_size: 256 });
    expect(byMessage['poller line']!.function_request_id).not.toBe(byMessage['watchdog line']!.function_request_id);
  });
});
