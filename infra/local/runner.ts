/**
 * What the Lambda SQS event source mapping does, on one machine: pollers per binding (as many as its
 * max concurrency) receive batches of up to the binding's size, invoke the handler with an
 * `SQSEvent`, delete the records that succeeded and leave `batchItemFailures` to come back after
 * their visibility timeout; SQS itself moves a message to the DLQ after maxReceiveCount receives.
 * An invocation that throws or runs past the function's timeout fails its whole batch, as in AWS.
 *
 * Each poller long-polls as the event source mapping does (WaitTimeSeconds 20; SQS answers as soon
 * as it has a message), so an empty queue costs one receive per poller every 20 s, not a stream of
 * empty short polls: the mapping's polling is billed as SQS requests too. A receive that fails, or
 * comes back empty before its wait is over, is followed by a pause (`idleMinMs` doubling up to
 * `idleMaxMs`) so that a broken endpoint is not hammered.
 *
 * Every pause, the function timeout and the timestamps go through the runner's clock (`clock`;
 * wall-clock time by default), so a test decides when a wait is over instead of waiting.
 */
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { runWithLambdaContext } from '#lib/logger';

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

export interface BindingRun {
  readonly functionName: string;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly batchSize: number;
  readonly maxConcurrency: number;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  readonly handler: SqsHandler;
  /** The queue's maxReceiveCount: a record that fails its last receive is SQS's to move to the DLQ. */
  readonly maxReceiveCount?: number;
}

export interface FunctionStats {
  invocations: number;
  records: number;
  failedRecords: number;
  errors: number;
  timeouts: number;
  inFlight: number;
  totalMs: number;
  /** Completed invocations per minute, last 15 minutes (epoch minute -> count). */
  readonly perMinute: Map<number, { records: number; failed: number }>;
}

export interface RunnerOptions {
  /** Pause after a receive that failed or came back empty early, doubling up to `idleMaxMs`. */
  readonly idleMinMs?: number;
  readonly idleMaxMs?: number;
  /** WaitTimeSeconds of each receive; default 20, what the Lambda event source mapping uses. */
  readonly waitTimeSeconds?: number;
  /** Called with one line when something an operator should see happens (a crash, a timeout). */
  readonly onEvent?: (line: string) => void;
  /** Time for the pauses, the function timeout and the timestamps; wall-clock time by default. */
  readonly clock?: RunnerClock;
}

/**
 * The runner's time: the shape of the hub's `Clock` (functions/lib/rate-limit.ts), whose `sleep`
 * also ends, resolving, when `signal` is aborted (stop(), an invocation that ended), so that no
 * timer outlives what it was for. test/support/manual-clock.ts fits.
 */
export interface RunnerClock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The batches an SQS event source mapping with a maximum concurrency keeps reading at the least. */
const MIN_POLLERS = 5;

/** Wall-clock time and `setTimeout`. */
export const wallClock: RunnerClock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const wake = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      signal?.addEventListener('abort', wake, { once: true });
    }),
};

const toRecord = (message: Message, binding: BindingRun, region: string, now: number): SQSRecord => ({
  messageId: message.MessageId!,
  receiptHandle: message.ReceiptHandle!,
  body: message.Body ?? '',
  attributes: {
    ApproximateReceiveCount: message.Attributes?.ApproximateReceiveCount ?? '1',
    SentTimestamp: message.Attributes?.SentTimestamp ?? String(now),
    SenderId: message.Attributes?.SenderId ?? 'local',
    ApproximateFirstReceiveTimestamp: message.Attributes?.ApproximateFirstReceiveTimestamp ?? String(now),
  },
  messageAttributes: Object.fromEntries(
    Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
      name,
      { stringValue: value.StringValue, dataType: value.DataType ?? 'String', stringListValues: [], binaryListValues: [] },
    ]),
  ),
  md5OfBody: message.MD5OfBody ?? '',
  eventSource: 'aws:sqs',
  eventSourceARN: binding.queueArn,
  awsRegion: region,
});

/** The Lambda context of one invocation of a function, local or not; `now` is the clock its remaining time is read on. */
export const lambdaContext = (
  binding: { readonly functionName: string; readonly memoryMb: number },
  deadline: number,
  now: () => number = Date.now,
): Context => ({
  callbackWaitsForEmptyEventLoop: false,
  functionName: binding.functionName,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${binding.functionName}`,
  memoryLimitInMB: String(binding.memoryMb),
  awsRequestId: randomUUID(),
  logGroupName: `/aws/lambda/${binding.functionName}`,
  logStreamName: 'local',
  getRemainingTimeInMillis: () => Math.max(0, deadline - now()),
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
});

/** Invokes a handler so that its log lines carry its own Lambda context (`runWithLambdaContext`). */
export const invokeWithLogContext = <E, R>(handler: (event: E, context: Context) => R, event: E, context: Context): R =>
  runWithLambdaContext(context, () => handler(event, context));

export class InvocationTimeout extends Error {}

export const newFunctionStats = (): FunctionStats => ({
  invocations: 0,
  records: 0,
  failedRecords: 0,
  errors: 0,
  timeouts: 0,
  inFlight: 0,
  totalMs: 0,
  perMinute: new Map(),
});

/** Counts one finished invocation of `records` records, `failed` of them failed, that ended at `now`. */
export const recordInvocation = (stats: FunctionStats, records: number, failed: number, ms: number, now: number = Date.now()): void => {
  stats.invocations++;
  stats.records += records;
  stats.failedRecords += failed;
  stats.totalMs += ms;
  const minute = Math.floor(now / 60_000);
  const bucket = stats.perMinute.get(minute) ?? { records: 0, failed: 0 };
  bucket.records += records;
  bucket.failed += failed;
  stats.perMinute.set(minute, bucket);
  for (const key of stats.perMinute.keys()) if (key < minute - 15) stats.perMinute.delete(key);
};

/** Ends an invocation's timeout wait (nobody reads it): `abort()` alone builds a DOMException, stack and all, per invocation. */
const INVOCATION_OVER = Symbol('invocation over');

export class EventSourceRunner {
  readonly stats = new Map<string, FunctionStats>();
  /** Per queue URL, the SentTimestamp of each message received and not finished with, by message id. */
  private readonly unfinished = new Map<string, Map<string, number>>();
  private readonly abort = new AbortController();
  private readonly loops: Promise<void>[] = [];
  private readonly clock: RunnerClock;

  constructor(
    private readonly sqs: SQSClient,
    private readonly region: string,
    private readonly options: RunnerOptions = {},
  ) {
    this.clock = options.clock ?? wallClock;
    // Every poller's in-flight receive listens on the one stop signal.
    setMaxListeners(0, this.abort.signal);
  }

  start(binding: BindingRun): void {
    this.stats.set(binding.functionName, newFunctionStats());
    // Like the event source mapping with a maximum concurrency: as many pollers as it keeps reading
    // batches at the least (five, or the maximum if lower: AWS Lambda Developer Guide, "Configuring
    // scaling behavior for SQS event source mappings"), and more while batches come back full, up
    // to the maximum; the extra go quiet again when the queue drains. One poller at the start left a
    // paced register idle: its batches of one or two waited for each other's answers.
    const floor = Math.min(MIN_POLLERS, binding.maxConcurrency);
    const pollers = { active: floor, floor };
    for (let i = 0; i < binding.maxConcurrency; i++) this.loops.push(this.poll(binding, i, pollers));
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.allSettled(this.loops);
  }

  /**
   * SentTimestamp of the oldest message the runner has received from the queue and not finished
   * with (it is being handled, or waits for a retry); undefined when there is none. A live queue
   * cannot be peeked for it: a receive counts towards maxReceiveCount. What the runner has not
   * received yet was sent later, give or take one poll.
   */
  oldestUnfinished(queueUrl: string): number | undefined {
    const sent = this.unfinished.get(queueUrl);
    return sent?.size ? Math.min(...sent.values()) : undefined;
  }

  private async poll(binding: BindingRun, index: number, pollers: { active: number; readonly floor: number }): Promise<void> {
    const signal = this.abort.signal;
    const idleMin = this.options.idleMinMs ?? 20;
    const idleMax = this.options.idleMaxMs ?? 400;
    const waitTimeSeconds = this.options.waitTimeSeconds ?? 20;
    const batch = Math.min(10, binding.batchSize);
    let idle = idleMin;
    while (!signal.aborted) {
      if (index >= pollers.active) {
        await this.clock.sleep(idleMin * 5, signal);
        continue;
      }
      let messages: Message[] = [];
      let waitedOut = false;
      const polled = this.clock.now();
      try {
        const received = await this.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: binding.queueUrl,
            MaxNumberOfMessages: batch,
            WaitTimeSeconds: waitTimeSeconds,
            AttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
          // stop() aborts a receive that is waiting; the patched local-aws-sqs then lets it go.
          { abortSignal: signal },
        );
        messages = received.Messages ?? [];
        waitedOut = waitTimeSeconds > 0 && this.clock.now() - polled >= waitTimeSeconds * 1000;
      } catch {
        if (signal.aborted) return;
      }
      if (messages.length === 0) {
        if (index >= pollers.floor && index === pollers.active - 1) pollers.active--;
        if (!waitedOut) {
          await this.clock.sleep(idle, signal);
          idle = Math.min(idleMax, idle * 2);
        }
        continue;
      }
      idle = idleMin;
      if (messages.length === batch) pollers.active = Math.min(binding.maxConcurrency, pollers.active + 1);
      await this.invoke(binding, messages);
    }
  }

  private async invoke(binding: BindingRun, messages: Message[]): Promise<void> {
    const stats = this.stats.get(binding.functionName)!;
    const started = this.clock.now();
    const deadline = started + binding.timeoutSeconds * 1000;
    const event: SQSEvent = { Records: messages.map((m) => toRecord(m, binding, this.region, started)) };
    const unfinished = this.unfinished.get(binding.queueUrl) ?? new Map<string, number>();
    this.unfinished.set(binding.queueUrl, unfinished);
    for (const m of event.Records) unfinished.set(m.messageId, Number(m.attributes.SentTimestamp));
    stats.inFlight++;
    let failed: Set<string>;
    // Ends the timeout's wait once the invocation is over, whichever way.
    const over = new AbortController();
    try {
      const result = await Promise.race([
        invokeWithLogContext(binding.handler, event, lambdaContext(binding, deadline, () => this.clock.now())),
        this.clock.sleep(binding.timeoutSeconds * 1000, over.signal).then(() => {
          if (!over.signal.aborted) throw new InvocationTimeout();
        }),
      ]);
      failed = new Set((result?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    } catch (error) {
      // As in AWS: a crashed or timed-out invocation leaves the whole batch for a retry.
      failed = new Set(event.Records.map((r) => r.messageId));
      if (error instanceof InvocationTimeout) {
        stats.timeouts++;
        this.options.onEvent?.(`${binding.functionName}: invocation timed out after ${binding.timeoutSeconds}s; batch of ${messages.length} returns to its queue`);
      } else {
        stats.errors++;
        this.options.onEvent?.(`${binding.functionName}: invocation failed (${error instanceof Error ? error.name : 'error'}); batch of ${messages.length} returns to its queue`);
      }
    } finally {
      over.abort(INVOCATION_OVER);
      stats.inFlight--;
    }
    const succeeded = messages.filter((m) => !failed.has(m.MessageId!));
    if (succeeded.length > 0) {
      const notDeleted = await this.sqs
        .send(
          new DeleteMessageBatchCommand({
            QueueUrl: binding.queueUrl,
            Entries: succeeded.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
          }),
        )
        .then(
          ({ Failed = [] }) => new Set(Failed.map((f) => Number(f.Id))),
          () => {
            this.options.onEvent?.(`${binding.functionName}: could not delete ${succeeded.length} processed messages; they will be delivered again`);
            return new Set(succeeded.map((_, i) => i));
          },
        );
      succeeded.forEach((m, i) => {
        if (!notDeleted.has(i)) unfinished.delete(m.MessageId!);
      });
    }
    // A record that failed its last receive goes to the DLQ at its next one: it counts there.
    for (const record of event.Records) {
      if (failed.has(record.messageId) && Number(record.attributes.ApproximateReceiveCount) >= (binding.maxReceiveCount ?? Number.POSITIVE_INFINITY)) {
        unfinished.delete(record.messageId);
      }
    }
    const ended = this.clock.now();
    recordInvocation(stats, messages.length, failed.size, ended - started, ended);
  }
}
