import { describe, expect, it } from 'vitest';
import type { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchWrite, type WriteRequest } from '#lib/batch-write';
import { classifyError, TransientError } from '#lib/errors';

const TABLE = 'koto-hub-correlation';
const puts = (count: number): WriteRequest[] => Array.from({ length: count }, (_, i) => ({ PutRequest: { Item: { pk: 'P', sk: `S${i}` } } }));
const skOf = (request: WriteRequest) => ('PutRequest' in request ? request.PutRequest.Item.sk : request.DeleteRequest.Key.sk) as string;

/**
 * A table that answers BatchWriteItem: `unprocessed` says which of a request's writes it leaves
 * unprocessed (by the request's number, from 1). It records each request's writes and how many
 * requests were in flight at once.
 */
const table = (unprocessed: (request: number, writes: WriteRequest[]) => WriteRequest[] = () => []) => {
  const requests: WriteRequest[][] = [];
  let inFlight = 0;
  let mostInFlight = 0;
  const db = {
    send: async (command: BatchWriteCommand) => {
      const writes = command.input.RequestItems![TABLE] as WriteRequest[];
      requests.push(writes);
      const number = requests.length;
      inFlight++;
      mostInFlight = Math.max(mostInFlight, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight--;
      const left = unprocessed(number, writes);
      return left.length ? { UnprocessedItems: { [TABLE]: left } } : {};
    },
  } as unknown as Pick<DynamoDBDocumentClient, 'send'>;
  return { db, requests, mostInFlight: () => mostInFlight };
};

describe('writing many items with BatchWriteItem', () => {
  it('sends 25 writes a request, every write once, with no more requests in flight than asked', async () => {
    const t = table();
    await batchWrite(t.db, TABLE, puts(130), { inFlight: 3 });
    expect(t.requests.map((r) => r.length)).toEqual([25, 25, 25, 25, 25, 5]);
    expect(t.requests.flat().map(skOf).sort()).toEqual(puts(130).map(skOf).sort());
    expect(t.mostInFlight()).toBe(3);
  });

  it('sends no request for no writes', async () => {
    const t = table();
    await batchWrite(t.db, TABLE, []);
    expect(t.requests).toEqual([]);
  });

  it('sends the writes left unprocessed again, after a pause that grows, until all are written', async () => {
    const pauses: number[] = [];
    // The first two sends of the first request leave its last two writes unprocessed.
    const t = table((number, writes) => (number <= 2 && writes.length > 2 ? writes.slice(-2) : number === 2 ? writes : []));
    await batchWrite(t.db, TABLE, puts(25), { inFlight: 1, pause: async (ms) => void pauses.push(ms) });
    expect(t.requests.map((r) => r.map(skOf))).toEqual([puts(25).map(skOf), ['S23', 'S24'], ['S23', 'S24']]);
    expect(pauses).toEqual([50, 100]);
  });

  it('fails as a transient error, naming the table and not the items, when writes stay unprocessed', async () => {
    const t = table((_, writes) => writes.slice(0, 1));
    const failure = await batchWrite(t.db, TABLE, puts(3), { attempts: 3, pause: async () => undefined }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TransientError);
    expect(classifyError(failure)).toMatchObject({ kind: 'transient', code: 'unprocessed-writes' });
    expect((failure as Error).message).toBe(`1 writes to ${TABLE} were left unprocessed 3 times`);
    expect(t.requests).toHaveLength(3);
  });

  it('sends deletes as they are given', async () => {
    const t = table();
    await batchWrite(t.db, TABLE, [{ DeleteRequest: { Key: { pk: 'P', sk: 'S1' } } }]);
    expect(t.requests).toEqual([[{ DeleteRequest: { Key: { pk: 'P', sk: 'S1' } } }]]);
  });
});
