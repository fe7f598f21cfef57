/**
 * local-aws-sqs, as infra/local/patch-local-aws-sqs.mjs leaves it, answers a long poll the way SQS
 * does, which the runner's event-source polling relies on; and the patch script itself is
 * idempotent and refuses code it does not know.
 *
 * local-aws-sqs runs in this process and waits with `setTimeout`/`setInterval` (a long poll looks
 * at its queue every 10 ms until its wait is over): the long-poll tests fake those timers and move
 * them on themselves, so what they check is when, on that clock, the server answers, never how
 * long the machine took.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startSqs, type LocalSqs } from '#infra/local/sqs';
import { PATCHES } from '../../infra/local/patch-local-aws-sqs.mjs';

const SCRIPT = 'infra/local/patch-local-aws-sqs.mjs';

let local: LocalSqs;
let sqs: SQSClient;
let queueUrl: string;

beforeAll(async () => {
  local = await startSqs();
  sqs = new SQSClient({ region: 'eu-north-1', endpoint: local.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'long-poll' }))).QueueUrl!;
});
afterAll(async () => {
  sqs?.destroy();
  await local?.close();
});

const receive = (waitTimeSeconds: number, abortSignal?: AbortSignal) =>
  sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: waitTimeSeconds }), { abortSignal });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One turn of the event loop: lets loopback I/O between the client and the server through. */
const turn = () => new Promise((resolve) => setImmediate(resolve));

/** Starts a receive and tells whether it has been answered yet. */
const receiving = (waitTimeSeconds: number) => {
  const state = { answered: false, messages: [] as string[] };
  const done = receive(waitTimeSeconds).then(({ Messages = [] }) => {
    state.answered = true;
    state.messages = Messages.map((m) => m.Body ?? '');
  });
  return Object.assign(state, { done });
};

/**
 * Moves the faked timers on in steps of 10 ms, letting I/O through after each step, until
 * `stop()` holds or `limitMs` have passed on that clock; returns how far it moved them.
 */
const advance = async (limitMs: number, stop: () => boolean = () => false): Promise<number> => {
  let moved = 0;
  while (moved < limitMs && !stop()) {
    await vi.advanceTimersByTimeAsync(10);
    moved += 10;
    // A give-up bound for the loopback round trip, not a measure of anything.
    for (let i = 0; i < 500 && !stop(); i++) await turn();
  }
  return moved;
};

describe('a long poll on the embedded SQS', () => {
  afterEach(() => {
    vi.useRealTimers();
  });
  const fakeTimers = () => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });

  it('answers as soon as one message is there, not when the batch of ten is full', async () => {
    fakeTimers();
    const poll = receiving(20);
    // A second on the server's clock with nothing to receive: the poll is held.
    await advance(1_000);
    expect(poll.answered).toBe(false);
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'one' }));
    // Answered at one of the server's next looks at the queue, with nearly all of its 20 s wait left.
    const moved = await advance(20_000, () => poll.answered);
    await poll.done;
    expect(poll.messages).toEqual(['one']);
    expect(moved).toBeLessThanOrEqual(50);
  });

  it('waits out its WaitTimeSeconds on an empty queue and answers with nothing', async () => {
    fakeTimers();
    const poll = receiving(1);
    const moved = await advance(5_000, () => poll.answered);
    await poll.done;
    expect(poll.messages).toEqual([]);
    // Not before its one-second wait was over on the server's clock.
    expect(moved).toBeGreaterThanOrEqual(1_000);
  });

  it('takes nothing sent after its client went away, so the next consumer gets it at once', async () => {
    const abort = new AbortController();
    const abandoned = receive(20, abort.signal).catch((error: Error) => error.name);
    await sleep(100);
    abort.abort();
    expect(await abandoned).toBe('AbortError');
    await sleep(50);
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'after' }));
    const { Messages = [] } = await receive(1);
    expect(Messages.map((m) => m.Body)).toEqual(['after']);
  });
});

describe('the patch script', () => {
  const installed = createRequire(import.meta.url).resolve('local-aws-sqs');
  const run = (file: string) =>
    promisify(execFile)(process.execPath, [SCRIPT, file]).then(
      ({ stdout }) => ({ code: 0, out: stdout }),
      (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, out: error.stdout + error.stderr }),
    );
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
  const copy = (source: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'koto-hub-patch-'));
    dirs.push(dir);
    const file = join(dir, 'index.js');
    writeFileSync(file, source);
    return file;
  };

  it('patches the upstream code once and leaves a patched copy as it is', async () => {
    const patched = readFileSync(installed, 'utf8');
    let upstream = patched;
    for (const { edits } of PATCHES) for (const [broken, fixed] of edits) upstream = upstream.replace(fixed, broken);
    const file = copy(upstream);

    const first = await run(file);
    expect(first.code).toBe(0);
    expect(first.out.trim().split('\n')).toHaveLength(PATCHES.length);
    expect(readFileSync(file, 'utf8')).toBe(patched);

    expect(await run(file)).toEqual({ code: 0, out: '' });
    expect(readFileSync(file, 'utf8')).toBe(patched);
  });

  it('fails loudly when the code it patches has changed', async () => {
    const [, fixed] = PATCHES.at(-1)!.edits[0]!;
    const file = copy(readFileSync(installed, 'utf8').replace(fixed, 'something else'));
    const result = await run(file);
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/changed.*update infra\/local\/patch-local-aws-sqs\.mjs/);
  });
});
