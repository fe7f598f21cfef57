/**
 * Dead letters for operators: peeking at a DLQ without taking anything from it, describing each
 * message by its envelope fields and failure reason (never its payload) — both in #ops/dead-letters
 * — and putting messages back on their queue, one by hand or all through SQS's own message move task.
 */
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  SendMessageCommand,
  StartMessageMoveTaskCommand,
  type MessageAttributeValue,
} from '@aws-sdk/client-sqs';
import { dlqName, queueNames, type QueueName } from '#infra/topology';
import { sqsClient } from '#lib/clients';
import { scrubText } from '#lib/pii';
import { ATTR } from '#lib/batch/attributes';
import { auditKey } from '#lib/audit/key';
import type { AuditRecord } from '#lib/audit/record';
import { readCorrelation, writeAuditRecords } from '#lib/audit/store';
import { REDRIVE_STAGE, redriveRecord, viewDeadLetter } from '#ops/audit/redrive';
import { describeAll, holdMessages, PEEK_CAP, text, type DeadLetterSummary, type HeldMessage } from '#ops/dead-letters';
import { UsageError } from '#cli/connection';
import type { HubQueues } from '#cli/running-hub';

// Peeking and describing live in #ops/dead-letters (the hub's status and ops page use them too).
export {
  describeAll,
  describeDeadLetter,
  holdMessages,
  lastFailureOf,
  oldestSentAt,
  PEEK_CAP,
  type DeadLetterSummary,
  type Held,
  type HeldMessage,
} from '#ops/dead-letters';

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
