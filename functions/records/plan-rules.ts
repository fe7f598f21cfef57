/**
 * The plan rules (docs/DESIGN.md "Plan rules", normative) the hub applies to a municipal record
 * before it leaves for a national system. Pure: no I/O and no clock; `today` and the day the record
 * arrived are arguments, and what the hub knows of the record's plan is given.
 *
 * Every refusal and every flag is a `Finding`: a code, the payload field it concerns and the rule,
 * with a sentence that names neither a value nor a date of the record (the sender has the values).
 *
 * Readings (each cites the rule it reads):
 * - Rule 1: a plan's total validity ends at most on `validityLimit(F)`, the day before two years
 *   after F (F = 2025-03-01 → 2027-02-28; F = 2024-02-29 → 2026-02-27, two years after being
 *   28 February). A plan or an extension past it needs an `exceptionReason`: the extending review's
 *   own, or the plan's. `U < F` is refused `PLAN_ENDS_BEFORE_START`.
 * - Rule 2: a review dated outside `F ≤ R ≤ U`, U being the plan's last day with the extensions
 *   recorded before it, is refused. An extension moves U later: one that does not is refused
 *   `EXTENSION_NOT_LATER`. A review is due by six months after the plan's latest review dated on or
 *   before it (or after F); one dated after that is accepted and flagged `REVIEW_LATE`. The next
 *   review falls due only while the plan runs: when six months after the latest review (or F) is
 *   after U, the plan ends first and nothing is due.
 * - Rule 3: a review, or a completion that names a plan, whose plan the hub does not know waits
 *   for it through the seventh day after the day it arrived, and is refused `UNKNOWN_PLAN` after
 *   that. (The order of a person's records is `store-order.ts`'s.)
 * - Rule 4, "as for every record": the day a record is dated (an assessment's and a review's date,
 *   a plan's first day, a completion's first and last day) is not after `today`. A plan's last day
 *   and an extension's are ahead by nature and are not checked.
 */
import type { MunicipalRecord, PlanRecordV1, PlanReviewRecordV1 } from '#contracts/messages/records';
import { addDays, addMonths, addYears } from '#functions/records/calendar';

export type PlanRefusalCode =
  | 'DATE_IN_FUTURE'
  | 'PLAN_ENDS_BEFORE_START'
  | 'PLAN_TOO_LONG'
  | 'REVIEW_OUTSIDE_PLAN'
  | 'EXTENSION_NOT_LATER'
  | 'UNKNOWN_PLAN';
export type PlanFlagCode = 'REVIEW_LATE';

export interface Finding<C extends string = PlanRefusalCode | PlanFlagCode> {
  readonly code: C;
  /** The payload field the finding concerns. */
  readonly field: string;
  /** The rule of docs/DESIGN.md "Plan rules" it applies. */
  readonly rule: 'plan rule 1' | 'plan rule 2' | 'plan rule 3' | 'plan rule 4';
  /** What is wrong, in a sentence with no value of the record in it. */
  readonly message: string;
}

export type Verdict =
  | { readonly outcome: 'accept'; readonly flags: readonly Finding<PlanFlagCode>[] }
  | { readonly outcome: 'refuse'; readonly refusals: readonly Finding<PlanRefusalCode>[] }
  /** The record's plan is not known yet: ask again after `until` at the latest. */
  | { readonly outcome: 'wait'; readonly until: string };

/** What the hub knows of a plan: its first day, its last day with every extension, its reviews. */
export interface PlanHistory {
  readonly validFrom: string;
  readonly validUntil: string;
  readonly hasExceptionReason: boolean;
  /** The dates of its reviews. */
  readonly reviews: readonly string[];
}

export interface RuleContext {
  readonly today: string;
  /** The day the record reached the hub, from which it waits for its plan. */
  readonly receivedOn: string;
}

/** How long a record waits for its plan (rule 3), in days after the day it arrived. */
export const PLAN_WAIT_DAYS = 7;

/** The last day a plan starting on `validFrom` may run without an exception reason (rule 1). */
export const validityLimit = (validFrom: string): string => addDays(addYears(validFrom, 2), -1);

const finding = <C extends string>(code: C, field: string, rule: Finding['rule'], message: string): Finding<C> => ({ code, field, rule, message });

const notInFuture = (dates: Readonly<Record<string, string | null>>, today: string): Finding<PlanRefusalCode>[] =>
  Object.entries(dates)
    .filter(([, date]) => date !== null && date > today)
    .map(([field]) => finding('DATE_IN_FUTURE', field, 'plan rule 4', 'the record is dated after the day it was checked'));

const verdictOf = (refusals: readonly Finding<PlanRefusalCode>[], flags: readonly Finding<PlanFlagCode>[] = []): Verdict =>
  refusals.length > 0 ? { outcome: 'refuse', refusals } : { outcome: 'accept', flags };

/** Rule 3: a record whose plan is not known waits through the seventh day after it arrived. */
const waitForPlan = (field: string, context: RuleContext): Verdict => {
  const until = addDays(context.receivedOn, PLAN_WAIT_DAYS);
  return context.today <= until
    ? { outcome: 'wait', until }
    : verdictOf([finding('UNKNOWN_PLAN', field, 'plan rule 3', 'no plan with this record identifier reached the hub within seven days')]);
};

/** The plan as it stands after a review: an extension moves its last day. */
export const withReview = (plan: PlanHistory, review: Pick<PlanReviewRecordV1, 'date' | 'extendedUntil' | 'exceptionReason'>): PlanHistory => ({
  validFrom: plan.validFrom,
  validUntil: review.extendedUntil !== null && review.extendedUntil > plan.validUntil ? review.extendedUntil : plan.validUntil,
  hasExceptionReason: plan.hasExceptionReason || review.exceptionReason !== null,
  reviews: [...plan.reviews, review.date],
});

/** A plan as its record makes it, before any review. */
export const planHistoryOf = (plan: Pick<PlanRecordV1, 'validFrom' | 'validUntil' | 'exceptionReason'>): PlanHistory => ({
  validFrom: plan.validFrom,
  validUntil: plan.validUntil,
  hasExceptionReason: plan.exceptionReason !== null,
  reviews: [],
});

/** Rule 2: the day by which a review dated after every review on or before `asOf` is due. */
const reviewDueAsOf = (plan: PlanHistory, asOf: string): string => {
  const latest = plan.reviews.filter((date) => date <= asOf).reduce((a, b) => (b > a ? b : a), plan.validFrom);
  return addMonths(latest, 6);
};

/**
 * Rule 2: the last day of the plan's next review — six months after its latest review, or after
 * its first day — or null when the plan ends before then.
 */
export const nextReviewDue = (plan: PlanHistory): string | null => {
  const due = addMonths(plan.reviews.reduce((a, b) => (b > a ? b : a), plan.validFrom), 6);
  return due <= plan.validUntil ? due : null;
};

/**
 * Rule 2, `plan.review.overdue`: on and after the day after the next review fell due, the review it
 * waits for (`dueBy`, which with the plan names the event, so it is raised once); null before then.
 */
export const reviewOverdue = (plan: PlanHistory, today: string): { readonly dueBy: string; readonly overdueFrom: string } | null => {
  const dueBy = nextReviewDue(plan);
  if (dueBy === null) return null;
  const overdueFrom = addDays(dueBy, 1);
  return today >= overdueFrom ? { dueBy, overdueFrom } : null;
};

export const checkAssessment = (date: string, context: RuleContext): Verdict => verdictOf(notInFuture({ date }, context.today));

export function checkPlan(plan: Pick<PlanRecordV1, 'validFrom' | 'validUntil' | 'exceptionReason'>, context: RuleContext): Verdict {
  const refusals = notInFuture({ validFrom: plan.validFrom }, context.today);
  if (plan.validUntil < plan.validFrom) {
    refusals.push(finding('PLAN_ENDS_BEFORE_START', 'validUntil', 'plan rule 1', 'the plan ends before it starts'));
  } else if (plan.validUntil > validityLimit(plan.validFrom) && plan.exceptionReason === null) {
    refusals.push(
      finding('PLAN_TOO_LONG', 'validUntil', 'plan rule 1', 'the plan runs past the day before two years after its first day, and no exceptionReason says why'),
    );
  }
  return verdictOf(refusals);
}

/** A review of `plan`; null when the hub does not know the plan the review names. */
export function checkReview(
  review: Pick<PlanReviewRecordV1, 'date' | 'extendedUntil' | 'exceptionReason'>,
  plan: PlanHistory | null,
  context: RuleContext,
): Verdict {
  const future = notInFuture({ date: review.date }, context.today);
  if (future.length > 0) return verdictOf(future);
  if (plan === null) return waitForPlan('planRecordId', context);

  const refusals: Finding<PlanRefusalCode>[] = [];
  if (review.date < plan.validFrom || review.date > plan.validUntil) {
    refusals.push(finding('REVIEW_OUTSIDE_PLAN', 'date', 'plan rule 2', 'the review is dated outside the plan’s validity'));
  }
  if (review.extendedUntil !== null) {
    if (review.extendedUntil <= plan.validUntil) {
      refusals.push(finding('EXTENSION_NOT_LATER', 'extendedUntil', 'plan rule 2', 'an extension must move the plan’s last day later'));
    } else if (review.extendedUntil > validityLimit(plan.validFrom) && review.exceptionReason === null && !plan.hasExceptionReason) {
      refusals.push(
        finding(
          'PLAN_TOO_LONG',
          'extendedUntil',
          'plan rule 1',
          'the extension runs past the day before two years after the plan’s first day, and no exceptionReason says why',
        ),
      );
    }
  }
  const flags =
    review.date > reviewDueAsOf(plan, review.date)
      ? [finding('REVIEW_LATE', 'date', 'plan rule 2', 'the review came more than six months after the plan’s previous review or its start')]
      : [];
  return verdictOf(refusals, flags);
}

/** A completion; `plan` null when it names a plan the hub does not know, undefined when it names none. */
export function checkCompletion(completion: { readonly from: string; readonly to: string | null }, plan: PlanHistory | null | undefined, context: RuleContext): Verdict {
  const future = notInFuture({ from: completion.from, to: completion.to }, context.today);
  if (future.length > 0) return verdictOf(future);
  return plan === null ? waitForPlan('planRecordId', context) : verdictOf([]);
}

/**
 * The verdict on any record, given what the hub knows of the plan it names (null: a plan it names
 * that the hub does not know; ignored for assessments and plans).
 */
export function judgeRecord(record: MunicipalRecord, plan: PlanHistory | null, context: RuleContext): Verdict {
  switch (record.type) {
    case 'record.assessment.v1':
      return checkAssessment(record.payload.date, context);
    case 'record.plan.v1':
      return checkPlan(record.payload, context);
    case 'record.plan-review.v1':
      return checkReview(record.payload, plan, context);
    case 'record.service-completion.v1':
      return checkCompletion(record.payload, record.payload.planRecordId === null ? undefined : plan, context);
  }
}
