/**
 * Dead letters as operators see them (the CLI's `koto-hub dlq`, the hub's status and the local ops
 * page): peeking at a DLQ without taking anything from it, and describing each message by its
 * envelope fields and failure reason, never its payload.
 *
 * A peek is a receive. On a DLQ (no redrive policy of its own) that changes nothing that matters;
 * on a live queue it would count towards the message's maxReceiveCount and its retry attempts, so
 * these helpers are for DLQs only.
 */
import { ChangeMessageVisibilityBatchCommand, ReceiveMessageCommand, type MessageAttributeValue, type SQSClient } from '@aws-sdk/client-sqs';
import { queueSpec, type QueueName } from '#infra/topology';
import { sqsClient } from '#lib/clients';
import { scrubText } from '#lib/pii';
import { ATTR } from '#lib/batch/attributes';
import { auditKey } from '#lib/audit/key';
import type { AuditRecord } from '#lib/audit/record';
import { readCorrelation } from '#lib/audit/store';
import { FAILED_OUTCOMES } from '#ops/audit/trace';
import { viewDeadLetter, type DeadLetterView } from '#ops/audit/redrive';

/** Seconds a peeked message stays hidden while the command looks at the rest; released at once after. */
const HOLD_SECONDS = 30;
/** Most messages a command looks at in one DLQ (for `dlq list` and finding one message). */
export const PEEK_CAP = 1000;

export interface HeldMessage {
  readonly sqsMessageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  /** When the message was put on the DLQ (SQS's SentTimestamp), epoch milliseconds. */
  readonly sentAt: number;
  /** SQS's own attributes (DeadLetterQueueSourceArn on a message SQS moved there). */
  readonly system: Readonly<Record<string, string>>;
  readonly attributes: Readonly<Record<string, MessageAttributeValue>>;
}

export interface Held {
  readonly messages: readonly HeldMessage[];
  /** Makes the held messages visible again (all but `keep`). */
  release(keep?: ReadonlySet<string>): Promise<void>;
}

/**
 * Receives up to `limit` distinct messages and keeps them hidden until released: a ReceiveMessage
 * that leaves them visible would hand the same ten back again and again.
 */
export const holdMessages = async (url: string, limit: number, sqs: SQSClient = sqsClient()): Promise<Held> => {
  const byId = new Map<string, HeldMessage>();
  while (byId.size < limit) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: Math.min(10, limit - byId.size),
        VisibilityTimeout: HOLD_SECONDS,
        WaitTimeSeconds: 0,
        AttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    );
    let fresh = 0;
    for (const m of Messages) {
      if (!m.MessageId || !m.ReceiptHandle) continue;
      if (!byId.has(m.MessageId)) fresh++;
      byId.set(m.MessageId, {
        sqsMessageId: m.MessageId,
        receiptHandle: m.ReceiptHandle,
        body: m.Body ?? '',
        sentAt: Number(m.Attributes?.SentTimestamp ?? Date.now()),
        system: { ...(m.Attributes ?? {}) },
        attributes: { ...(m.MessageAttributes ?? {}) },
      });
    }
    if (fresh === 0) break;
  }
  const messages = [...byId.values()].sort((a, b) => a.sentAt - b.sentAt);
  return {
    messages,
    async release(keep = new Set()) {
      const back = messages.filter((m) => !keep.has(m.sqsMessageId));
      for (let i = 0; i < back.length; i += 10) {
        await sqs
          .send(
            new ChangeMessageVisibilityBatchCommand({
              QueueUrl: url,
              Entries: back.slice(i, i + 10).map((m, n) => ({ Id: String(n), ReceiptHandle: m.receiptHandle, VisibilityTimeout: 0 })),
            }),
          )
          // Not released now, they come back by themselves after HOLD_SECONDS.
          .catch(() => undefined);
      }
    },
  };
};

/** SentTimestamp (epoch ms) of the oldest of the first `limit` messages in a DLQ, by a peek; undefined when it is empty. */
export const oldestSentAt = async (url: string, limit: number = PEEK_CAP, sqs: SQSClient = sqsClient()): Promise<number | undefined> => {
  const held = await holdMessages(url, limit, sqs);
  await held.release();
  return held.messages[0]?.sentAt;
};

export interface DeadLetterSummary {
  /** SQS's id of the message in the DLQ (what `dlq redrive --message` takes, as does `messageId`). */
  readonly sqsMessageId: string;
  readonly messageId: string;
  readonly correlationId: string;
  readonly type: string;
  readonly source: string;
  readonly target: string;
  /** Receives from its queue before it became a dead letter; null when unknown. */
  readonly receives: number | null;
  readonly failureCode: string | null;
  readonly failureReason: string | null;
  readonly failedStage: string | null;
  readonly failedAt: string | null;
  /** Where the reason comes from: the hub's DLQ attributes, the last failed hop's audit record, or nowhere. */
  readonly reasonFrom: 'attributes' | 'audit' | 'none';
  /** SQS moved it after maxReceiveCount receives (rather than the hub on a permanent failure). */
  readonly movedBySqs: boolean;
  readonly sentAt: string;
  readonly ageSeconds: number;
}

export const text = (attributes: HeldMessage['attributes'], name: string): string | undefined => attributes[name]?.StringValue;

/** The last failed hop of the message among its correlation's records, matched by message id or payload digest. */
export const lastFailureOf = (view: DeadLetterView, records: readonly AuditRecord[], key: Buffer): AuditRecord | undefined => {
  const digest = view.payloadDigest(key);
  return records
    .filter((r) => FAILED_OUTCOMES.has(r.outcome) && (r.messageId === view.messageId || r.payloadDigest === digest))
    .sort((a, b) => (a.recordedAt < b.recordedAt ? -1 : a.recordedAt > b.recordedAt ? 1 : 0))
    .at(-1);
};

const attemptOf = (hop: string): number | null => {
  const match = /#attempt-(\d+)$/.exec(hop);
  return match ? Number(match[1]) : null;
};

const scrubbed = (value: string | null | undefined): string | null => (value ? scrubText(value) : null);

/** What an operator sees of one dead letter (pure). Every text is scrubbed as a last guard. */
export const describeDeadLetter = (
  message: HeldMessage,
  queue: QueueName,
  lastFailure: AuditRecord | undefined,
  now: number = Date.now(),
): DeadLetterSummary => {
  const view = viewDeadLetter(message.body, message.sqsMessageId);
  const attrs = message.attributes;
  const movedBySqs = message.system.DeadLetterQueueSourceArn !== undefined || text(attrs, ATTR.failureCode) === undefined;
  const base = {
    sqsMessageId: message.sqsMessageId,
    messageId: view.messageId,
    correlationId: view.correlationId,
    type: view.type,
    source: view.source,
    target: view.target,
    movedBySqs,
    sentAt: new Date(message.sentAt).toISOString(),
    ageSeconds: Math.max(0, Math.floor((now - message.sentAt) / 1000)),
  };
  if (!movedBySqs) {
    const receives = Number(text(attrs, ATTR.failedReceiveCount));
    return {
      ...base,
      receives: Number.isInteger(receives) && receives > 0 ? receives : lastFailure ? attemptOf(lastFailure.hop) : null,
      failureCode: scrubbed(text(attrs, ATTR.failureCode)),
      failureReason: scrubbed(text(attrs, ATTR.failureReason)),
      failedStage: scrubbed(text(attrs, ATTR.failedStage)),
      failedAt: scrubbed(text(attrs, ATTR.failedAt)),
      reasonFrom: 'attributes',
    };
  }
  // SQS moved it after maxReceiveCount receives: the hub's last failed hop says why.
  const maxReceives = queueSpec(queue).maxReceiveCount;
  if (!lastFailure) {
    return {
      ...base,
      receives: maxReceives,
      failureCode: 'max-receives',
      failureReason: `moved by SQS after ${maxReceives} receives; no failed hop of it is in the audit log`,
      failedStage: null,
      failedAt: null,
      reasonFrom: 'none',
    };
  }
  const [code, ...rest] = (lastFailure.reason ?? 'unknown').split(': ');
  return {
    ...base,
    receives: attemptOf(lastFailure.hop) ?? maxReceives,
    failureCode: scrubbed(code),
    failureReason: scrubbed(rest.join(': ') || null),
    failedStage: scrubbed(lastFailure.stage),
    failedAt: lastFailure.recordedAt,
    reasonFrom: 'audit',
  };
};

/** Describes held messages, reading each correlation's audit records once. */
export const describeAll = async (messages: readonly HeldMessage[], queue: QueueName): Promise<DeadLetterSummary[]> => {
  const records = new Map<string, Promise<AuditRecord[]>>();
  const recordsOf = (correlationId: string) => {
    if (correlationId === 'unreadable') return Promise.resolve([]);
    if (!records.has(correlationId)) records.set(correlationId, readCorrelation(correlationId));
    return records.get(correlationId)!;
  };
  const now = Date.now();
  const key = await auditKey();
  return Promise.all(
    messages.map(async (message) => {
      const view = viewDeadLetter(message.body, message.sqsMessageId);
      return describeDeadLetter(message, queue, lastFailureOf(view, await recordsOf(view.correlationId), key), now);
    }),
  );
};
