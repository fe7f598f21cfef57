/**
 * Dead letters for operators: peeking at a DLQ without taking anything from it, describing each
 * message by its envelope fields and failure reason (never its payload), and putting messages back
 * on their queue — one by hand, or all through SQS's own message move task.
 */
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  StartMessageMoveTaskCommand,
  type MessageAttributeValue,
} from '@aws-sdk/client-sqs';
import { dlqName, queueNames, queueSpec, type QueueName } from '#infra/topology';
import { sqsClient } from '#lib/clients';
import { scrubText } from '#lib/pii';
import { ATTR } from '#lib/batch/attributes';
import { auditKey } from '#lib/audit/key';
import type { AuditRecord } from '#lib/audit/record';
import { readCorrelation, writeAuditRecords } from '#lib/audit/store';
import { FAILED_OUTCOMES } from '#lib/audit/trace';
import { REDRIVE_STAGE, redriveRecord, viewDeadLetter, type DeadLetterView } from '#lib/audit/redrive';
import { UsageError } from '#cli/connection';
import type { HubQueues } from '#cli/running-hub';

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
export const holdMessages = async (url: string, limit: number): Promise<Held> => {
  const byId = new Map<string, HeldMessage>();
  while (byId.size < limit) {
    const { Messages = [] } = await sqsClient().send(
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
        await sqsClient()
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

/** Messages in a queue, visible and in flight. */
export const queueDepth = async (url: string): Promise<number> => {
  const { Attributes = {} } = await sqsClient().send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
  );
  return Number(Attributes.ApproximateNumberOfMessages ?? 0) + Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0);
};

/** The topology queue a DLQ argument names: the queue itself (`referral-intake`) or its DLQ (`referral-intake-dlq`). */
export const queueOfArgument = (name: string | undefined): QueueName => {
  if (!name) throw new UsageError('name a queue (or its DLQ), e.g. referral-intake');
  const found = queueNames.find((queue) => queue === name || dlqName(queue) === name);
  if (!found) throw new UsageError(`no queue ${scrubText(name).slice(0, 80)} in the topology (koto-hub dlq list names them)`);
  return found;
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

const text = (attributes: HeldMessage['attributes'], name: string): string | undefined => attributes[name]?.StringValue;

/** The last failed hop of the message among its correlation's records, matched by message id or payload digest. */
export const lastFailureOf = (view: DeadLetterView, records: readonly AuditRecord[]): AuditRecord | undefined =>
  records
    .filter((r) => FAILED_OUTCOMES.has(r.outcome) && (r.messageId === view.messageId || r.payloadDigest === view.payloadDigest))
    .sort((a, b) => (a.recordedAt < b.recordedAt ? -1 : a.recordedAt > b.recordedAt ? 1 : 0))
    .at(-1);

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
  return Promise.all(
    messages.map(async (message) => {
      const view = viewDeadLetter(message.body, message.sqsMessageId);
      return describeDeadLetter(message, queue, lastFailureOf(view, await recordsOf(view.correlationId)), now);
    }),
  );
};

const parentOf = (message: HeldMessage) => {
  const hop = text(message.attributes, ATTR.parentHop);
  const digest = text(message.attributes, ATTR.parentDigest);
  return hop && digest ? { hop, digest } : null;
};

/** The sealed `redriven` records of messages about to go back to `queue`, numbered after earlier redrives of each. */
export const redriveRecords = async (messages: readonly HeldMessage[], queue: QueueName, how: string): Promise<AuditRecord[]> => {
  const key = await auditKey();
  const earlier = new Map<string, number>();
  const out: AuditRecord[] = [];
  for (const message of messages) {
    const dead = viewDeadLetter(message.body, message.sqsMessageId);
    const counted = `${dead.correlationId}|${dead.messageId}`;
    if (!earlier.has(counted)) {
      const records = dead.correlationId === 'unreadable' ? [] : await readCorrelation(dead.correlationId);
      earlier.set(counted, records.filter((r) => r.stage === REDRIVE_STAGE && r.messageId === dead.messageId).length);
    }
    const redrive = earlier.get(counted)! + 1;
    earlier.set(counted, redrive);
    out.push(redriveRecord({ dead, parent: parentOf(message), redrive, note: `redriven from ${dlqName(queue)} to ${queue} (${how})` }, key));
  }
  return out;
};

/** The message's attributes as SendMessage takes them (the hub's are all strings). */
const sameAttributes = (message: HeldMessage): Record<string, MessageAttributeValue> =>
  Object.fromEntries(
    Object.entries(message.attributes).map(([name, { DataType, StringValue, BinaryValue }]) => [
      name,
      { DataType, ...(StringValue !== undefined ? { StringValue } : {}), ...(BinaryValue !== undefined ? { BinaryValue } : {}) },
    ]),
  );

export interface MovedOne {
  readonly record: AuditRecord;
  readonly summary: DeadLetterSummary;
}

/**
 * Puts one dead letter back: its audit record first (a move without its record must not happen),
 * then the same body and attributes on the queue, then off the DLQ. Should the delete fail, the
 * copy left in the DLQ is a duplicate the hub recognises by its audit records when it succeeds.
 */
export const redriveMessage = async (queues: HubQueues, queue: QueueName, id: string): Promise<MovedOne | undefined> => {
  const dlqUrl = queues.url(queue, true);
  const held = await holdMessages(dlqUrl, PEEK_CAP);
  const message = held.messages.find((m) => m.sqsMessageId === id || viewDeadLetter(m.body, m.sqsMessageId).messageId === id);
  await held.release(message ? new Set([message.sqsMessageId]) : undefined);
  if (!message) return undefined;
  try {
    const [summary] = await describeAll([message], queue);
    const [record] = await redriveRecords([message], queue, 'dlq redrive --message');
    await writeAuditRecords([record!]);
    await sqsClient().send(new SendMessageCommand({ QueueUrl: queues.url(queue), MessageBody: message.body, MessageAttributes: sameAttributes(message) }));
    await sqsClient().send(new DeleteMessageCommand({ QueueUrl: dlqUrl, ReceiptHandle: message.receiptHandle }));
    return { record: record!, summary: summary! };
  } catch (error) {
    await held.release();
    throw error;
  }
};

export interface MoveTaskResult {
  readonly status: string;
  readonly moved: number;
  readonly toMove: number;
  readonly failureReason?: string;
}

const TASK_DONE = new Set(['COMPLETED', 'CANCELLED', 'FAILED']);

/**
 * Puts every dead letter of `queue` back through SQS's message move task, at most `rate` messages
 * a second (SQS's own pace when none is given). Each message gets its `redriven` record before
 * the task starts. The destination is always named: SQS can tell the source of only those
 * messages it moved itself, not of those the hub dead-lettered on a permanent failure.
 */
export const redriveAll = async (
  queues: HubQueues,
  queue: QueueName,
  rate: number | undefined,
  progress: (moved: number, toMove: number) => void = () => undefined,
): Promise<{ records: AuditRecord[]; result: MoveTaskResult }> => {
  const dlqUrl = queues.url(queue, true);
  const held = await holdMessages(dlqUrl, Number.MAX_SAFE_INTEGER);
  let records: AuditRecord[];
  try {
    records = await redriveRecords(held.messages, queue, `dlq redrive --all${rate ? ` --rate ${rate}` : ''}`);
    await writeAuditRecords(records);
  } finally {
    await held.release();
  }
  if (records.length === 0) return { records, result: { status: 'COMPLETED', moved: 0, toMove: 0 } };
  const [sourceArn, destinationArn] = await Promise.all([queues.arn(queue, true), queues.arn(queue)]);
  const { TaskHandle } = await sqsClient().send(
    new StartMessageMoveTaskCommand({ SourceArn: sourceArn, DestinationArn: destinationArn, MaxNumberOfMessagesPerSecond: rate }),
  );
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const { Results = [] } = await sqsClient().send(new ListMessageMoveTasksCommand({ SourceArn: sourceArn, MaxResults: 10 }));
    // The running task is listed with its handle; a finished one without it, newest first.
    const task = Results.find((t) => t.TaskHandle === TaskHandle) ?? Results[0];
    if (!task) throw new Error(`the move task of ${dlqName(queue)} is not listed`);
    const moved = task.ApproximateNumberOfMessagesMoved ?? 0;
    const toMove = task.ApproximateNumberOfMessagesToMove ?? records.length;
    progress(moved, toMove);
    if (TASK_DONE.has(task.Status ?? '')) {
      return { records, result: { status: task.Status!, moved, toMove, ...(task.FailureReason ? { failureReason: task.FailureReason } : {}) } };
    }
  }
};
