/**
 * Takes exactly the messages a test expects off a queue of the embedded runtime, deleting them, then
 * checks the queue has nothing more. It receives until `count` came rather than to the first empty
 * answer: a receive from local-aws-sqs (as from SQS) may come back empty while messages are queued.
 */
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type Message } from '@aws-sdk/client-sqs';
import { expect } from 'vitest';
import type { Envelope } from '#contracts/envelope';
import type { QueueName } from '#infra/topology';
import { eventually, type TestHub } from './hub.ts';

export const takeQueued = async (hub: TestHub, queue: QueueName, count: number): Promise<Message[]> => {
  const QueueUrl = hub.queues.queue[queue];
  const got: Message[] = [];
  const receive = async (): Promise<number> => {
    const { Messages = [] } = await hub.sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }));
    if (Messages.length === 0) return 0;
    got.push(...Messages);
    await hub.sqs.send(new DeleteMessageBatchCommand({ QueueUrl, Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
    return Messages.length;
  };
  // The wait is for the next message, not for all of them: thousands take as long as the machine's
  // load makes them, and only a queue that gives nothing more for a whole wait is a failure.
  while (got.length < count) await eventually(async () => ((await receive()) > 0 ? true : undefined), `message ${got.length + 1} of ${count} on ${queue}`);
  expect(await receive(), `more messages on ${queue} than the ${count} expected`).toBe(0);
  return got;
};

/**
 * Everything a queue held, taken off it and kept across calls: `of(correlationId)` gives what came
 * for one correlation so far (the operators' queue, which several tests' flows share).
 */
export const drainedQueue = (hub: () => TestHub, queue: QueueName) => {
  const taken: Envelope[] = [];
  return {
    async of(correlationId: string): Promise<Envelope[]> {
      const QueueUrl = hub().queues.queue[queue];
      for (;;) {
        const { Messages = [] } = await hub().sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
        if (Messages.length === 0) break;
        taken.push(...Messages.map((m) => JSON.parse(m.Body!) as Envelope));
        await hub().sqs.send(new DeleteMessageBatchCommand({ QueueUrl, Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
      }
      return taken.filter((e) => e.correlationId === correlationId);
    },
  };
};
