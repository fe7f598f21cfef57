/**
 * The rate limit shared by every instance that calls a register, through the `pacing` table on a
 * real DynamoDB API (dynalite): slots are reserved atomically, so instances that ask at the same
 * moment get distinct slots one interval apart, and the system's limit holds in all. Time is
 * virtual (a frozen or test-driven clock): what is checked is which slots were handed out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { localTableName } from '#infra/local/dynamodb';
import { startBareDynamo, type BareDynamo } from '../support/bare-dynamo.ts';
import { SharedRateLimiter, type Clock } from '#lib/rate-limit';
import { pacingOf } from '#lib/xroad';

let bare: BareDynamo;
let documents: DynamoDBDocumentClient;
const table = localTableName('pacing');

beforeAll(async () => {
  bare = await startBareDynamo();
  documents = bare.documents;
});
afterAll(async () => {
  await bare?.close();
});

/** Time that stands still unless the test moves it; a sleep returns at once and records the moment slept to. */
const frozenClock = (start: number) => {
  let now = start;
  const startedAt: number[] = [];
  const clock: Clock = {
    now: () => now,
    sleep: async (ms) => void startedAt.push(now + ms),
  };
  return { clock, startedAt, set: (t: number) => void (now = t) };
};

/** Each request's start: the moment its slot came (now, when it had already come). */
const startsOf = (limiter: SharedRateLimiter, clock: Clock, recorded: number[], count: number) =>
  Array.from({ length: count }, () =>
    limiter.acquire().then((granted) => {
      expect(granted).toBeDefined();
      return recorded.length > 0 ? recorded.shift()! : clock.now();
    }),
  );

describe('SharedRateLimiter on the pacing table', () => {
  it('gives three instances that ask at once distinct slots, one interval apart across all of them', async () => {
    const time = frozenClock(1_000_000);
    const instances = [0, 1, 2].map(() => new SharedRateLimiter({ documents, tableName: table, system: 'probe-a', perSecond: 10, marginMs: 50, block: 4, clock: time.clock }));
    await Promise.all(instances.flatMap((limiter) => Array.from({ length: 20 }, () => limiter.acquire())));
    // 60 requests; the first slot is now and needs no sleep, every other one waits for its slot.
    const slots = [1_000_000, ...time.startedAt].sort((a, b) => a - b);
    expect(slots).toHaveLength(60);
    const interval = 105;
    slots.forEach((slot, i) => expect(slot).toBeCloseTo(1_000_000 + i * interval, 6));
    const record = await documents.send(new GetCommand({ TableName: table, Key: { pk: 'PACING#probe-a' } }));
    expect(record.Item?.nextSlotAt).toBeCloseTo(1_000_000 + 60 * interval, 6);
    expect(record.Item?.expiresAt).toBeGreaterThan(1_000_000 / 1000);
  });

  it('starts again from now once the system has been idle, and drops a reserved slot that has passed rather than spend it late', async () => {
    const time = frozenClock(5_000_000);
    const limiter = new SharedRateLimiter({ documents, tableName: table, system: 'probe-b', perSecond: 2, marginMs: 0, block: 4, clock: time.clock });
    const first = await Promise.all(startsOf(limiter, time.clock, time.startedAt, 2));
    expect(first).toEqual([5_000_000, 5_000_500]);
    // An hour later: the block's two unused slots are long past; the next request starts now.
    time.set(8_600_000);
    const later = await Promise.all(startsOf(limiter, time.clock, time.startedAt, 2));
    expect(later).toEqual([8_600_000, 8_600_500]);
  });

  it('refuses at once, taking no slot, a request whose slot would only come after its deadline', async () => {
    const time = frozenClock(9_000_000);
    const limiter = new SharedRateLimiter({ documents, tableName: table, system: 'probe-c', perSecond: 1, marginMs: 0, block: 1, clock: time.clock });
    expect(await limiter.acquire(9_000_100)).toBeDefined();
    expect(await limiter.acquire(9_000_100)).toBeUndefined();
    expect(await limiter.acquire(9_001_000)).toBeDefined();
  });

  it('paces each county on a record of its own, at its own rate: a county whose next slot is far off holds no other county', async () => {
    const time = frozenClock(12_000_000);
    const pohjanmaa = pacingOf('wellbeing', { name: 'pohjanmaa', ratePerSecond: 0.5 });
    const helsinki = pacingOf('wellbeing', { name: 'helsinki' });
    expect([pohjanmaa, helsinki]).toEqual([
      { key: 'wellbeing:pohjanmaa', perSecond: 0.5 },
      { key: 'wellbeing:helsinki', perSecond: 5 },
    ]);
    const limiter = ({ key, perSecond }: { key: string; perSecond: number }) =>
      new SharedRateLimiter({ documents, tableName: table, system: key, perSecond, marginMs: 0, block: 1, clock: time.clock });
    const slow = limiter(pohjanmaa);
    expect(await Promise.all(startsOf(slow, time.clock, time.startedAt, 2))).toEqual([12_000_000, 12_002_000]);
    time.set(12_000_000);
    // Pohjanmaa's next slot is two seconds off; Helsinki's first is now, and its next at its own 5 a second.
    expect(await Promise.all(startsOf(limiter(helsinki), time.clock, time.startedAt, 2))).toEqual([12_000_000, 12_000_200]);
    const record = await documents.send(new GetCommand({ TableName: table, Key: { pk: 'PACING#wellbeing:pohjanmaa' } }));
    expect(record.Item?.nextSlotAt).toBe(12_004_000);
  });
});
