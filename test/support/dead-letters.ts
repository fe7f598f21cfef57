/**
 * Reading a DLQ in a test: the dead letter of one message, with the attributes the hub set on it.
 * `takeDeadLetter` deletes every message it receives and keeps it aside, so that dead letters of
 * several tests can be told apart however many pile up in one DLQ; `peekDeadLetters` leaves them.
 */
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type Message } from '@aws-sdk/client-sqs';
import type { Envelope } from '#contracts/envelope';
import type { QueueName } from '#infra/topology';
import type { Runtime } from '#infra/local/runtime';
import { holdMessages, PEEK_CAP, type HeldMessage } from '#ops/dead-letters';

const seen = new Map<string, Message>();

const messageIdOf = (message: Message): string | undefined => {
  try {
    return (JSON.parse(message.Body ?? '') as { messageId?: string }).messageId;
  } catch {
    return undefined;
  }
};

/** Receives from the DLQ of `queue` until the dead letter of `messageId` is there; undefined after `timeoutMs`. */
export const takeDeadLetter = async (hub: Runtime, queue: QueueName, messageId: string, timeoutMs = 10_000): Promise<Message | undefined> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = seen.get(messageId);
    if (found) return found;
    const { Messages = [] } = await hub.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: hub.queues.dlq[queue],
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        MessageAttributeNames: ['All'],
        AttributeNames: ['All'],
      }),
    );
    for (const message of Messages) {
      const id = messageIdOf(message);
      if (id) seen.set(id, message);
    }
    if (Messages.length > 0) {
      await hub.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: hub.queues.dlq[queue],
          Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
        }),
      );
      continue;
    }
    if (Date.now() > deadline) return undefined;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

/** A string message attribute of a dead letter (`koto.failureCode`, `koto.failureReason`, …). */
export const attributeOf = (message: Message | undefined, name: string): string | undefined => message?.MessageAttributes?.[name]?.StringValue;

/** The dead letters in the DLQ of `queue` whose envelope `matches`, looked at without taking them (a redrive can still find them). */
export const peekDeadLetters = async (hub: Runtime, queue: QueueName, matches: (envelope: Envelope) => boolean): Promise<HeldMessage[]> => {
  const held = await holdMessages(hub.queues.dlq[queue]!, PEEK_CAP, hub.sqs);
  await held.release();
  return held.messages.filter((message) => {
    try {
      return matches(JSON.parse(message.body) as Envelope);
    } catch {
      return false;
    }
  });
};
