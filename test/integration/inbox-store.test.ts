/**
 * The inbox table's writer against real dynalite, with a clock the test moves: once per message id,
 * in cursor order, and a number whose writer stalled is given up rather than filled late.
 */
import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEnvelope } from '#contracts/messages/registry';
import { localTableName } from '#infra/local/dynamodb';
import { MAX_CURSOR, pageFor, SETTLE_MS } from '#functions/inbox/cursor';
import { dynamoInboxStore, type InboxStore } from '#functions/inbox/store';
import { startBareDynamo, type BareDynamo } from '../support/bare-dynamo.ts';

let dynamo: BareDynamo;
let store: InboxStore;
let now = 1_800_000_000_000;
const table = localTableName('inbox');

beforeAll(async () => {
  dynamo = await startBareDynamo();
  store = dynamoInboxStore(dynamo.documents, table, () => now);
});
afterAll(async () => dynamo?.close());

const ready = (municipality: string) =>
  buildEnvelope(
    'outreach.list.ready.v1',
    { asOf: '2026-11-01', location: `${municipality}/run.json`, targets: 0, exclusions: {}, unresolved: 0 },
    { messageId: randomUUID(), correlationId: randomUUID(), causationId: null, source: 'hub', target: `municipality:${municipality}`, municipality },
  );

describe('the inbox store', () => {
  it('writes a message once however often it is appended, each municipality counting its own cursors', async () => {
    const first = ready('905');
    expect(await store.append(first)).toEqual({ seq: 1, duplicate: false });
    expect(await store.append(first)).toEqual({ seq: 1, duplicate: true });
    expect(await store.append(ready('091'))).toEqual({ seq: 1, duplicate: false });
    expect(await store.append(ready('905'))).toEqual({ seq: 2, duplicate: false });
    expect((await store.after('905', 0, 10)).map((e) => e.seq)).toEqual([1, 2]);
    expect((await store.after('905', 0, 10)).filter((e) => e.messageId === first.messageId)).toHaveLength(1);
    // A client that asks after the highest cursor there can be is given nothing, not an error.
    expect(await store.after('905', MAX_CURSOR, 10)).toEqual([]);
  });

  it('gives up the number of a writer that stalled past half the settling time, and readers pass the gap only once it is settled', async () => {
    const stalled = ready('837');
    // A writer took number 1 and stopped before writing its entry.
    await dynamo.documents.send(new PutCommand({ TableName: table, Item: { pk: '837', sk: 'SEQ', value: 1 } }));
    await dynamo.documents.send(new PutCommand({ TableName: table, Item: { pk: '837', sk: `ID#${stalled.messageId}`, seq: 1, reservedAt: now, written: false } }));
    const other = await store.append(ready('837'));
    expect(other.seq).toBe(2);
    // While number 1 may still be written, a reader stops before it.
    const young = pageFor(await store.after('837', 0, 10), { after: 0, limit: 10, now, receives: () => true });
    expect(young.messages).toEqual([]);

    now += SETTLE_MS / 2;
    // Redelivered after its number's time: it takes a new one rather than appear behind a reader.
    expect(await store.append(stalled)).toEqual({ seq: 3, duplicate: false });
    expect((await store.entry('837', 1))).toBeUndefined();

    now += SETTLE_MS;
    const settled = pageFor(await store.after('837', 0, 10), { after: 0, limit: 10, now, receives: () => true });
    expect(settled.messages.map((e) => e.seq)).toEqual([2, 3]);
    expect(settled.next).toBe(3);
  });

  it('moves an acknowledgement forward only', async () => {
    expect(await store.acknowledge('905', 'vaasa', 2)).toBe(2);
    expect(await store.acknowledge('905', 'vaasa', 1)).toBe(2);
    expect(await store.acknowledged('905', 'vaasa')).toBe(2);
    expect(await store.acknowledged('905', 'other')).toBe(0);
  });
});
