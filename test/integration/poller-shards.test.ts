/**
 * The poller's shard cursors and sharded follow lists on a real DynamoDB API (dynalite): a split
 * freezes the parent and stores both halves at its key, a repeated split finishes an interrupted
 * one, a frozen shard's key never moves again, and a shard's follow list holds exactly the codes
 * whose keyed hash begins with its bits.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeleteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { makeHetu } from '#contracts/hetu';
import { localTableName } from '#infra/local/dynamodb';
import { startBareDynamo, type BareDynamo } from '../support/bare-dynamo.ts';
import { FOLLOW_DAYS, followedCodes, followPersons, hashInShard } from '#lib/follow-list';
import { cursorKey, dynamoCursorStore } from '#functions/vtj-change-poller/cursor-store';
import { createHmac } from 'node:crypto';

let bare: BareDynamo;
let db: DynamoDBDocumentClient;
const table = localTableName('correlation');
const hash = async (hetu: string) => createHmac('sha256', 'test-key').update(hetu).digest('hex');

beforeAll(async () => {
  bare = await startBareDynamo();
  db = bare.documents;
});
afterAll(async () => {
  await bare?.close();
});

describe('shard cursors and sharded follow lists', () => {
  it('splits a shard in two at its key, freezes it, and finishes a split a crash interrupted', async () => {
    const cursors = dynamoCursorStore(db, table);
    expect(await cursors.advance('905', undefined, 1000)).toBe(true);
    expect(await cursors.split('905', '', 999)).toBe(false);
    expect(await cursors.split('905', '', 1000)).toBe(true);
    expect(await cursors.advance('905', 1000, 1001)).toBe(false);
    expect((await cursors.shards('905')).map((s) => [s.shard, s.key, s.split]).sort()).toEqual([
      ['', 1000, true],
      ['0', 1000, false],
      ['1', 1000, false],
    ]);
    expect(await cursors.advance('905', 1000, 1005, '1')).toBe(true);
    expect(await cursors.read('905', '1')).toBe(1005);

    // A crash after freezing '1' and storing only its first half: splitting again stores the other.
    expect(await cursors.split('905', '1', 1005)).toBe(true);
    await db.send(new DeleteCommand({ TableName: table, Key: cursorKey('905', '11') }));
    expect(await cursors.split('905', '1', 1005)).toBe(true);
    expect((await cursors.shards('905')).filter((s) => !s.split).map((s) => [s.shard, s.key]).sort()).toEqual([
      ['0', 1000],
      ['10', 1005],
      ['11', 1005],
    ]);
  });

  it('gives each shard exactly the followed codes whose keyed hash begins with its bits', async () => {
    const hetus = Array.from({ length: 120 }, (_, i) => makeHetu('1984-02-03', 2 + i));
    await followPersons('091', hetus, { db, table, hashHetu: hash });
    const all = await followedCodes('091', { db, table });
    expect(all).toEqual([...hetus].sort());
    for (const shard of ['0', '1', '01', '10110']) {
      const expected = (await Promise.all(hetus.map(async (h) => ((hashInShard(await hash(h), shard)) ? h : undefined)))).filter(Boolean).sort();
      expect(await followedCodes('091', { db, table }, shard), `shard ${shard}`).toEqual(expected);
    }
    const halves = [...(await followedCodes('091', { db, table }, '0')), ...(await followedCodes('091', { db, table }, '1'))];
    expect(halves.sort()).toEqual(all);
  });

  it('stops reading a shard once it holds more than asked for, leaving out lapsed follows', async () => {
    const hetus = Array.from({ length: 60 }, (_, i) => makeHetu('1977-05-06', 2 + i));
    const lapsed = Array.from({ length: 30 }, (_, i) => makeHetu('1977-05-07', 2 + i));
    await followPersons('837', hetus, { db, table, hashHetu: hash });
    await followPersons('837', lapsed, { db, table, hashHetu: hash, now: () => new Date(Date.now() - (FOLLOW_DAYS + 1) * 86_400_000) });
    const some = await followedCodes('837', { db, table }, '', 10);
    expect(some.length).toBeGreaterThan(10);
    expect(some.length).toBeLessThan(hetus.length);
    expect(some.every((h) => hetus.includes(h))).toBe(true);
    expect(await followedCodes('837', { db, table }, '', 59)).toHaveLength(60);
    expect(await followedCodes('837', { db, table }, '', 60)).toEqual([...hetus].sort());
  });
});
