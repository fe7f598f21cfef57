/** docs/DESIGN.md "Plan rules" (normative): each rule, and each boundary the day before, of and after. */
import { describe, expect, it } from 'vitest';
import { makeHetu } from '#contracts/hetu';
import type { MunicipalRecord, PlanRecordV1, PlanReviewRecordV1, ServiceCompletionRecordV1 } from '#contracts/messages/records';
import { addDays, addMonths, addYears } from '#functions/records/calendar';
import {
  checkAssessment,
  checkCompletion,
  checkPlan,
  checkReview,
  judgeRecord,
  nextReviewDue,
  planHistoryOf,
  reviewOverdue,
  validityLimit,
  withReview,
  type Finding,
  type PlanHistory,
  type RuleContext,
  type Verdict,
} from '#functions/records/plan-rules';

const HETU = makeHetu('1985-04-12', 308);
const TODAY = '2027-06-30';
const context = (overrides: Partial<RuleContext> = {}): RuleContext => ({ today: TODAY, receivedOn: TODAY, ...overrides });

const plan = (overrides: Partial<Pick<PlanRecordV1, 'validFrom' | 'validUntil' | 'exceptionReason'>> = {}) => ({
  validFrom: '2025-03-01',
  validUntil: '2026-02-28',
  exceptionReason: null,
  ...overrides,
});
const review = (overrides: Partial<Pick<PlanReviewRecordV1, 'date' | 'extendedUntil' | 'exceptionReason'>> = {}) => ({
  date: '2025-08-01',
  extendedUntil: null,
  exceptionReason: null,
  ...overrides,
});
const history = (overrides: Partial<PlanHistory> = {}): PlanHistory => ({ ...planHistoryOf(plan()), ...overrides });

const codes = (verdict: Verdict): string[] =>
  verdict.outcome === 'refuse' ? verdict.refusals.map((f) => f.code) : verdict.outcome === 'accept' ? verdict.flags.map((f) => f.code) : ['(wait)'];

describe('calendar: N months or years after d keeps the day of the month, or takes the month’s last day', () => {
  it.each([
    ['2025-08-31', 6, '2026-02-28'],
    ['2023-08-31', 6, '2024-02-29'],
    ['2025-03-31', 6, '2025-09-30'],
    ['2025-03-01', 6, '2025-09-01'],
    ['2025-12-15', 3, '2026-03-15'],
  ])('%s + %i months = %s', (from, months, expected) => expect(addMonths(from, months)).toBe(expected));

  it('counts 29 February a year on as 28 February', () => {
    expect(addYears('2024-02-29', 1)).toBe('2025-02-28');
    expect(addYears('2024-02-29', 4)).toBe('2028-02-29');
    expect(addDays('2025-02-28', 1)).toBe('2025-03-01');
  });
});

describe('plan rule 1: total validity ends at most on the day before two years after F', () => {
  it('computes the limit as DESIGN.md’s example does, and from 29 February', () => {
    expect(validityLimit('2025-03-01')).toBe('2027-02-28');
    expect(validityLimit('2024-02-29')).toBe('2026-02-27');
    expect(validityLimit('2025-08-31')).toBe('2027-08-30');
  });

  it.each([
    ['the day before the limit', '2027-02-27', []],
    ['the limit', '2027-02-28', []],
    ['the day after the limit', '2027-03-01', ['PLAN_TOO_LONG']],
  ])('a plan ending on %s without an exception reason: %j', (_, validUntil, expected) => {
    expect(codes(checkPlan(plan({ validUntil }), context()))).toEqual(expected);
  });

  it('accepts a plan past the limit that carries an exceptionReason', () => {
    expect(checkPlan(plan({ validUntil: '2028-02-28', exceptionReason: 'syy' }), context())).toEqual({ outcome: 'accept', flags: [] });
  });

  it('refuses PLAN_TOO_LONG naming the field and the rule, not the value', () => {
    const verdict = checkPlan(plan({ validUntil: '2027-03-01' }), context());
    expect(verdict).toMatchObject({ outcome: 'refuse', refusals: [{ code: 'PLAN_TOO_LONG', field: 'validUntil', rule: 'plan rule 1' }] });
    if (verdict.outcome === 'refuse') expect(verdict.refusals[0]!.message).not.toMatch(/\d{4}-\d{2}-\d{2}/);
  });

  it.each([
    ['the day before F', '2025-02-28', ['PLAN_ENDS_BEFORE_START']],
    ['F', '2025-03-01', []],
    ['the day after F', '2025-03-02', []],
  ])('a plan ending on %s: %j', (_, validUntil, expected) => {
    expect(codes(checkPlan(plan({ validUntil }), context()))).toEqual(expected);
  });

  it.each([
    ['the day before the limit', '2027-02-27', []],
    ['the limit', '2027-02-28', []],
    ['the day after the limit', '2027-03-01', ['PLAN_TOO_LONG']],
  ])('an extension to %s without an exception reason: %j', (_, extendedUntil, expected) => {
    expect(codes(checkReview(review({ extendedUntil }), history(), context()))).toEqual(expected);
  });

  it('accepts an extension past the limit when the review or the plan gives the reason', () => {
    const past = review({ extendedUntil: '2027-09-01' });
    expect(checkReview({ ...past, exceptionReason: 'syy' }, history(), context()).outcome).toBe('accept');
    expect(checkReview(past, history({ hasExceptionReason: true }), context()).outcome).toBe('accept');
    const refused = checkReview(past, history(), context());
    expect(refused).toMatchObject({ outcome: 'refuse', refusals: [{ code: 'PLAN_TOO_LONG', field: 'extendedUntil', rule: 'plan rule 1' }] });
  });
});

describe('plan rule 2: reviews within the plan, at most six months apart', () => {
  it.each([
    ['the day before F', '2025-02-28', ['REVIEW_OUTSIDE_PLAN']],
    ['F', '2025-03-01', []],
    ['the day after F', '2025-03-02', []],
  ])('a review dated %s: %j', (_, date, expected) => {
    expect(codes(checkReview(review({ date }), history(), context()))).toEqual(expected);
  });

  it.each([
    ['the day before U', '2026-02-27', []],
    ['U', '2026-02-28', []],
    ['the day after U', '2026-03-01', ['REVIEW_OUTSIDE_PLAN']],
  ])('a review dated %s (after a review in time): %j', (_, date, expected) => {
    const reviewed = history({ reviews: ['2025-08-31'] });
    expect(codes(checkReview(review({ date }), reviewed, context()))).toEqual(expected);
  });

  it('reads U with the extensions recorded before: a review within an extension is inside the plan', () => {
    const extended = withReview(history(), review({ date: '2025-08-31', extendedUntil: '2026-12-31' }));
    expect(extended.validUntil).toBe('2026-12-31');
    expect(checkReview(review({ date: '2026-02-27' }), extended, context())).toEqual({ outcome: 'accept', flags: [] });
    expect(codes(checkReview(review({ date: '2027-01-01' }), extended, context()))).toEqual(['REVIEW_OUTSIDE_PLAN']);
  });

  it.each([
    ['the plan’s last day', '2026-02-28', ['EXTENSION_NOT_LATER']],
    ['the day after it', '2026-03-01', []],
  ])('an extension to %s: %j', (_, extendedUntil, expected) => {
    expect(codes(checkReview(review({ extendedUntil }), history(), context()))).toEqual(expected);
  });

  it.each([
    ['the day before F + 6 months', '2025-08-31', []],
    ['F + 6 months', '2025-09-01', []],
    ['the day after F + 6 months', '2025-09-02', ['REVIEW_LATE']],
  ])('a first review dated %s is accepted, flagged: %j', (_, date, expected) => {
    const verdict = checkReview(review({ date }), history(), context());
    expect(verdict.outcome).toBe('accept');
    expect(codes(verdict)).toEqual(expected);
  });

  it.each([
    ['the day before', '2026-02-27', []],
    ['the day of', '2026-02-28', []],
    ['the day after', '2026-03-01', ['REVIEW_LATE']],
  ])('a next review %s the previous review (31 August) + 6 months (28 February): %j', (_, date, expected) => {
    const reviewed = history({ validUntil: '2026-06-30', reviews: ['2025-08-31'] });
    expect(codes(checkReview(review({ date }), reviewed, context()))).toEqual(expected);
  });

  it('flags REVIEW_LATE naming the field and the rule', () => {
    expect(checkReview(review({ date: '2025-09-02' }), history(), context())).toEqual({
      outcome: 'accept',
      flags: [{ code: 'REVIEW_LATE', field: 'date', rule: 'plan rule 2', message: expect.not.stringMatching(/\d{4}-\d{2}-\d{2}/) }],
    });
  });

  it('counts lateness from the latest review dated on or before the review, not one dated after it', () => {
    const reviewed = history({ reviews: ['2025-03-15', '2026-01-15'] });
    expect(codes(checkReview(review({ date: '2025-10-15' }), reviewed, context()))).toEqual(['REVIEW_LATE']);
    expect(codes(checkReview(review({ date: '2025-10-31' }), history({ reviews: ['2025-05-01'] }), context()))).toEqual([]);
  });
});

describe('plan rule 2: the next review falls due, and plan.review.overdue the day after', () => {
  const running = history({ validFrom: '2025-03-01', validUntil: '2026-12-31' });

  it('is due six months after F, then six months after the latest review', () => {
    expect(nextReviewDue(running)).toBe('2025-09-01');
    expect(nextReviewDue(withReview(running, review({ date: '2025-08-31' })))).toBe('2026-02-28');
    expect(nextReviewDue({ ...running, reviews: ['2025-08-31', '2025-06-01'] })).toBe('2026-02-28');
  });

  it.each([
    ['the day before it fell due', '2025-08-31', null],
    ['the day it fell due', '2025-09-01', null],
    ['the day after it fell due', '2025-09-02', { dueBy: '2025-09-01', overdueFrom: '2025-09-02' }],
  ])('on %s: %j', (_, today, expected) => {
    expect(reviewOverdue(running, today)).toEqual(expected);
  });

  it('names the same due review on every later day, so the event is raised once for it', () => {
    expect(reviewOverdue(running, '2025-10-15')).toEqual(reviewOverdue(running, '2025-09-02'));
    expect(reviewOverdue(withReview(running, review({ date: '2025-10-15' })), '2025-10-16')).toBeNull();
    expect(reviewOverdue(withReview(running, review({ date: '2025-10-15' })), '2026-04-16')).toEqual({ dueBy: '2026-04-15', overdueFrom: '2026-04-16' });
  });

  it.each([
    ['the day before the review would fall due', '2025-08-31', null],
    ['the day it falls due', '2025-09-01', '2025-09-01'],
  ])('a plan that ends on %s: due %j', (_, validUntil, expected) => {
    const short = history({ validFrom: '2025-03-01', validUntil });
    expect(nextReviewDue(short)).toBe(expected);
    expect(reviewOverdue(short, '2026-01-01')).toEqual(expected === null ? null : { dueBy: expected, overdueFrom: addDays(expected, 1) });
  });
});

describe('plan rule 3: a record whose plan is unknown waits at most seven days', () => {
  const arrived = '2026-03-10';

  it.each([
    ['the day before the seventh day', '2026-03-16', { outcome: 'wait', until: '2026-03-17' }],
    ['the seventh day', '2026-03-17', { outcome: 'wait', until: '2026-03-17' }],
  ])('a review on %s waits', (_, today, expected) => {
    expect(checkReview(review({ date: '2026-03-09' }), null, context({ receivedOn: arrived, today }))).toEqual(expected);
  });

  it('a review on the day after the seventh day is refused UNKNOWN_PLAN', () => {
    expect(checkReview(review({ date: '2026-03-09' }), null, context({ receivedOn: arrived, today: '2026-03-18' }))).toMatchObject({
      outcome: 'refuse',
      refusals: [{ code: 'UNKNOWN_PLAN', field: 'planRecordId', rule: 'plan rule 3' }],
    });
  });

  it('a completion naming an unknown plan waits the same way; one naming none never waits', () => {
    const completion = { from: '2026-02-01', to: '2026-03-01' };
    expect(checkCompletion(completion, null, context({ receivedOn: arrived, today: '2026-03-17' }))).toEqual({ outcome: 'wait', until: '2026-03-17' });
    expect(codes(checkCompletion(completion, null, context({ receivedOn: arrived, today: '2026-03-18' })))).toEqual(['UNKNOWN_PLAN']);
    expect(checkCompletion(completion, undefined, context({ receivedOn: arrived, today: '2026-03-18' }))).toEqual({ outcome: 'accept', flags: [] });
    expect(checkCompletion(completion, history(), context({ receivedOn: arrived, today: '2026-03-18' }))).toEqual({ outcome: 'accept', flags: [] });
  });
});

describe('plan rule 4: no record is dated in the future', () => {
  it.each([
    ['yesterday', '2027-06-29', []],
    ['today', '2027-06-30', []],
    ['tomorrow', '2027-07-01', ['DATE_IN_FUTURE']],
  ])('an assessment dated %s: %j', (_, date, expected) => {
    expect(codes(checkAssessment(date, context()))).toEqual(expected);
  });

  it.each([
    ['yesterday', '2027-06-29', []],
    ['today', '2027-06-30', []],
    ['tomorrow', '2027-07-01', ['DATE_IN_FUTURE']],
  ])('a plan starting %s, a review and a completion dated %s: %j', (_, date, expected) => {
    expect(codes(checkPlan(plan({ validFrom: date, validUntil: addMonths(date, 11) }), context()))).toEqual(expected);
    const running = history({ validFrom: '2027-03-01', validUntil: '2028-02-29' });
    expect(codes(checkReview(review({ date }), running, context()))).toEqual(expected);
    expect(codes(checkCompletion({ from: '2027-06-01', to: date }, undefined, context()))).toEqual(expected);
    expect(codes(checkCompletion({ from: date, to: null }, undefined, context()))).toEqual(expected);
  });

  it('names the field in the future, and refuses before waiting for a plan', () => {
    expect(checkReview(review({ date: '2027-07-01' }), null, context())).toMatchObject({
      outcome: 'refuse',
      refusals: [{ code: 'DATE_IN_FUTURE', field: 'date', rule: 'plan rule 4' }],
    });
    expect(checkCompletion({ from: '2027-07-01', to: '2027-07-02' }, undefined, context())).toMatchObject({
      refusals: [{ field: 'from' }, { field: 'to' }],
    });
  });
});

describe('judgeRecord', () => {
  const fields = { recordId: 'R-1', hetu: HETU, jobseeker: false, madeAt: '2027-06-30T10:00:00+03:00' };
  const completion = (planRecordId: string | null): MunicipalRecord => ({
    type: 'record.service-completion.v1',
    municipality: '905',
    payload: { ...fields, planRecordId, service: 'civic-orientation', from: '2027-05-01', to: '2027-06-01', completed: true } satisfies ServiceCompletionRecordV1,
  });

  it('applies each record type’s rules', () => {
    expect(codes(judgeRecord({ type: 'record.assessment.v1', municipality: '905', payload: { ...fields, date: '2027-07-01', completed: true } }, null, context()))).toEqual([
      'DATE_IN_FUTURE',
    ]);
    expect(
      codes(judgeRecord({ type: 'record.plan.v1', municipality: '905', payload: { ...fields, kind: 'basic', ...plan({ validUntil: '2028-01-01' }) } }, null, context())),
    ).toEqual(['PLAN_TOO_LONG']);
    expect(
      judgeRecord({ type: 'record.plan-review.v1', municipality: '905', payload: { ...fields, planRecordId: 'P-1', ...review() } }, null, context()),
    ).toEqual({ outcome: 'wait', until: addDays(TODAY, 7) });
    expect(judgeRecord(completion(null), null, context())).toEqual({ outcome: 'accept', flags: [] });
    expect(judgeRecord(completion('P-1'), null, context()).outcome).toBe('wait');
  });

  it('puts no personal data and no value of the record in any finding', () => {
    const verdicts = [
      checkPlan(plan({ validUntil: '2030-01-01' }), context()),
      checkReview(review({ date: '2030-01-01', extendedUntil: '2031-01-01' }), history(), context({ today: '2031-01-01' })),
      checkReview(review({ date: '2025-01-01' }), null, context({ receivedOn: '2025-01-01' })),
      judgeRecord(completion('P-1'), null, context({ receivedOn: '2027-01-01' })),
    ];
    const text = JSON.stringify(verdicts.flatMap((v): readonly Finding[] => (v.outcome === 'refuse' ? v.refusals : v.outcome === 'accept' ? v.flags : [])));
    expect(text).toContain('REVIEW_OUTSIDE_PLAN');
    expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}|P-1|syy/);
    expect(text).not.toContain(HETU);
  });
});
