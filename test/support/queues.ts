/** Reading what the hub put on a queue that nothing consumes in a test. */
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Envelope } from '#contracts/envelope';

/** Receives (and deletes) messages until `count` arrived or `timeoutMs` passed. */
export const drain = async (sqs: SQSClient, queueUrl: string, count: number, timeoutMs = 20_000): Promise<Envelope[]> => {
  const got: Envelope[] = [];
  const deadline = Date.now() + timeoutMs;
  while (got.length < count && Date.now() < deadline) {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    if (Messages.length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      continue;
    }
    got.push(...Messages.map((m) => JSON.parse(m.Body!) as Envelope));
    await sqs.send(
      new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }),
    );
  }
  return got;
};
