/**
 * The runner's view of a live queue's oldest message (the hub's status shows its age): what it has
 * received and not finished with, since a peek at a live queue would count as a receive.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { EventSourceRunner } from '#infra/local/runner';

const QUEUE = 'http://127.0.0.1:1/000000000000/referral-intake';

const message = (id: string, sentAt: number, receives: number): Message => ({
  MessageId: id,
  ReceiptHandle: `${id}-${receives}`,
  Body: '{}',
  Attributes: { SentTimestamp: String(sentAt), ApproximateReceiveCount: String(receives) },
});

/** An SQS client that hands out the given batches one receive at a time, then nothing; records deletes. */
const fakeSqs = (batches: Message[][]) => {
  const deleted: string[] = [];
  const client = {
    send: async (command: unknown) => {
      if (command instanceof ReceiveMessageCommand) return { Messages: batches.shift() ?? [] };
      if (command instanceof DeleteMessageBatchCommand) {
        deleted.push(...(command.input.Entries ?? []).map((e) => e.ReceiptHandle!));
        return {};
      }
      throw new Error('unexpected command');
    },
  };
  return { client: client as unknown as SQSClient, deleted };
};

let runner: EventSourceRunner | undefined;
afterEach(async () => {
  await runner?.stop();
  runner = undefined;
});

const bind = (sqs: SQSClient, handler: (event: SQSEvent) => Promise<SQSBatchResponse>) => {
  runner = new EventSourceRunner(sqs, 'eu-north-1', { idleMinMs: 5, idleMaxMs: 10 });
  runner.start({
    functionName: 'referral-intake',
    queueUrl: QUEUE,
    queueArn: 'arn:aws:sqs:eu-north-1:000000000000:referral-intake',
    batchSize: 10,
    maxConcurrency: 1,
    timeoutSeconds: 5,
    memoryMb: 128,
    maxReceiveCount: 3,
    handler,
  });
  return runner;
};

describe('the oldest unfinished message of a queue', () => {
  it('is the oldest message being handled, then the one left for a retry, and none once it is done', async () => {
    let finish: (response: SQSBatchResponse) => void = () => undefined;
    const { client, deleted } = fakeSqs([[message('a', 1_000, 1), message('b', 2_000, 1)], [message('b', 2_000, 2)]]);
    const handled: string[][] = [];
    const r = bind(client, (event) => {
      handled.push(event.Records.map((record) => record.messageId));
      return new Promise((resolve) => (finish = resolve));
    });
    expect(r.oldestUnfinished(QUEUE)).toBeUndefined();

    await vi.waitFor(() => expect(handled).toHaveLength(1));
    expect(r.oldestUnfinished(QUEUE)).toBe(1_000);
    finish({ batchItemFailures: [{ itemIdentifier: 'b' }] });
    await vi.waitFor(() => expect(handled).toHaveLength(2));
    // a was deleted; b waits for (and is now in) its retry.
    expect(deleted).toEqual(['a-1']);
    expect(r.oldestUnfinished(QUEUE)).toBe(2_000);
    finish({ batchItemFailures: [] });
    await vi.waitFor(() => expect(deleted).toEqual(['a-1', 'b-2']));
    expect(r.oldestUnfinished(QUEUE)).toBeUndefined();
  });

  it('forgets a message that failed its last receive: SQS moves it to the DLQ, whose age the status peeks', async () => {
    const { client } = fakeSqs([[message('c', 3_000, 3)]]);
    let done = false;
    const r = bind(client, async (event) => {
      done = true;
      return { batchItemFailures: event.Records.map((record) => ({ itemIdentifier: record.messageId })) };
    });
    await vi.waitFor(() => expect(done).toBe(true));
    await vi.waitFor(() => expect(r.stats.get('referral-intake')!.invocations).toBe(1));
    expect(r.oldestUnfinished(QUEUE)).toBeUndefined();
  });
});
