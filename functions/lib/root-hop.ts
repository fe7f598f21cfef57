/**
 * Messages that start work — ingress, a schedule — have no message before them. Each gets a root
 * audit record (`parentHop: null`) and goes on its queue carrying that record's hop and digest
 * (`koto.parentHop` / `koto.parentDigest`), so the hop that receives it continues the chain exactly
 * as after any other hop (see functions/lib/batch/unit-of-work.ts for the queue-fed side).
 *
 * A root record is a function of the envelope alone (times of processing stay outside its digest),
 * so a message sent again with the same id and `occurredAt` reseals the very same record.
 */
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { Envelope } from '#contracts/envelope';
import { subjectOf } from '#contracts/messages/registry';
import type { QueueName } from '#infra/topology';
import { auditKey } from '#lib/audit/key';
import { hopKey, payloadDigest, sealRecord, subjectHash, type AuditRecord, type HopOutcome } from '#lib/audit/record';
import { writeAuditRecords } from '#lib/audit/store';
import { chainAttributes } from '#lib/batch/attributes';
import { sqsClient } from '#lib/clients';
import { auditRetentionDays, queueUrl } from '#lib/config';

export interface LinkedMessage {
  readonly envelope: Envelope;
  /** The audit record of the hop that produced the message: its link goes with the message. */
  readonly record: Pick<AuditRecord, 'hop' | 'digest'>;
}

/** The sealed audit record of a message that starts work at `stage`. */
export const rootRecord = async (envelope: Envelope, stage: string, outcome: HopOutcome): Promise<AuditRecord> => {
  const key = await auditKey();
  const subject = subjectOf(envelope);
  return sealRecord(
    {
      correlationId: envelope.correlationId,
      hop: hopKey(envelope.messageId, stage),
      messageId: envelope.messageId,
      causationId: envelope.causationId,
      type: envelope.type,
      source: envelope.source,
      target: envelope.target,
      municipality: envelope.municipality,
      stage,
      outcome,
      reason: null,
      subjectHash: subject ? subjectHash(key, subject) : null,
      payloadDigest: payloadDigest(key, envelope.payload),
      occurredAt: envelope.occurredAt,
      parentHop: null,
      parentDigest: null,
      recordedAt: new Date().toISOString(),
      durationMs: 0,
      expiresAt: Math.floor(Date.now() / 1000) + auditRetentionDays() * 86_400,
    },
    key,
  );
};

/** Sends messages to a queue, ten per SendMessageBatch, each with its link; throws if SQS refused any. */
export const sendLinked = async (queue: QueueName, messages: readonly LinkedMessage[]): Promise<void> => {
  for (let i = 0; i < messages.length; i += 10) {
    const chunk = messages.slice(i, i + 10);
    const result = await sqsClient().send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl(queue),
        Entries: chunk.map(({ envelope, record }, n) => ({
          Id: String(n),
          MessageBody: JSON.stringify(envelope),
          MessageAttributes: chainAttributes(record),
        })),
      }),
    );
    if (result.Failed?.length) throw new Error(`send: ${result.Failed.length} messages were not accepted by queue ${queue}`);
  }
};

/**
 * Records and sends messages that start work at `stage`: the audit records first, so that no
 * message is ever received before the record it links to; then the messages. Either step may
 * fail; the caller sends the same envelopes again, which reseals and rewrites the same records.
 */
export const emitRoots = async (queue: QueueName, envelopes: readonly Envelope[], stage: string, outcome: HopOutcome = 'emitted'): Promise<AuditRecord[]> => {
  const records = await Promise.all(envelopes.map((envelope) => rootRecord(envelope, stage, outcome)));
  await writeAuditRecords(records);
  await sendLinked(
    queue,
    envelopes.map((envelope, i) => ({ envelope, record: records[i]! })),
  );
  return records;
};
