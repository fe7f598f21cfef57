/**
 * Municipal records through the embedded runtime: the demo client `vaasa-905` posts them over
 * mutual TLS, `records-intake` judges them by the plan rules, the writers store each accepted one
 * in Koto-AJ or the data store (mocks behind the security-server stand-in), and each is answered
 * once in Vaasa's inbox with `record.acknowledged.v1` naming field and rule, never a value.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeHetu } from '#contracts/hetu';
import { KOTOAJ_SERVICE, kotoAjPath } from '#contracts/kotoaj/wire';
import { toKotoAjWrite } from '#contracts/kotoaj/mapper';
import { recordViite } from '#functions/records/viite';
import type { Envelope } from '#contracts/envelope';
import type { MunicipalRecord, RecordAcknowledgedV1 } from '#contracts/messages/records';
import { DEMO_CLIENT } from '#infra/local/local-clients';
import { movableClock } from '../support/schedule-clock.ts';
import { eventually, startTestHub, type TestHub } from '../support/hub.ts';
import { inboxEnvelopes } from '../support/inbox.ts';
import { koto } from '../support/outreach-runs.ts';
import type { Trace, TraceNode } from '#ops/audit/trace';
import { assessmentRecord, completionRecord, planRecord, RECORD_HETU, recordEnvelope, reviewRecord } from '../support/records.ts';

/** The scheduler's clock: what day the review watch sees (the records' own checks use the day they arrive). */
const schedule = movableClock(Date.parse('2026-11-30T04:00:00Z'));

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub({ population: 'mocks/population/sample.json', municipalities: ['905', '091'], scheduleSeconds: 0, scheduleClock: schedule.clock });
});
afterEach(() => {
  hub.mocks!.kotoaj.faults.clear();
  hub.mocks!.datastore.faults.clear();
});
afterAll(async () => {
  await hub?.stop();
});

const flatten = (nodes: readonly TraceNode[]): TraceNode[] => nodes.flatMap((n) => [n, ...flatten(n.children)]);

let serial = 0;
/** Record ids of their own for each test, so the tests share one hub without sharing a record. */
const ids = () => {
  serial += 1;
  return { plan: `SUU-T${serial}`, review: `TAR-T${serial}`, assessment: `ARV-T${serial}`, completion: `PAL-T${serial}` };
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

/** How many times Koto-AJ stored the record's write (its mock counts first writes, not repeats). */
const storedInKotoAj = (record: MunicipalRecord): number => hub.mocks!.kotoaj.writes.filter((w) => w.viite === recordViite(record)).length;

/** The data store's successful writes (201) to a service. */
const datastoreWrites = (service: string): number =>
  hub.mocks!.datastore.requests.entries().filter((e) => e.route === `datastore.${service}` && e.status === 201).length;

describe('municipal records into records-intake', () => {
  it('accepts a plan and answers it once in the sender’s inbox, with no identity code in the answer', async () => {
    const id = ids();
    const plan = planRecord({ recordId: id.plan });
    await post(plan);
    const ack = await ackOf(id.plan);
    expect(ack).toEqual({ recordType: 'record.plan.v1', recordId: id.plan, outcome: 'accepted', findings: [] });
    expect(storedInKotoAj(plan)).toBe(1);
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

  it('stores each record type once in the store of the person’s status: a jobseeker’s in the data store, everyone else’s in Koto-AJ', async () => {
    const id = ids();
    const plans = datastoreWrites('plans');
    const assessments = datastoreWrites('assessments');
    // A jobseeker's plan with its first year, as the data store's own rules allow.
    await post(planRecord({ recordId: `${id.plan}-J`, jobseeker: true, validFrom: '2026-03-02', validUntil: '2027-03-01' }));
    await post(assessmentRecord({ recordId: `${id.assessment}-J`, jobseeker: true }));
    expect((await ackOf(`${id.plan}-J`)).outcome).toBe('accepted');
    expect((await ackOf(`${id.assessment}-J`)).outcome).toBe('accepted');
    expect(datastoreWrites('plans')).toBe(plans + 1);
    expect(datastoreWrites('assessments')).toBe(assessments + 1);

    const records = [
      planRecord({ recordId: id.plan }),
      assessmentRecord({ recordId: id.assessment }),
      reviewRecord({ recordId: id.review, planRecordId: id.plan }),
      completionRecord({ recordId: id.completion, planRecordId: id.plan }),
    ];
    for (const record of records) await post(record);
    for (const record of records) expect((await ackOf(record.payload.recordId)).outcome).toBe('accepted');
    expect(records.map(storedInKotoAj)).toEqual([1, 1, 1, 1]);
    const order = hub.mocks!.kotoaj.writes.map((w) => w.viite);
    expect(order.indexOf(recordViite(records[0]!))).toBeLessThan(order.indexOf(recordViite(records[2]!)));
  });

  it('retries a write the store answers 503 until it is stored, and acknowledges it once', async () => {
    const id = ids();
    hub.mocks!.kotoaj.faults.set([{ id: 'down', route: 'kotoaj.assessments', times: 2, effect: { kind: 'status', status: 503 } }]);
    const record = assessmentRecord({ recordId: id.assessment });
    await post(record);
    expect((await ackOf(id.assessment)).outcome).toBe('accepted');
    expect(hub.mocks!.kotoaj.faults.list()[0]!.fired).toBe(2);
    expect(storedInKotoAj(record)).toBe(1);
    expect(await acksOf(id.assessment)).toHaveLength(1);
  });

  it('ends a 409 from the store (another document under the same viite) as a refusal to the sender, not a retry loop', async () => {
    const id = ids();
    const record = assessmentRecord({ recordId: id.assessment });
    // Koto-AJ already holds another document under this record's viite.
    const other = toKotoAjWrite({ ...record, payload: { ...record.payload, completed: false } }, { viite: recordViite(record), planViite: null });
    const seeded = await fetch(`${hub.mocks!.kotoaj.url}${kotoAjPath('FI-TEST', 'assessments')}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-road-client': `FI-TEST/GOV/${KOTOAJ_SERVICE.memberCode}/test` },
      body: JSON.stringify(other.body),
    });
    expect(seeded.status).toBe(201);
    const envelope = await post(record);
    const ack = await ackOf(id.assessment);
    expect(ack).toMatchObject({ outcome: 'refused', findings: [{ code: 'RECORD_CHANGED', field: 'recordId', rule: 'record identity' }] });
    const writerHops = (await hub.auditOf(envelope.correlationId)).filter((r) => r.stage === 'kotoaj-writer');
    expect(writerHops.map((r) => r.outcome)).toEqual(['refused-changed']);
  });

  it('tells the sender which of the data store’s own rules refused a record (its 422 rule code), as a refusal, not a retry', async () => {
    const id = ids();
    // Within the hub's two years, over the data store's one-year first plan.
    const envelope = await post(planRecord({ recordId: id.plan, jobseeker: true, validFrom: '2026-03-02', validUntil: '2027-08-31' }));
    const ack = await ackOf(id.plan);
    expect(ack.outcome).toBe('refused');
    expect(ack.findings).toContainEqual(expect.objectContaining({ code: 'STORE_RULE', field: '(record)', rule: 'the national system’s rule FIRST_PLAN_OVER_ONE_YEAR' }));
    const writerHops = (await hub.auditOf(envelope.correlationId)).filter((r) => r.stage === 'datastore-writer');
    expect(writerHops.map((r) => r.outcome)).toEqual(['refused-refused']);
    expect(JSON.stringify(ack)).not.toContain(RECORD_HETU);
  });

  it('takes a plan its store refused again once corrected, and the review it refused PLAN_NOT_STORED again unchanged', async () => {
    const id = ids();
    // A person of this test's own, whom no other test's plan overlaps in the data store.
    const hetu = makeHetu('1990-02-03', 412);
    await post(planRecord({ recordId: id.plan, hetu, jobseeker: true, validFrom: '2026-03-02', validUntil: '2027-08-31' }));
    expect((await ackOf(id.plan)).findings.map((f) => f.rule)).toEqual(['the national system’s rule FIRST_PLAN_OVER_ONE_YEAR']);
    const review = reviewRecord({ recordId: id.review, planRecordId: id.plan, hetu, jobseeker: true });
    await post(review);
    expect((await ackOf(id.review)).findings.map((f) => f.code)).toEqual(['PLAN_NOT_STORED']);

    // The corrected plan under the same identifier, within the store's year; then the same review again.
    await post(planRecord({ recordId: id.plan, hetu, jobseeker: true, validFrom: '2026-03-02', validUntil: '2027-03-01' }));
    const planAcks = await eventually(async () => ((await acksOf(id.plan)).length === 2 ? acksOf(id.plan) : undefined), 'the corrected plan’s answer');
    expect(planAcks.map((a) => a.outcome)).toEqual(['refused', 'accepted']);
    await post(review);
    const reviewAcks = await eventually(async () => ((await acksOf(id.review)).length === 2 ? acksOf(id.review) : undefined), 'the review’s second answer');
    expect(reviewAcks.map((a) => a.outcome)).toEqual(['refused', 'accepted']);
  });

  it('sends a review whose plan’s write dead-lettered after it into the dead-letter queue, and a redrive of the plan, then the review, stores both in order', async () => {
    const id = ids();
    hub.mocks!.kotoaj.faults.set([{ id: 'broken', route: 'kotoaj.plans', effect: { kind: 'status', status: 400 } }]);
    const plan = planRecord({ recordId: id.plan });
    const review = reviewRecord({ recordId: id.review, planRecordId: id.plan });
    const planEnvelope = await post(plan);
    const reviewEnvelope = await post(review);
    const deadLetter = (correlationId: string) =>
      eventually(async () => (await hub.auditOf(correlationId)).find((r) => r.stage === 'kotoaj-writer' && r.outcome === 'dead-letter'), 'a kotoaj-writer dead letter');
    await deadLetter(planEnvelope.correlationId);
    const reviewDead = await deadLetter(reviewEnvelope.correlationId);
    expect(reviewDead.reason).toContain('redrive the plan first, then this record');
    expect(reviewDead.reason).not.toContain(RECORD_HETU);
    expect(await acksOf(id.review)).toEqual([]);

    hub.mocks!.kotoaj.faults.clear();
    const shown = await koto(hub, ['dlq', 'show', 'kotoaj-writes', '--json']);
    expect(shown.code, shown.err).toBe(0);
    const { messages } = JSON.parse(shown.out) as { messages: { correlationId: string; messageId: string }[] };
    const idOf = (correlationId: string) => messages.find((m) => m.correlationId === correlationId)!.messageId;
    expect((await koto(hub, ['dlq', 'redrive', 'kotoaj-writes', '--message', idOf(planEnvelope.correlationId)])).code).toBe(0);
    expect((await ackOf(id.plan)).outcome).toBe('accepted');
    expect((await koto(hub, ['dlq', 'redrive', 'kotoaj-writes', '--message', idOf(reviewEnvelope.correlationId)])).code).toBe(0);
    expect((await ackOf(id.review)).outcome).toBe('accepted');
    expect([plan, review].map(storedInKotoAj)).toEqual([1, 1]);
    const order = hub.mocks!.kotoaj.writes.map((w) => w.viite);
    expect(order.indexOf(recordViite(plan))).toBeLessThan(order.indexOf(recordViite(review)));
  });

  it('raises plan.review.overdue once, from the schedule, the day after the plan’s next review fell due', async () => {
    const id = ids();
    // Due six months after its first day: by 2026-12-01, overdue from 2026-12-02.
    await post(planRecord({ recordId: id.plan, validFrom: '2026-06-01', validUntil: '2027-05-31', madeAt: '2026-06-01T09:00:00+03:00' }));
    expect((await ackOf(id.plan)).outcome).toBe('accepted');
    const overdue = async () =>
      (await inboxEnvelopes(hub, '905')).filter((e) => e.type === 'plan.review.overdue.v1' && (e.payload as { planRecordId: string }).planRecordId === id.plan);

    schedule.set(Date.parse('2026-12-01T04:00:00Z'));
    await hub.trigger('records-review-watch');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await overdue()).toEqual([]);

    schedule.set(Date.parse('2026-12-02T04:00:00Z'));
    await hub.trigger('records-review-watch');
    const [event] = await eventually(async () => ((await overdue()).length > 0 ? overdue() : undefined), 'the overdue event');
    expect(event).toMatchObject({ municipality: '905', target: 'municipality:905', payload: { planRecordId: id.plan, dueBy: '2026-12-01' } });
    expect(JSON.stringify(event)).not.toContain(RECORD_HETU);

    schedule.set(Date.parse('2026-12-03T04:00:00Z'));
    await hub.trigger('records-review-watch');
    await hub.trigger('records-review-watch');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await overdue()).toHaveLength(1);
  });

  it('counts the stored records in koto-hub report, CSV and JSON, with no identity code', async () => {
    const id = ids();
    await post(assessmentRecord({ recordId: id.assessment }));
    expect((await ackOf(id.assessment)).outcome).toBe('accepted');
    const stored = (await hub.scan('correlation')).filter((i) => i.pk === 'RECORDS#905' && String(i.sk).startsWith('RECORD#') && i.status === 'stored');
    // The month its store answered, as the report counts it (not today's: a run at a month's turn would differ).
    const month = String(stored.find((i) => (i.payload as { recordId?: string } | undefined)?.recordId === id.assessment)?.storedOn).slice(0, 7);
    expect(month).toMatch(/^\d{4}-\d{2}$/);
    const ofType = (type: string) => stored.filter((i) => i.type === type && String(i.storedOn).startsWith(month)).length;

    const json = await koto(hub, ['report', '--json']);
    expect(json.code).toBe(0);
    const rows = JSON.parse(json.out) as { municipality: string; month: string; assessments: number; plans: number }[];
    expect(rows.find((r) => r.municipality === '905' && r.month === month)).toMatchObject({
      assessments: ofType('record.assessment.v1'),
      plans: ofType('record.plan.v1'),
    });
    const csv = await koto(hub, ['report']);
    expect(csv.code).toBe(0);
    expect(csv.out.split(/\r?\n/)[0]).toBe('municipality,month,outreachTargets,assessments,plans,reviews,completions');
    for (const out of [json.out, csv.out]) expect(out).not.toContain(RECORD_HETU);
  });

  it('refuses UNKNOWN_PLAN, once, a review whose plan has not come by the eighth day after it arrived', async () => {
    const id = ids();
    const early = await post(reviewRecord({ recordId: id.review, planRecordId: id.plan }));
    expect((await settled(early.correlationId)).outcome).toBe('record-waiting');

    // Seven days after it arrived it still waits; the eighth day the schedule refuses it.
    schedule.set(Date.now() + 7 * 86_400_000);
    await hub.trigger('records-review-watch');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await acksOf(id.review)).toEqual([]);

    schedule.set(Date.now() + 8 * 86_400_000);
    await hub.trigger('records-review-watch');
    await hub.trigger('records-review-watch');
    const ack = await ackOf(id.review);
    expect(ack).toMatchObject({ outcome: 'refused', findings: [{ code: 'UNKNOWN_PLAN', field: 'planRecordId', rule: 'plan rule 3' }] });

    // The plan that comes after all is accepted; its late review stays refused, answered once.
    await post(planRecord({ recordId: id.plan }));
    expect((await ackOf(id.plan)).outcome).toBe('accepted');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await acksOf(id.review)).toHaveLength(1);
  });

  it('shows a record’s hops in koto-hub trace, from the door through intake and its store to the inbox, with no identity code', async () => {
    const id = ids();
    const plan = await post(planRecord({ recordId: id.plan }));
    expect((await ackOf(id.plan)).outcome).toBe('accepted');
    const traced = await eventually(async () => {
      const run = await koto(hub, ['trace', plan.correlationId, '--json']);
      expect(run.code, run.err).toBe(0);
      const trace = JSON.parse(run.out) as Trace;
      const stages = flatten(trace.roots).map((n) => n.stage);
      return stages.includes('municipality-inbox') ? { run, trace, stages } : undefined;
    }, 'the acknowledgement in the trace');
    expect(traced.trace.roots).toHaveLength(1);
    expect(traced.trace.roots[0]).toMatchObject({ stage: 'ingress', type: 'record.plan.v1', parentHop: null });
    expect(traced.stages).toEqual(expect.arrayContaining(['ingress', 'records-intake', 'kotoaj-writer', 'municipality-inbox']));
    // Each hop hangs under the one that sent it: intake under the door, the write under intake.
    const nodes = flatten(traced.trace.roots);
    const hopOf = (stage: string) => nodes.find((n) => n.stage === stage)!;
    expect(hopOf('records-intake').parentHop).toBe(hopOf('ingress').hop);
    expect(hopOf('kotoaj-writer').parentHop).toBe(hopOf('records-intake').hop);
    expect(traced.trace.summary).toMatchObject({ deadLetters: 0 });
    expect(traced.run.out).not.toContain(RECORD_HETU);
  });
});
