/**
 * The runner polls as the Lambda event source mapping does: a long poll per poller, answered as
 * soon as a message is there, so an idle queue costs one receive per wait and not a stream of
 * empty short polls; and stop() does not wait for a long poll to run out.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { EventSourceRunner, type RunnerOptions } from '#infra/local/runner';

const QUEUE = 'http://127.0.0.1:1/000000000000/referral-intake';

interface Receive {
  readonly waitTimeSeconds: number | undefined;
  readonly maxNumberOfMessages: number | undefined;
  aborted: boolean;
}

/**
 * A queue that answers like SQS: a receive waits up to its WaitTimeSeconds for a message and
 * returns as soon as one is sent; `emptyAtOnce` makes it answer empty straight away instead.
 */
const fakeQueue = ({ emptyAtOnce = false } = {}) => {
  const waiting: ((messages: Message[]) => void)[] = [];
  const receives: Receive[] = [];
  let sent = 0;
  const client = {
    send: async (command: unknown, options?: { abortSignal?: AbortSignal }) => {
      if (command instanceof DeleteMessageBatchCommand) return {};
      if (!(command instanceof ReceiveMessageCommand)) throw new Error('unexpected command');
      const receive: Receive = { waitTimeSeconds: command.input.WaitTimeSeconds, maxNumberOfMessages: command.input.MaxNumberOfMessages, aborted: false };
      receives.push(receive);
      if (emptyAtOnce) {
        await new Promise((resolve) => setImmediate(resolve));
        return { Messages: [] };
      }
      return new Promise((resolve, reject) => {
        const answer = (messages: Message[]) => {
          clearTimeout(timer);
          resolve({ Messages: messages });
        };
        const timer = setTimeout(() => {
          waiting.splice(waiting.indexOf(answer), 1);
          resolve({ Messages: [] });
        }, (command.input.WaitTimeSeconds ?? 0) * 1000);
        waiting.push(answer);
        options?.abortSignal?.addEventListener('abort', () => {
          receive.aborted = true;
          clearTimeout(timer);
          waiting.splice(waiting.indexOf(answer), 1);
          reject(Object.assign(new Error('aborted'), { name: 'AbortError' }));
        });
      });
    },
  };
  /** Sends one message: the receive waiting longest gets it. */
  const send = () => {
    const id = `m${++sent}`;
    waiting.shift()?.([{ MessageId: id, ReceiptHandle: `${id}-1`, Body: '{}', Attributes: { SentTimestamp: String(Date.now()), ApproximateReceiveCount: '1' } }]);
  };
  return { client: client as unknown as SQSClient, receives, send, waiting };
};

let runner: EventSourceRunner | undefined;
afterEach(async () => {
  await runner?.stop();
  runner = undefined;
});

const bind = (sqs: SQSClient, options: RunnerOptions, handled: string[] = []) => {
  runner = new EventSourceRunner(sqs, 'eu-north-1', options);
  runner.start({
    functionName: 'referral-intake',
    queueUrl: QUEUE,
    queueArn: 'arn:aws:sqs:eu-north-1:000000000000:referral-intake',
    batchSize: 10,
    maxConcurrency: 2,
    timeoutSeconds: 5,
    memoryMb: 128,
    maxReceiveCount: 3,
    handler: async (event: SQSEvent) => {
      handled.push(...event.Records.map((record) => record.messageId));
      return { batchItemFailures: [] };
    },
  });
  return runner;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the event source runner polling a queue', () => {
  it('long-polls for 20 seconds, like the event source mapping, a batch of up to ten at a time', async () => {
    const queue = fakeQueue();
    bind(queue.client, {});
    await vi.waitFor(() => expect(queue.receives).toHaveLength(1));
    expect(queue.receives[0]).toMatchObject({ waitTimeSeconds: 20, maxNumberOfMessages: 10 });
  });

  it('makes one receive per wait on an idle queue rather than polling again and again', async () => {
    const queue = fakeQueue();
    bind(queue.client, { waitTimeSeconds: 1, idleMinMs: 5, idleMaxMs: 10 });
    await sleep(1_500);
    // The first wait ran out after a second and the second is waiting: no empty polls in between.
    expect(queue.receives).toHaveLength(2);
  });

  it('hands a message sent while a poller waits to the function at once, not when the wait is over', async () => {
    const queue = fakeQueue();
    const handled: string[] = [];
    bind(queue.client, {}, handled);
    await vi.waitFor(() => expect(queue.waiting).toHaveLength(1));
    const sentAt = Date.now();
    queue.send();
    await vi.waitFor(() => expect(handled).toEqual(['m1']));
    expect(Date.now() - sentAt).toBeLessThan(1_000);
  });

  it('pauses after a receive that comes back empty before its wait is over, instead of spinning', async () => {
    const queue = fakeQueue({ emptyAtOnce: true });
    bind(queue.client, { idleMinMs: 20, idleMaxMs: 100 });
    await sleep(500);
    // 20 + 40 + 80 + 100 + 100 + 100 ms of pauses fit in half a second: a handful of receives, not thousands.
    expect(queue.receives.length).toBeGreaterThan(1);
    expect(queue.receives.length).toBeLessThan(10);
  });

  it('stops at once while its pollers wait, aborting their receives', async () => {
    const queue = fakeQueue();
    const r = bind(queue.client, {});
    await vi.waitFor(() => expect(queue.receives).toHaveLength(1));
    const stopping = Date.now();
    await r.stop();
    runner = undefined;
    expect(Date.now() - stopping).toBeLessThan(500);
    expect(queue.receives.every((receive) => receive.aborted)).toBe(true);
  });
});
