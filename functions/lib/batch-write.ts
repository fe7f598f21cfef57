/**
 * Any number of puts and deletes on one table as BatchWriteItem requests: 25 each (DynamoDB's
 * limit), a few in flight, the items DynamoDB leaves unprocessed (throttling, a partition busy)
 * sent again after a short, growing pause. Not atomic: each item is written or not on its own, so
 * the writes must be safe to make again, and a caller that gets the error makes them all again.
 */
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TransientError } from '#lib/errors';
import { withInFlight } from '#lib/in-flight';

export type WriteRequest = { readonly PutRequest: { readonly Item: Record<string, unknown> } } | { readonly DeleteRequest: { readonly Key: Record<string, unknown> } };

export interface BatchWriteOptions {
  /** Requests in flight at once. */
  readonly inFlight?: number;
  /** Sends of one request's items, the first included, before the writes count as failed. */
  readonly attempts?: number;
  /** Waits between sends of the unprocessed items; a test passes one that does not wait. */
  readonly pause?: (ms: number) => Promise<void>;
}

/** DynamoDB's limit of writes per BatchWriteItem. */
const PER_REQUEST = 25;
const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Writes every request; a write still unprocessed after the last attempt is a transient failure (the message is retried). */
export const batchWrite = async (
  db: Pick<DynamoDBDocumentClient, 'send'>,
  table: string,
  requests: readonly WriteRequest[],
  { inFlight = 4, attempts = 5, pause = wait }: BatchWriteOptions = {},
): Promise<void> => {
  const batches: WriteRequest[][] = [];
  for (let i = 0; i < requests.length; i += PER_REQUEST) batches.push(requests.slice(i, i + PER_REQUEST));
  await withInFlight(batches, inFlight, async (batch) => {
    let pending: readonly WriteRequest[] = batch;
    for (let attempt = 1; ; attempt++) {
      const result = await db.send(new BatchWriteCommand({ RequestItems: { [table]: [...pending] } }));
      pending = (result.UnprocessedItems?.[table] ?? []) as WriteRequest[];
      if (pending.length === 0) return;
      if (attempt >= attempts) throw new TransientError('unprocessed-writes', `${pending.length} writes to ${table} were left unprocessed ${attempts} times`);
      await pause(25 * 2 ** attempt);
    }
  });
};
