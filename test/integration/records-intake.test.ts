/**
 * Municipal records through the embedded runtime: the demo client `vaasa-905` posts them over
 * mutual TLS, `records-intake` judges them by the plan rules, and each is answered once in Vaasa's
 * inbox with `record.acknowledged.v1` naming field and rule, never a value.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Envelope } from '#contracts/envelope';
import type { MunicipalRecord, RecordAcknowledgedV1 } from '#contracts/messages/records';
import { DEMO_CLIENT } from '#infra/local/local-clients';
import { eventually, startTestHub, type TestHub } from '../support/hub.ts';
import { inboxEnvelopes } from '../support/inbox.ts';
import { assessmentRecord, planRecord, RECORD_HETU, recordEnvelope, reviewRecord } from '../support/records.ts';

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub({ municipalities: ['905', '091'] });
});
afterAll(async () => {
  await hub?.stop();
});

let serial = 0;
/** Record ids of their own for each test, so the tests share one hub without sharing a record. */
const ids = () => {
  serial += 1;
  return { plan: `SUU-T${serial}`, review: `TAR-T${serial}`, assessment: `ARV-T${serial}` };
};

const post = async (record: MunicipalRecord) => {
  const envelope = recordEnvelope(record);
  const response = await hub.post(envelope, DEMO_CLIENT);
  expect(response.status).toBe(202);
  return envelope;
};

const acksOf = async (recordId: string): Promise<RecordAcknowledgedV1[]> =>
  (await inboxEnvelopes(hub, '905'))
    .filter((e): e is Envelope<RecordAcknowledgedV1> => e.type === 'record.acknowledged.v1' && (e.payload as RecordAcknowledgedV1).recordId === recordId)
    .map((e) => e.payload);

const ackOf = (recordId: string) =>
  eventually(async () => (await acksOf(recordId))[0], `the acknowledgement of ${recordId}`);

const settled = async (correlationId: string) =>
  eventually(async () => (await hub.auditOf(correlationId)).find((r) => r.stage === 'records-intake'), 'the records-intake hop');

describe('municipal records into records-intake', () => {
  it('accepts a plan and answers it once in the sender’s inbox, with no identity code in the answer', async () => {
    const id = ids();
    await post(planRecord({ recordId: id.plan }));
    const ack = await ackOf(id.plan);
    expect(ack).toEqual({ recordType: 'record.plan.v1', recordId: id.plan, outcome: 'accepted', findings: [] });
    const inbox = JSON.stringify(await inboxEnvelopes(hub, '905'));
    expect(inbox).not.toContain(RECORD_HETU);
  });

  it('refuses a plan longer than two years without an exception reason, naming the field and the rule', async () => {
    const id = ids();
    await post(planRecord({ recordId: id.plan, validFrom: '2026-03-02', validUntil: '2028-03-02' }));
    const ack = await ackOf(id.plan);
    expect(ack.outcome).toBe('refused');
    expect(ack.findings).toEqual([expect.objectContaining({ code: 'PLAN_TOO_LONG', field: 'validUntil', rule: 'plan rule 1' })]);
    expect(JSON.stringify(ack)).not.toMatch(/2028|2026/);
  });

  it('accepts a review more than six months after the plan started and flags it REVIEW_LATE', async () => {
    const id = ids();
    await post(planRecord({ recordId: id.plan, validFrom: '2026-01-05', validUntil: '2026-12-31' }));
    await ackOf(id.plan);
    await post(reviewRecord({ recordId: id.review, planRecordId: id.plan, date: '2026-07-20', madeAt: '2026-07-20T10:00:00+03:00' }));
    const ack = await ackOf(id.review);
    expect(ack.outcome).toBe('accepted');
    expect(ack.findings).toEqual([expect.objectContaining({ code: 'REVIEW_LATE', field: 'date', rule: 'plan rule 2' })]);
  });

  it('holds a review posted before its plan and answers it once the plan is accepted', async () => {
    const id = ids();
    const early = await post(reviewRecord({ recordId: id.review, planRecordId: id.plan }));
    expect((await settled(early.correlationId)).outcome).toBe('record-waiting');
    expect(await acksOf(id.review)).toEqual([]);

    await post(planRecord({ recordId: id.plan }));
    expect((await ackOf(id.review)).outcome).toBe('accepted');
    expect((await ackOf(id.plan)).outcome).toBe('accepted');
    const inbox = (await inboxEnvelopes(hub, '905')).map((e) => (e.payload as RecordAcknowledgedV1).recordId);
    // The plan's answer before its review's, each once.
    expect(inbox.filter((r) => r === id.plan || r === id.review)).toEqual([id.plan, id.review]);
  });

  it('answers a second post of the same record with nothing, and a changed record under its id with RECORD_CHANGED', async () => {
    const id = ids();
    await post(assessmentRecord({ recordId: id.assessment }));
    await ackOf(id.assessment);
    const again = await post(assessmentRecord({ recordId: id.assessment }));
    expect((await settled(again.correlationId)).outcome).toBe('record-duplicate');
    expect(await acksOf(id.assessment)).toHaveLength(1);

    const changed = await post(assessmentRecord({ recordId: id.assessment, completed: false }));
    expect((await settled(changed.correlationId)).outcome).toBe('record-changed');
    const acks = await eventually(async () => ((await acksOf(id.assessment)).length === 2 ? acksOf(id.assessment) : undefined), 'the second answer');
    expect(acks[1]).toMatchObject({ outcome: 'refused', findings: [{ code: 'RECORD_CHANGED', field: 'recordId' }] });
  });

  it('refuses at the door a record for a municipality that is not the sender’s', async () => {
    const envelope = { ...recordEnvelope({ ...assessmentRecord({ recordId: ids().assessment }), municipality: '091' }), source: 'municipality:905' };
    const response = await hub.post(envelope, DEMO_CLIENT);
    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({ error: 'forbidden', rule: 'municipality-not-yours' });
  });
});
