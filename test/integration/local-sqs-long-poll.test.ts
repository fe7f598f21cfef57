/**
 * local-aws-sqs, as infra/local/patch-local-aws-sqs.mjs leaves it, answers a long poll the way SQS
 * does, which the runner's event-source polling relies on; and the patch script itself is
 * idempotent and refuses code it does not know.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

describe('a long poll on the embedded SQS', () => {
  it('answers as soon as one message is there, not when the batch of ten is full', async () => {
    const started = Date.now();
    const polling = receive(20);
    await sleep(200);
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'one' }));
    const { Messages = [] } = await polling;
    expect(Messages.map((m) => m.Body)).toEqual(['one']);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('waits out its WaitTimeSeconds on an empty queue and answers with nothing', async () => {
    const started = Date.now();
    const { Messages = [] } = await receive(1);
    expect(Messages).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
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
