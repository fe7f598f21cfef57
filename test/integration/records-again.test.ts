/**
 * A municipal record sent again, and a step that fails half-way, against real dynalite: a record
 * refused later — by its plan's release, by the watch's UNKNOWN_PLAN, by its store — may come again
 * and is judged anew; a message that failed after it began to wait is not judged a second time;
 * the watch that failed before it raised a refusal raises it on its next run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Envelope } from '#contracts/envelope';
import type { MunicipalRecord } from '#contracts/messages/records';
import { localTableName } from '#infra/local/dynamodb';
import { intakeStore } from '#functions/records/intake';
import { refuseExpiredWaits, type ReviewWatchDeps } from '#functions/records/review-watch';
import { recordViite } from '#functions/records/viite';
import { planRecord, reviewRecord } from '../support/records.ts';
import { startBareDynamo, type BareDynamo } from '../support/bare-dynamo.ts';

let dynamo: BareDynamo;
const table = localTableName('correlation');
let now = new Date('2026-09-01T08:00:00Z');
const store = (db?: DynamoDBDocumentClient) => intakeStore({ db: db ?? dynamo.documents, table, now: () => now });

beforeAll(async () => {
  dynamo = await startBareDynamo();
});
afterAll(async () => dynamo?.close());

const item = async (sk: string, pk = 'RECORDS#905') => (await dynamo.documents.send(new GetCommand({ TableName: table, Key: { pk, sk }, ConsistentRead: true }))).Item;
const recordItem = (record: MunicipalRecord) => item(`RECORD#${recordViite(record)}`);
const codes = (result: { acks: readonly { findings: readonly { code: string }[] }[] }) => result.acks.flatMap((a) => a.findings.map((f) => f.code));

describe('a record refused after it was taken comes again', () => {
  it('judges anew the corrected review its plan’s release refused, instead of RECORD_CHANGED', async () => {
    const review = reviewRecord({ recordId: 'TAR-AGAIN-1', planRecordId: 'SUU-AGAIN-1', date: '2026-08-31' });
    expect((await store().take(review, 'again-1-review')).outcome).toBe('waiting');
    // The plan ended on 30 June: the review after it is refused when the plan releases it.
    const plan = await store().take(planRecord({ recordId: 'SUU-AGAIN-1', validFrom: '2026-03-02', validUntil: '2026-06-30' }), 'again-1-plan');
    expect(codes(plan)).toEqual(['REVIEW_OUTSIDE_PLAN']);
    expect(await recordItem(review)).toMatchObject({ outcome: 'waiting', status: 'refused' });

    const corrected = reviewRecord({ recordId: 'TAR-AGAIN-1', planRecordId: 'SUU-AGAIN-1', date: '2026-06-15' });
    const again = await store().take(corrected, 'again-1-corrected');
    expect(again.outcome).toBe('accepted');
    expect(again.writes.map((w) => w.payload.viite)).toEqual([recordViite(corrected)]);
    expect(await recordItem(corrected)).toMatchObject({ messageId: 'again-1-corrected', status: 'accepted', payload: corrected.payload });
    // And once accepted, a changed copy is RECORD_CHANGED again.
    expect(codes(await store().take(review, 'again-1-third'))).toEqual(['RECORD_CHANGED']);
  });

  it('lets the review refused UNKNOWN_PLAN wait again, unchanged, and answers it when its plan comes', async () => {
    const review = reviewRecord({ recordId: 'TAR-AGAIN-2', planRecordId: 'SUU-AGAIN-2', date: '2026-08-31' });
    expect((await store().take(review, 'again-2-review')).outcome).toBe('waiting');
    const raised: Envelope[] = [];
    const deps: ReviewWatchDeps = { db: dynamo.documents, table, raise: async (events) => void raised.push(...events) };
    expect(await refuseExpiredWaits(['905'], '2026-09-09', deps)).toBe(1);
    expect(raised.map((e) => (e.payload as { findings: { code: string }[] }).findings[0]!.code)).toEqual(['UNKNOWN_PLAN']);

    // The municipality sends the same review again, now that it knows the plan is missing; then the plan.
    now = new Date('2026-09-10T08:00:00Z');
    expect((await store().take(review, 'again-2-resent')).outcome).toBe('waiting');
    expect(await item(`WAITS#${recordViite(review)}`)).toBeDefined();
    const plan = await store().take(planRecord({ recordId: 'SUU-AGAIN-2', validFrom: '2026-03-02', validUntil: '2027-12-31' }), 'again-2-plan');
    expect(plan.writes.map((w) => w.payload.viite)).toContain(recordViite(review));
    expect(await recordItem(review)).toMatchObject({ messageId: 'again-2-resent', status: 'accepted' });
    now = new Date('2026-09-01T08:00:00Z');
  });

  it('takes the corrected copy of a plan its store refused, in the refused plan’s place', async () => {
    const refusedPlan = planRecord({ recordId: 'SUU-AGAIN-3', validFrom: '2026-03-02', validUntil: '2028-03-01', exceptionReason: 'the customer’s studies need longer' });
    expect((await store().take(refusedPlan, 'again-3-plan')).outcome).toBe('accepted');
    // The store's own rule refused it (a 422), as the writer records it.
    const key = { pk: 'RECORDS#905', sk: `PLAN#${recordViite(refusedPlan)}` };
    await dynamo.documents.send(new UpdateCommand({ TableName: table, Key: key, UpdateExpression: 'SET storeRefused = :t', ExpressionAttributeValues: { ':t': true } }));
    await dynamo.documents.send(
      new UpdateCommand({ TableName: table, Key: { pk: 'RECORDS#905', sk: `RECORD#${recordViite(refusedPlan)}` }, UpdateExpression: 'SET #s = :s', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':s': 'refused' } }),
    );

    const corrected = planRecord({ recordId: 'SUU-AGAIN-3', validFrom: '2026-03-02', validUntil: '2027-03-01' });
    expect((await store().take(corrected, 'again-3-corrected')).outcome).toBe('accepted');
    const planItem = await item(key.sk);
    expect(planItem).toMatchObject({ validUntil: '2027-03-01', hasExceptionReason: false });
    expect(planItem).not.toHaveProperty('storeRefused');
  });
});

describe('a step that failed half-way, taken again', () => {
  it('does not judge again a review whose message failed after it began to wait: its plan answered it, once', async () => {
    const review = reviewRecord({ recordId: 'TAR-AGAIN-4', planRecordId: 'SUU-AGAIN-4', date: '2026-08-31' });
    // The review's message fails at its last write, the record's own item.
    let failed = false;
    const failing = {
      send: async (command: unknown) => {
        const isRecordWrite = command instanceof UpdateCommand && String(command.input.Key?.sk).startsWith('RECORD#');
        if (!failed && isRecordWrite) {
          failed = true;
          throw Object.assign(new Error('throttled'), { name: 'ThrottlingException' });
        }
        return dynamo.documents.send(command as never);
      },
    } as unknown as DynamoDBDocumentClient;
    await expect(store(failing).take(review, 'again-4-review')).rejects.toThrow('throttled');
    expect(failed).toBe(true);

    // Its plan comes during the back-off and releases it: accepted, its write sent with the plan's.
    const plan = await store().take(planRecord({ recordId: 'SUU-AGAIN-4', validFrom: '2026-03-02', validUntil: '2027-12-31' }), 'again-4-plan');
    expect(plan.writes.map((w) => w.payload.viite)).toEqual([recordViite(planRecord({ recordId: 'SUU-AGAIN-4' })), recordViite(review)]);

    // The review's message again: it says what became of it, and answers nothing a second time.
    const again = await store().take(review, 'again-4-review');
    expect(again).toEqual({ outcome: 'accepted', acks: [], writes: [] });
    expect(await recordItem(review)).toMatchObject({ messageId: 'again-4-review', type: 'record.plan-review.v1', status: 'accepted' });
  });

  it('raises on its next run the UNKNOWN_PLAN refusal a run failed to raise after marking it, the same message', async () => {
    const review = reviewRecord({ recordId: 'TAR-AGAIN-5', planRecordId: 'SUU-AGAIN-5', date: '2026-08-31' });
    expect((await store().take(review, 'again-5-review')).outcome).toBe('waiting');
    const raised: Envelope[] = [];
    let throttle = true;
    const deps: ReviewWatchDeps = {
      db: dynamo.documents,
      table,
      raise: async (events) => {
        if (throttle) throw new Error('SQS throttled');
        raised.push(...events);
      },
    };
    await expect(refuseExpiredWaits(['905'], '2026-09-09', deps)).rejects.toThrow('SQS throttled');
    expect(await item(`WAITS#${recordViite(review)}`)).toBeDefined();

    throttle = false;
    expect(await refuseExpiredWaits(['905'], '2026-09-10', deps)).toBe(1);
    expect(raised).toHaveLength(1);
    expect(raised[0]).toMatchObject({ type: 'record.acknowledged.v1', occurredAt: '2026-09-09T00:00:00.000Z', payload: { recordId: 'TAR-AGAIN-5', outcome: 'refused' } });
    expect(await recordItem(review)).toMatchObject({ status: 'refused' });
    expect(await item(`WAITS#${recordViite(review)}`)).toBeUndefined();
    expect(await refuseExpiredWaits(['905'], '2026-09-11', deps)).toBe(0);
  });
});

describe('the day a record is checked on', () => {
  it('is the day in Finland: a record dated today is not in the future at 01:30 Finnish time', async () => {
    now = new Date('2026-05-09T22:30:00Z');
    const plan = planRecord({ recordId: 'SUU-AGAIN-6', madeAt: '2026-05-10T01:15:00+03:00', validFrom: '2026-05-10', validUntil: '2027-05-09' });
    const taken = await store().take(plan, 'again-6-plan');
    now = new Date('2026-09-01T08:00:00Z');
    expect(codes(taken)).not.toContain('DATE_IN_FUTURE');
    expect(taken.outcome).toBe('accepted');
  });
});
