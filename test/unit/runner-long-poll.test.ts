/**
 * The runner polls as the Lambda event source mapping does: a long poll per poller, answered as
 * soon as a message is there, so an idle queue costs one receive per wait and not a stream of
 * empty short polls; and stop() does not wait for a long poll to run out.
 *
 * Time is virtual (test/support/manual-clock.ts): the fake queue's waits and the runner's pauses
 * end only when the test advances the clock, so the tests look at what was asked for and in what
 * order, never at how long something took.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { EventSourceRunner, type RunnerOptions } from '#infra/local/runner';
import { ManualClock } from '../support/manual-clock.ts';

const QUEUE = 'http://127.0.0.1:1/000000000000/referral-intake';

interface Receive {
  readonly waitTimeSeconds: number | undefined;
  readonly maxNumberOfMessages: number | undefined;
  /** Virtual time the receive was made at. */
  readonly at: number;
  aborted: boolean;
}

/**
 * A queue that answers like SQS, on `clock`: a receive waits up to its WaitTimeSeconds for a
 * message and returns as soon as one is sent; `emptyAtOnce` makes it answer empty straight away
 * instead.
 */
const fakeQueue = (clock: ManualClock, { emptyAtOnce = false } = {}) => {
  const waiting: ((messages: Message[]) => void)[] = [];
  const receives: Receive[] = [];
  const deleted: string[] = [];
  let sent = 0;
  const client = {
    send: async (command: unknown, options?: { abortSignal?: AbortSignal }) => {
      if (command instanceof DeleteMessageBatchCommand) {
        deleted.push(...(command.input.Entries ?? []).map((e) => e.ReceiptHandle!));
        return {};
      }
      if (!(command instanceof ReceiveMessageCommand)) throw new Error('unexpected command');
      const receive: Receive = { waitTimeSeconds: command.input.WaitTimeSeconds, maxNumberOfMessages: command.input.MaxNumberOfMessages, at: clock.now(), aborted: false };
      receives.push(receive);
      if (emptyAtOnce) {
        await new Promise((resolve) => setImmediate(resolve));
        return { Messages: [] };
      }
      return new Promise((resolve, reject) => {
        // Ends the wait on the clock once the receive is answered or aborted.
        const done = new AbortController();
        const answer = (messages: Message[]) => {
          done.abort();
          resolve({ Messages: messages });
        };
        waiting.push(answer);
        void clock.sleep((command.input.WaitTimeSeconds ?? 0) * 1000, done.signal).then(() => {
          if (done.signal.aborted) return;
          waiting.splice(waiting.indexOf(answer), 1);
          resolve({ Messages: [] });
        });
        options?.abortSignal?.addEventListener('abort', () => {
          receive.aborted = true;
          done.abort();
          waiting.splice(waiting.indexOf(answer), 1);
          reject(Object.assign(new Error('aborted'), { name: 'AbortError' }));
        });
      });
    },
  };
  /** Sends one message: the receive waiting longest gets it. */
  const send = () => {
    const id = `m${++sent}`;
    waiting.shift()?.([{ MessageId: id, ReceiptHandle: `${id}-1`, Body: '{}', Attributes: { SentTimestamp: String(clock.now()), ApproximateReceiveCount: '1' } }]);
  };
  return { client: client as unknown as SQSClient, receives, deleted, send, waiting };
};

let runner: EventSourceRunner | undefined;
afterEach(async () => {
  await runner?.stop();
  runner = undefined;
});

type Handler = (event: SQSEvent) => Promise<SQSBatchResponse>;

const bind = (sqs: SQSClient, options: RunnerOptions, { handled = [] as string[], maxConcurrency = 1, handler = undefined as Handler | undefined } = {}) => {
  runner = new EventSourceRunner(sqs, 'eu-north-1', options);
  runner.start({
    functionName: 'referral-intake',
    queueUrl: QUEUE,
    queueArn: 'arn:aws:sqs:eu-north-1:000000000000:referral-intake',
    batchSize: 10,
    maxConcurrency,
    timeoutSeconds: 5,
    memoryMb: 128,
    maxReceiveCount: 3,
    handler:
      handler ??
      (async (event: SQSEvent) => {
        handled.push(...event.Records.map((record) => record.messageId));
        return { batchItemFailures: [] };
      }),
  });
  return runner;
};

/** Lets everything that can happen without time moving happen (promise callbacks, immediates). */
const settle = async () => {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
};

/** Waits (without moving time) until `check` holds. */
const until = async (check: () => boolean, what: string) => {
  for (let i = 0; i < 1000 && !check(); i++) await new Promise((resolve) => setImmediate(resolve));
  if (!check()) throw new Error(`never happened: ${what}`);
};

describe('the event source runner polling a queue', () => {
  it('long-polls for 20 seconds, like the event source mapping, a batch of up to ten at a time', async () => {
    const clock = new ManualClock();
    const queue = fakeQueue(clock);
    bind(queue.client, { clock });
    await until(() => queue.receives.length === 1, 'a receive');
    expect(queue.receives[0]).toMatchObject({ waitTimeSeconds: 20, maxNumberOfMessages: 10 });
  });

  it('makes one receive per wait on an idle queue rather than polling again and again', async () => {
    const clock = new ManualClock();
    const queue = fakeQueue(clock);
    bind(queue.client, { clock, idleMinMs: 5, idleMaxMs: 10 });
    await until(() => queue.receives.length === 1, 'the first receive');
    for (let wait = 1; wait <= 3; wait++) {
      // The only one waiting is the receive: the runner pauses for nothing in between.
      expect(clock.sleeping).toBe(1);
      clock.advanceToNextTimer();
      await until(() => queue.receives.length === wait + 1, `the receive after wait ${wait}`);
      await settle();
      expect(queue.receives).toHaveLength(wait + 1);
    }
    // Each receive was made the moment the one before it had waited out its 20 seconds.
    expect(queue.receives.map((r) => r.at)).toEqual([0, 20_000, 40_000, 60_000]);
  });

  it('hands a message sent while a poller waits to the function at once, not when the wait is over', async () => {
    const clock = new ManualClock();
    const queue = fakeQueue(clock);
    const handled: string[] = [];
    bind(queue.client, { clock }, { handled });
    await until(() => queue.waiting.length === 1, 'a waiting receive');
    queue.send();
    await until(() => handled.length === 1, 'the message handled');
    expect(handled).toEqual(['m1']);
    // Handled and deleted with the clock where it was: the 20-second wait did not have to run out.
    await until(() => queue.deleted.length === 1, 'the message deleted');
    expect(queue.deleted).toEqual(['m1-1']);
    expect(clock.now()).toBe(0);
  });

  it('pauses after a receive that comes back empty before its wait is over, instead of spinning', async () => {
    const clock = new ManualClock();
    const queue = fakeQueue(clock, { emptyAtOnce: true });
    bind(queue.client, { clock, idleMinMs: 20, idleMaxMs: 100 });
    const pauses: number[] = [];
    for (let receive = 1; receive <= 6; receive++) {
      await until(() => clock.sleeping === 1, `the pause after receive ${receive}`);
      // One receive per pause: nothing is received again until the pause is over.
      await settle();
      expect(queue.receives).toHaveLength(receive);
      const before = clock.now();
      clock.advanceToNextTimer();
      pauses.push(clock.now() - before);
    }
    // The pause doubles from idleMinMs up to idleMaxMs.
    expect(pauses).toEqual([20, 40, 80, 100, 100, 100]);
  });

  it('stops at once while its pollers wait, aborting their receives, with no time passing', async () => {
    const clock = new ManualClock();
    const queue = fakeQueue(clock);
    // Six pollers: five wait in a receive, as the event source mapping keeps reading five batches at
    // the least; the sixth (idle until batches come back full) in a pause.
    const r = bind(queue.client, { clock }, { maxConcurrency: 6 });
    await until(() => queue.receives.length === 5 && clock.sleeping === 6, 'five receives (each waiting its 20 s) and a pause');
    // Virtual time never moves here: if stop() waited for the long poll or the pause, it would never resolve.
    await r.stop();
    runner = undefined;
    expect(queue.receives.every((receive) => receive.aborted)).toBe(true);
    expect(clock.sleeping).toBe(0);
    expect(clock.now()).toBe(0);
  });

  it('fails the whole batch of an invocation that runs past the function timeout on its clock', async () => {
    const clock = new ManualClock();
    const queue = fakeQueue(clock);
    const events: string[] = [];
    let remainingAtStart: number | undefined;
    bind(queue.client, { clock, onEvent: (line) => events.push(line) }, {
      handler: (_event, context?: { getRemainingTimeInMillis(): number }) => {
        remainingAtStart = context?.getRemainingTimeInMillis();
        return new Promise<never>(() => undefined);
      },
    });
    await until(() => queue.waiting.length === 1, 'a waiting receive');
    queue.send();
    await until(() => runner!.stats.get('referral-intake')!.inFlight === 1, 'the invocation');
    expect(remainingAtStart).toBe(5_000);
    // The receive is answered; what sleeps now is the invocation's five-second timeout.
    expect(clock.sleeping).toBe(1);
    clock.advanceToNextTimer();
    expect(clock.now()).toBe(5_000);
    await until(() => runner!.stats.get('referral-intake')!.timeouts === 1, 'the timeout');
    expect(queue.deleted).toEqual([]);
    expect(events).toEqual(['referral-intake: invocation timed out after 5s; batch of 1 returns to its queue']);
    expect(runner!.stats.get('referral-intake')).toMatchObject({ invocations: 1, records: 1, failedRecords: 1, totalMs: 5_000, inFlight: 0 });
  });
});
