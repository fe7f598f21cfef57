/** The four municipal record types at the envelope, and the `viite` each write is stored under. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeHetu } from '#contracts/hetu';
import { parseEnvelope, subjectOf } from '#contracts/messages/registry';
import { recordDate, type MunicipalRecord, type PlanRecordV1 } from '#contracts/messages/records';
import { planViiteOf, recordViite, writeViite } from '#functions/records/viite';

const HETU = makeHetu('1985-04-12', 308);
const example = (type: string): { payload: Record<string, unknown> } & Record<string, unknown> =>
  JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'contracts', 'messages', 'examples', `${type}.json`), 'utf8'));

const issuesOf = (envelope: unknown): { path: string; message: string }[] => {
  const result = parseEnvelope(envelope);
  if (result.ok) throw new Error('expected the envelope to be refused');
  return [...result.issues];
};

describe('record message types', () => {
  it('normalise the identity code and register it as the subject for the audit hash', () => {
    const plan = example('record.plan.v1');
    const result = parseEnvelope({ ...plan, payload: { ...plan.payload, hetu: ` ${HETU.toLowerCase()} ` } });
    expect(result.ok && result.envelope.payload).toMatchObject({ hetu: HETU });
    if (result.ok) expect(subjectOf(result.envelope)).toBe(HETU);
  });

  it('name every bad field of a review and never its value', () => {
    const review = example('record.plan-review.v1');
    const bad = { ...review.payload, recordId: '', hetu: '131052-308X', jobseeker: 'yes', madeAt: '2026-08-31 14:39', planRecordId: 'SUU 1', date: '31.8.2026', extendedUntil: undefined, exceptionReason: '' };
    const issues = issuesOf({ ...review, payload: bad });
    expect(issues.map((i) => i.path).sort()).toEqual(
      ['payload.recordId', 'payload.hetu', 'payload.jobseeker', 'payload.madeAt', 'payload.planRecordId', 'payload.date', 'payload.extendedUntil', 'payload.exceptionReason'].sort(),
    );
    const text = JSON.stringify(issues);
    for (const value of ['131052-308X', 'SUU 1', '31.8.2026', '2026-08-31 14:39']) expect(text).not.toContain(value);
  });

  it('refuse a record id that holds an identity code, without echoing it', () => {
    const assessment = example('record.assessment.v1');
    const issues = issuesOf({ ...assessment, payload: { ...assessment.payload, recordId: `ARV/${HETU}` } });
    expect(issues).toEqual([{ path: 'payload.recordId', message: 'must not contain a personal identity code' }]);
    const completion = example('record.service-completion.v1');
    expect(issuesOf({ ...completion, payload: { ...completion.payload, planRecordId: HETU } }).map((i) => i.path)).toEqual(['payload.planRecordId']);
  });

  it('refuse an unknown plan kind or service, naming the choices', () => {
    const plan = example('record.plan.v1');
    expect(issuesOf({ ...plan, payload: { ...plan.payload, kind: 'PERUS' } })).toEqual([{ path: 'payload.kind', message: 'must be basic, multi-sectoral or family' }]);
    const completion = example('record.service-completion.v1');
    expect(issuesOf({ ...completion, payload: { ...completion.payload, service: 'YHTEISKUNTAORIENTAATIO' } })[0]?.message).toContain('civic-orientation');
  });

  it('date each record by the day that orders it', () => {
    const records = ['record.assessment.v1', 'record.plan.v1', 'record.plan-review.v1', 'record.service-completion.v1'].map((type) => {
      const result = parseEnvelope(example(type));
      if (!result.ok) throw new Error(type);
      return result.envelope as unknown as MunicipalRecord;
    });
    expect(records.map(recordDate)).toEqual(['2026-02-16', '2026-03-02', '2026-08-31', '2026-04-24']);
    const [, , , completion] = records;
    if (completion?.type !== 'record.service-completion.v1') throw new Error('completion');
    expect(recordDate({ ...completion, payload: { ...completion.payload, to: null } })).toBe('2026-03-09');
  });
});

describe('viite: the idempotency key of a write', () => {
  const plan = (overrides: Partial<PlanRecordV1> = {}, municipality = '905'): MunicipalRecord => ({
    type: 'record.plan.v1',
    municipality,
    payload: {
      recordId: 'SUU-1',
      hetu: HETU,
      jobseeker: false,
      madeAt: '2026-03-02T10:00:00+02:00',
      kind: 'basic',
      validFrom: '2026-03-02',
      validUntil: '2027-03-01',
      exceptionReason: null,
      ...overrides,
    },
  });

  it('is one UUID per municipality, kind and record id, whatever the content', () => {
    const viite = recordViite(plan());
    expect(viite).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(recordViite(plan({ validUntil: '2026-12-31', madeAt: '2026-03-03T08:00:00+02:00' }))).toBe(viite);
    expect(recordViite(plan({ recordId: 'SUU-2' }))).not.toBe(viite);
    expect(recordViite(plan({}, '091'))).not.toBe(viite);
    expect(writeViite('905', 'assessment', 'SUU-1')).not.toBe(viite);
  });

  it('is derived from no personal data: another person’s record under the same id names the same write', () => {
    expect(recordViite(plan({ hetu: makeHetu('1990-01-01', 123) }))).toBe(recordViite(plan()));
  });

  it('names a review’s plan by the viite of the plan’s own write', () => {
    const review: MunicipalRecord = {
      type: 'record.plan-review.v1',
      municipality: '905',
      payload: { recordId: 'TAR-1', hetu: HETU, jobseeker: false, madeAt: '2026-08-31T10:00:00+03:00', planRecordId: 'SUU-1', date: '2026-08-31', extendedUntil: null, exceptionReason: null },
    };
    expect(planViiteOf(review)).toBe(recordViite(plan()));
    expect(planViiteOf(plan())).toBeNull();
  });
});
