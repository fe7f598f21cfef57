/**
 * The hub's status as an operator reads it: per queue depth, in flight, age of the oldest message
 * and DLQ depth; per function its counters; the outreach runs not yet delivered.
 */
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { consumerOf, dlqName, queueNames, type QueueName } from '#infra/topology';
import { oldestSentAt } from '#ops/dead-letters';
import type { FunctionStats } from '#infra/local/runner';
import type { OpenRun } from '#infra/local/open-runs';
import type { BreakerStatus } from '#infra/local/breakers';
import type { OpenWellbeingRequest } from '#infra/local/open-wellbeing';
import type { QueueUrls } from '#infra/local/sqs';

export interface QueueStatus {
  readonly name: QueueName;
  readonly consumer: string | null;
  readonly depth: number;
  readonly inFlight: number;
  readonly dlq: string;
  readonly dlqDepth: number;
  /**
   * Seconds since the oldest message its consumer has received and not finished with was sent
   * (being handled, or waiting for a retry); null when there is none, or no consumer runs here.
   */
  readonly oldestAgeSeconds: number | null;
  /** Seconds the oldest dead letter has been in the DLQ (SentTimestamp of a peek); null when it is empty. */
  readonly dlqOldestAgeSeconds: number | null;
}

export interface FunctionStatus {
  readonly name: string;
  readonly invocations: number;
  readonly records: number;
  readonly failedRecords: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly inFlight: number;
  readonly averageMs: number;
  /** Records handled in the last five minutes. */
  readonly recentRecords: number;
}

/** An outreach run not yet delivered; its progress is `(decided + unresolved) / expected`. */
export type RunStatus = OpenRun;

export interface HubStatus {
  readonly at: string;
  readonly queues: readonly QueueStatus[];
  readonly functions: readonly FunctionStatus[];
  /** Outreach runs not yet delivered, the oldest first. */
  readonly runs: readonly RunStatus[];
  /** The circuit breaker of each external system (closed unless it is down). */
  readonly breakers?: readonly BreakerStatus[];
  /** Wellbeing requests whose answers are still read, the earliest due first. */
  readonly wellbeing?: readonly OpenWellbeingRequest[];
}

/** Where the status reads what SQS's queue attributes do not tell. */
export interface StatusSources {
  /**
   * SentTimestamp of the oldest message of a live queue, known without receiving it (the runner
   * knows what it holds): a peek would count towards the message's maxReceiveCount.
   */
  readonly oldestSentAt?: (queueUrl: string) => number | undefined;
  readonly openRuns?: () => Promise<readonly RunStatus[]>;
  readonly breakers?: () => Promise<readonly BreakerStatus[]>;
  readonly openWellbeing?: () => Promise<readonly OpenWellbeingRequest[]>;
}

/** Dead letters a status peeks at for the oldest one (it refreshes every few seconds; `dlq list` looks further). */
const STATUS_PEEK = 100;

const ageSeconds = (sentAt: number | undefined, now: number): number | null =>
  sentAt === undefined ? null : Math.max(0, Math.floor((now - sentAt) / 1000));

/** A queue's visible messages and those in flight, from its attributes. */
export const queueCounts = async (sqs: SQSClient, url: string): Promise<{ depth: number; inFlight: number }> => {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return { depth: Number(Attributes.ApproximateNumberOfMessages ?? 0), inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0) };
};

const readQueues = (sqs: SQSClient, urls: QueueUrls, sources: StatusSources, now: number): Promise<QueueStatus[]> =>
  Promise.all(
    queueNames.map(async (name) => {
      const [live, dead] = await Promise.all([queueCounts(sqs, urls.queue[name]), queueCounts(sqs, urls.dlq[name])]);
      const dlqDepth = dead.depth + dead.inFlight;
      const dlqOldest = dlqDepth > 0 ? await oldestSentAt(urls.dlq[name], STATUS_PEEK, sqs) : undefined;
      const oldest = live.depth + live.inFlight > 0 ? sources.oldestSentAt?.(urls.queue[name]) : undefined;
      return {
        name,
        consumer: consumerOf(name) ?? null,
        ...live,
        dlq: dlqName(name),
        dlqDepth,
        oldestAgeSeconds: ageSeconds(oldest, now),
        dlqOldestAgeSeconds: ageSeconds(dlqOldest, now),
      };
    }),
  );

export const readStatus = async (
  sqs: SQSClient,
  urls: QueueUrls,
  stats: ReadonlyMap<string, FunctionStats>,
  sources: StatusSources = {},
): Promise<HubStatus> => {
  const now = Date.now();
  const [queues, runs, breakers, wellbeing] = await Promise.all([
    readQueues(sqs, urls, sources, now),
    sources.openRuns?.() ?? [],
    sources.breakers?.(),
    sources.openWellbeing?.(),
  ]);
  const minute = Math.floor(now / 60_000);
  const functions = [...stats].map(([name, s]) => ({
    name,
    invocations: s.invocations,
    records: s.records,
    failedRecords: s.failedRecords,
    errors: s.errors,
    timeouts: s.timeouts,
    inFlight: s.inFlight,
    averageMs: s.invocations ? Math.round(s.totalMs / s.invocations) : 0,
    recentRecords: [...s.perMinute].filter(([m]) => m > minute - 5).reduce((n, [, b]) => n + b.records, 0),
  }));
  return { at: new Date(now).toISOString(), queues, functions, runs, ...(breakers ? { breakers } : {}), ...(wellbeing ? { wellbeing } : {}) };
};
