/**
 * What a batch does once every record has been handled, in as few requests as it can:
 * the outputs of successful hops (SendMessageBatch per target queue), the permanent failures to the
 * DLQ with their reason (SendMessageBatch), the audit records of every hop (BatchWriteItem), and a
 * growing visibility timeout for the transient failures so that retries back off.
 */
import { ChangeMessageVisibilityBatchCommand, SendMessageBatchCommand, type SendMessageBatchRequestEntry, type SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SQSBatchItemFailure } from 'aws-lambda';
import { dlqName, queueSpec, type QueueName } from '#infra/topology';
import { documentClient, sqsClient } from '#lib/clients';
import { dlqUrl, queueUrl } from '#lib/config';
import { writeAuditRecords } from '#lib/audit/store';
import { ATTR, chainAttributes, forwardAttributes, stringAttribute } from '#lib/batch/attributes';
import { hopRecord } from '#lib/batch/steps/audit-hop';
import type { HopState, Outgoing } from '#lib/batch/hop';

/**
 * What a batch talks to: SQS (outputs, dead letters, visibility) and the audit table. Functions
 * use the process's clients; a test passes its own.
 */
export interface BatchIo {
  readonly sqs: () => SQSClient;
  readonly documents: () => DynamoDBDocumentClient;
}

export const processClients: BatchIo = { sqs: () => sqsClient(), documents: () => documentClient() };

interface Entry {
  readonly hop: HopState;
  readonly entry: SendMessageBatchRequestEntry;
}

/**
 * Sends entries in batches of ten, all at once (a fan-out page's hundred lookups are ten requests,
 * which one after another held the page's first lookups back by their round trips); returns the
 * hops whose entries failed.
 */
const sendAll = async (io: BatchIo, url: string, entries: readonly Entry[]): Promise<Set<HopState>> => {
  const failed = new Set<HopState>();
  const chunks: Entry[][] = [];
  for (let i = 0; i < entries.length; i += 10) chunks.push(entries.slice(i, i + 10).map((e, n) => ({ ...e, entry: { ...e.entry, Id: String(n) } })));
  await Promise.all(
    chunks.map(async (chunk) => {
      try {
        const result = await io.sqs().send(new SendMessageBatchCommand({ QueueUrl: url, Entries: chunk.map((c) => c.entry) }));
        for (const f of result.Failed ?? []) failed.add(chunk[Number(f.Id)]!.hop);
      } catch {
        for (const c of chunk) failed.add(c.hop);
      }
    }),
  );
  return failed;
};

const markFailed = (hops: Iterable<HopState>, code: string, reason: string): void => {
  for (const hop of hops) {
    hop.failure = { kind: 'transient', code, reason };
    hop.outputs = [];
  }
};

/** Sends the outputs `pick` gives each hop, linked to the hop's audit record. */
const sendOutputs = async (io: BatchIo, hops: readonly HopState[], pick: (hop: HopState) => readonly Outgoing[]): Promise<void> => {
  // By destination: an output's queue, or that queue's DLQ for a dead letter set aside by a hop.
  const byUrl = new Map<string, { readonly name: string; readonly entries: Entry[] }>();
  for (const hop of hops) {
    if (!hop.audit) continue;
    const link = chainAttributes(hop.audit);
    for (const { queue, envelope, delaySeconds, attributes = {}, deadLetter } of pick(hop)) {
      const url = deadLetter ? dlqUrl(queue) : queueUrl(queue);
      const destination = byUrl.get(url) ?? { name: deadLetter ? dlqName(queue) : queue, entries: [] };
      const own = Object.fromEntries(Object.entries(attributes).map(([attribute, value]) => [attribute, stringAttribute(value)]));
      const delay = delaySeconds ? { DelaySeconds: delaySeconds } : {};
      destination.entries.push({ hop, entry: { Id: '', MessageBody: JSON.stringify(envelope), MessageAttributes: { ...own, ...link }, ...delay } });
      byUrl.set(url, destination);
    }
  }
  // Every queue at once, as every batch of ten to each.
  await Promise.all([...byUrl].map(async ([url, { name, entries }]) => markFailed(await sendAll(io, url, entries), 'send-failed', `could not send to queue ${name}`)));
};

/**
 * Sends the outputs of hops that are done while the rest of their batch is not (a spec's
 * `sendEarly`), and clears them: the batch's settling then sends only the rest. A hop whose output
 * SQS did not take is failed as at settling, and comes back; the outputs it did send go again with
 * the same ids, which the next hop sees as duplicates.
 */
export const sendEarly = async (hops: readonly HopState[], io: BatchIo = processClients): Promise<void> => {
  await sendOutputs(io, hops, (hop) => hop.outputs);
  for (const hop of hops) if (!hop.failure) hop.outputs = [];
};

/** A permanent failure goes to the DLQ at once, with its reason beside it; the original is then deleted. */
const deadLetter = async (io: BatchIo, hops: readonly HopState[], source: QueueName, stage: string): Promise<void> => {
  const permanent = hops.filter((h) => h.failure?.kind === 'permanent');
  if (permanent.length === 0) return;
  const failedAt = new Date().toISOString();
  const entries = permanent.map((hop) => ({
    hop,
    entry: {
      Id: '',
      MessageBody: hop.record.body,
      MessageAttributes: {
        ...forwardAttributes(hop.record.messageAttributes),
        [ATTR.failureCode]: stringAttribute(hop.failure!.code),
        [ATTR.failureReason]: stringAttribute(hop.failure!.reason),
        [ATTR.failedStage]: stringAttribute(stage),
        [ATTR.failedAt]: stringAttribute(failedAt),
        [ATTR.failedReceiveCount]: stringAttribute(String(hop.receiveCount)),
      },
    },
  }));
  // If the DLQ cannot take it now, the message stays on its queue and SQS moves it there later.
  for (const hop of await sendAll(io, dlqUrl(source), entries)) hop.failure = { ...hop.failure!, kind: 'transient' };
};

const backoffSeconds = (receiveCount: number, ceiling: number): number => {
  const base = Number(process.env.KOTO_RETRY_BASE_SECONDS ?? 2);
  return Math.min(ceiling, Math.round(base * 2 ** Math.max(0, receiveCount - 1)));
};

const backOff = async (io: BatchIo, hops: readonly HopState[], source: QueueName): Promise<void> => {
  const retrying = hops.filter((h) => h.failure?.kind === 'transient');
  if (retrying.length === 0) return;
  const ceiling = queueSpec(source).visibilityTimeoutSeconds;
  try {
    for (let i = 0; i < retrying.length; i += 10) {
      await io.sqs().send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: queueUrl(source),
          Entries: retrying.slice(i, i + 10).map((hop, n) => ({
            Id: String(n),
            ReceiptHandle: hop.record.receiptHandle,
            VisibilityTimeout: backoffSeconds(hop.receiveCount, ceiling),
          })),
        }),
      );
    }
  } catch {
    // Without the backoff the message still comes back after the queue's visibility timeout.
  }
};

export interface Settled {
  readonly batchItemFailures: SQSBatchItemFailure[];
}

export const settleBatch = async (hops: readonly HopState[], source: QueueName, stage: string, io: BatchIo = processClients): Promise<Settled> => {
  const maxReceiveCount = queueSpec(source).maxReceiveCount;
  await sendOutputs(io, hops, (hop) => (hop.failure || hop.duplicate ? [] : hop.outputs));
  await deadLetter(io, hops, source, stage);
  // Failures are recorded now that it is known where each one goes (a send may have failed too).
  for (const hop of hops) if (hop.failure) hop.audit = await hopRecord(hop, maxReceiveCount);
  // A requester waiting for an answer that will not come is told so (best effort: the dead letter
  // itself is the record, and a redrive answers it after all).
  await sendOutputs(io, hops, (hop) => (hop.audit?.outcome === 'dead-letter' ? hop.deadLetterOutputs : [])).catch(() => undefined);
  const records = hops.flatMap((h) => (h.audit ? [h.audit] : []));
  try {
    await writeAuditRecords(records, io.documents());
  } catch {
    // Without its audit record a hop has not happened: every record of the batch comes back, and
    // the deterministic ids of the outputs already sent let the next hop see the duplicates.
    return { batchItemFailures: hops.map((h) => ({ itemIdentifier: h.record.messageId })) };
  }
  await backOff(io, hops, source);
  return {
    batchItemFailures: hops
      .filter((h) => h.failure?.kind === 'transient')
      .map((h) => ({ itemIdentifier: h.record.messageId })),
  };
};
