/**
 * Two reviews of one plan judged at the same moment (records-intake runs two at once): each reads
 * the plan before the other is added to it. Against real dynalite, a barrier holds both until both
 * have read; the review whose write lands second must be judged again with the first in its plan,
 * as if they had come one after the other.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { localTableName } from '#infra/local/dynamodb';
import { intakeStore } from '#functions/records/intake';
import { recordViite } from '#functions/records/viite';
import { planRecord, reviewRecord } from '../support/records.ts';
import { startBareDynamo, type BareDynamo } from '../support/bare-dynamo.ts';

let dynamo: BareDynamo;
const table = localTableName('correlation');
const now = () => new Date('2027-03-01T08:00:00Z');

beforeAll(async () => {
  dynamo = await startBareDynamo();
});
afterAll(async () => dynamo?.close());

/**
 * The document client as each review sees it: its first read of the plan waits until both reviews
 * have read it, and `first`'s write of a review goes before `second`'s.
 */
const racing = (db: DynamoDBDocumentClient, readers: number) => {
  let read = 0;
  let bothRead!: () => void;
  const barrier = new Promise<void>((resolve) => (bothRead = resolve));
  let firstWritten!: () => void;
  const firstWrite = new Promise<void>((resolve) => (firstWritten = resolve));
  const clientFor = (role: 'first' | 'second'): DynamoDBDocumentClient => {
    let waited = false;
    return {
      send: async (command: unknown) => {
        const isPlanRead = command instanceof GetCommand && String(command.input.Key?.sk).startsWith('PLAN#');
        const isReviewWrite = command instanceof UpdateCommand && String(command.input.UpdateExpression).includes('reviews.');
        if (isReviewWrite && role === 'second') await firstWrite;
        const answer = await db.send(command as never);
        if (isReviewWrite && role === 'first') firstWritten();
        if (isPlanRead && !waited) {
          waited = true;
          read += 1;
          if (read === readers) bothRead();
          await barrier;
        }
        return answer;
      },
    } as unknown as DynamoDBDocumentClient;
  };
  return clientFor;
};

describe('two reviews of one plan at the same moment', () => {
  it('judges the review whose write comes second with the first in its plan: a review five months after the first is not late', async () => {
    const plan = planRecord({ recordId: 'SUU-RACE', validFrom: '2026-03-02', validUntil: '2027-12-31' });
    const store = (db: DynamoDBDocumentClient) => intakeStore({ db, table, now });
    expect((await store(dynamo.documents).take(plan, 'm-plan')).outcome).toBe('accepted');

    // Judged alone, the second (2027-01-31) is eleven months after the plan began: late.
    const early = reviewRecord({ recordId: 'TAR-RACE-1', planRecordId: 'SUU-RACE', date: '2026-08-31' });
    const later = reviewRecord({ recordId: 'TAR-RACE-2', planRecordId: 'SUU-RACE', date: '2027-01-31', madeAt: '2027-01-31T10:00:00+02:00' });
    const clientFor = racing(dynamo.documents, 2);
    const [a, b] = await Promise.all([store(clientFor('first')).take(early, 'm-early'), store(clientFor('second')).take(later, 'm-later')]);

    expect(a.outcome).toBe('accepted');
    expect(b.outcome).toBe('accepted');
    const flags = (result: typeof a) => result.writes.flatMap((w) => w.payload.flags.map((f) => f.code));
    expect(flags(a)).toEqual([]);
    expect(flags(b)).toEqual([]);
    const { Item } = await dynamo.documents.send(new GetCommand({ TableName: table, Key: { pk: 'RECORDS#905', sk: `PLAN#${recordViite(plan)}` } }));
    expect(Object.keys(Item!.reviews as object).sort()).toEqual([recordViite(early), recordViite(later)].sort());
    expect(Item!.version).toBe(2);
  });
});

describe('a review that begins to wait as its plan is accepted', () => {
  it('releases itself when the plan’s release ran before its waiting item was written, and is answered once', async () => {
    const plan = planRecord({ recordId: 'SUU-WAIT', validFrom: '2026-03-02', validUntil: '2027-03-01' });
    const review = reviewRecord({ recordId: 'TAR-WAIT', planRecordId: 'SUU-WAIT', date: '2026-08-31' });
    const db = dynamo.documents;
    const signal = () => {
      let fire!: () => void;
      const fired = new Promise<void>((resolve) => (fire = resolve));
      return { fire, fired };
    };
    const reviewLooked = signal();
    const planReleased = signal();
    const isPlanItem = (command: unknown) => command instanceof PutCommand && String(command.input.Item?.sk).startsWith('PLAN#');
    const isWaitingQuery = (command: unknown) => command instanceof QueryCommand && String(command.input.ExpressionAttributeValues?.[':p']).includes('#WAITING#');
    const isWaitingItem = (command: unknown) => command instanceof PutCommand && String(command.input.Item?.pk).includes('#WAITING#');
    // The plan is written only after the review found no plan; the review's waiting item only after the plan's release looked.
    const planDb = {
      send: async (command: unknown) => {
        if (isPlanItem(command)) await reviewLooked.fired;
        const answer = await db.send(command as never);
        if (isWaitingQuery(command)) planReleased.fire();
        return answer;
      },
    } as unknown as DynamoDBDocumentClient;
    let looked = false;
    const reviewDb = {
      send: async (command: unknown) => {
        if (isWaitingItem(command)) await planReleased.fired;
        const answer = await db.send(command as never);
        if (!looked && command instanceof GetCommand && String(command.input.Key?.sk).startsWith('PLAN#')) {
          looked = true;
          reviewLooked.fire();
        }
        return answer;
      },
    } as unknown as DynamoDBDocumentClient;

    const [planned, reviewed] = await Promise.all([
      intakeStore({ db: planDb, table, now }).take(plan, 'm-plan-wait'),
      intakeStore({ db: reviewDb, table, now }).take(review, 'm-review-wait'),
    ]);
    expect(planned.writes.map((w) => w.payload.viite)).toEqual([recordViite(plan)]);
    expect(reviewed.outcome).toBe('accepted');
    expect(reviewed.writes.map((w) => w.payload.viite)).toEqual([recordViite(review)]);
    // Redelivered, the review's message answers the same, once.
    const again = await intakeStore({ db, table, now }).take(review, 'm-review-wait');
    expect(again.writes.map((w) => w.payload.viite)).toEqual([recordViite(review)]);
    const { Item } = await db.send(new GetCommand({ TableName: table, Key: { pk: 'RECORDS#905', sk: `RECORD#${recordViite(review)}` } }));
    expect(Item!.status).toBe('accepted');
  });
});
