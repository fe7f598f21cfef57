/** The hub's status as an operator reads it: per queue depth, in flight and DLQ depth; per function its counters. */
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { consumerOf, dlqName, queueNames, type QueueName } from '#infra/topology';
import type { FunctionStats } from '#infra/local/runner';
import type { QueueUrls } from '#infra/local/sqs';

export interface QueueStatus {
  readonly name: QueueName;
  readonly consumer: string | null;
  readonly depth: number;
  readonly inFlight: number;
  readonly dlq: string;
  readonly dlqDepth: number;
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

export interface HubStatus {
  readonly at: string;
  readonly queues: readonly QueueStatus[];
  readonly functions: readonly FunctionStatus[];
}

const depthOf = async (sqs: SQSClient, url: string) => {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return { depth: Number(Attributes.ApproximateNumberOfMessages ?? 0), inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0) };
};

export const readStatus = async (sqs: SQSClient, urls: QueueUrls, stats: ReadonlyMap<string, FunctionStats>): Promise<HubStatus> => {
  const queues = await Promise.all(
    queueNames.map(async (name) => {
      const [live, dead] = await Promise.all([depthOf(sqs, urls.queue[name]), depthOf(sqs, urls.dlq[name])]);
      return { name, consumer: consumerOf(name) ?? null, ...live, dlq: dlqName(name), dlqDepth: dead.depth + dead.inFlight };
    }),
  );
  const minute = Math.floor(Date.now() / 60_000);
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
  return { at: new Date().toISOString(), queues, functions };
};
