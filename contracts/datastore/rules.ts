/**
 * The data store's own rules for plans and reviews (README "Rules"; Act 681/2023 on integration
 * plans): the first plan is made for at most one year; it is reviewed at least every six months; it
 * may be extended one year at a time, by at most two years in all. The hub's rules are others:
 * docs/DESIGN.md "Plan rules", `functions/records/plan-rules.ts`. Pure; the store (and its mock)
 * apply them on write.
 *
 * Period arithmetic: a period of one year starting on D ends on the day before D's date a year
 * later (from 2025-03-01 it ends 2026-02-28; from 2024-02-29, 2025-02-28). Six months after D is
 * the same day six months later, or that month's last day when the day does not exist.
 */

export type RuleCode =
  | 'PLAN_ENDS_BEFORE_START'
  | 'FIRST_PLAN_OVER_ONE_YEAR'
  | 'PLAN_OVERLAPS'
  | 'UNKNOWN_PLAN'
  | 'REVIEW_OUTSIDE_PLAN'
  | 'REVIEW_BEFORE_PREVIOUS'
  | 'EXTENSION_NOT_LATER'
  | 'EXTENSION_OVER_ONE_YEAR'
  | 'EXTENSIONS_OVER_TWO_YEARS'
  | 'COMPLETION_ENDS_BEFORE_START';

/** Accepted, but reported back: the review came later than six months after the previous one. */
export type NoticeCode = 'TARKISTUS_MYOHASSA';

export interface RuleViolation {
  readonly code: RuleCode;
  /** The field of the write that breaks the rule. */
  readonly field: string;
  /** What is wrong, in a sentence; dates of the rule may appear, personal data never. */
  readonly message: string;
}

/** A plan as the rules need it. */
export interface PlanState {
  readonly id: string;
  readonly kind: string;
  readonly validFrom: string;
  readonly validUntil: string;
  readonly originalValidUntil: string;
  readonly reviews: readonly { readonly date: string }[];
}

const parse = (iso: string): [number, number, number] => {
  const [y, m, d] = iso.split('-').map(Number);
  return [y ?? 0, m ?? 1, d ?? 1];
};
const format = (date: Date): string => date.toISOString().slice(0, 10);

export const addDays = (iso: string, days: number): string => {
  const [y, m, d] = parse(iso);
  return format(new Date(Date.UTC(y, m - 1, d + days)));
};

/** The same date `years` later; 29 February becomes 1 March in a common year. */
export const addYears = (iso: string, years: number): string => {
  const [y, m, d] = parse(iso);
  return format(new Date(Date.UTC(y + years, m - 1, d)));
};

/** The same day `months` later, or the last day of that month when the day does not exist. */
export const addMonths = (iso: string, months: number): string => {
  const [y, m, d] = parse(iso);
  const lastDay = new Date(Date.UTC(y, m - 1 + months + 1, 0)).getUTCDate();
  return format(new Date(Date.UTC(y, m - 1 + months, Math.min(d, lastDay))));
};

/** Last day of a one-year period starting on `from`. */
export const oneYearFrom = (from: string): string => addDays(addYears(from, 1), -1);

/** The latest date by which a plan must next be reviewed. */
export const nextReviewDue = (plan: Pick<PlanState, 'validFrom' | 'reviews'>): string => {
  const last = plan.reviews.reduce((latest, review) => (review.date > latest ? review.date : latest), plan.validFrom);
  return addMonths(last, 6);
};

/** Rules of a new plan, against the person's existing plans. */
export function checkNewPlan(
  plan: { kind: string; validFrom: string; validUntil: string },
  existing: readonly PlanState[],
): RuleViolation[] {
  if (plan.validUntil < plan.validFrom) {
    return [{ code: 'PLAN_ENDS_BEFORE_START', field: 'voimassaAsti', message: 'the plan ends before it starts' }];
  }
  const violations: RuleViolation[] = [];
  const limit = oneYearFrom(plan.validFrom);
  if (plan.validUntil > limit) {
    violations.push({
      code: 'FIRST_PLAN_OVER_ONE_YEAR',
      field: 'voimassaAsti',
      message: `a plan is made for at most one year (from this start, until ${limit} at the latest); longer validity comes only from extensions at reviews`,
    });
  }
  const overlapping = existing.find(
    (other) => other.kind === plan.kind && other.validFrom <= plan.validUntil && plan.validFrom <= other.validUntil,
  );
  if (overlapping) {
    violations.push({
      code: 'PLAN_OVERLAPS',
      field: 'voimassaAlkaen',
      message: 'a plan of the same kind is valid in this period; extend it with a review instead',
    });
  }
  return violations;
}

export interface ReviewCheck {
  readonly violations: RuleViolation[];
  readonly notices: NoticeCode[];
}

/** Rules of a review (and its extension) of `plan`; `plan` undefined means no such plan of the person. */
export function checkReview(
  review: { date: string; extendUntil: string | null },
  plan: PlanState | undefined,
): ReviewCheck {
  if (!plan) {
    return {
      violations: [{ code: 'UNKNOWN_PLAN', field: 'suunnitelmaTunniste', message: 'the person has no plan with this identifier' }],
      notices: [],
    };
  }
  const violations: RuleViolation[] = [];
  const notices: NoticeCode[] = [];
  if (review.date < plan.validFrom || review.date > plan.validUntil) {
    violations.push({
      code: 'REVIEW_OUTSIDE_PLAN',
      field: 'tarkistuspvm',
      message: 'the review is dated outside the plan’s validity',
    });
  }
  const previous = plan.reviews.reduce<string | null>((latest, r) => (latest === null || r.date > latest ? r.date : latest), null);
  if (previous !== null && review.date < previous) {
    violations.push({
      code: 'REVIEW_BEFORE_PREVIOUS',
      field: 'tarkistuspvm',
      message: 'the review is dated before the plan’s latest review',
    });
  }
  if (review.date > nextReviewDue(plan)) notices.push('TARKISTUS_MYOHASSA');

  if (review.extendUntil !== null) {
    const oneMore = addYears(plan.validUntil, 1);
    const ceiling = addYears(plan.originalValidUntil, 2);
    if (review.extendUntil <= plan.validUntil) {
      violations.push({ code: 'EXTENSION_NOT_LATER', field: 'jatkoAsti', message: 'an extension must end after the plan’s current last day' });
    } else if (review.extendUntil > ceiling) {
      violations.push({
        code: 'EXTENSIONS_OVER_TWO_YEARS',
        field: 'jatkoAsti',
        message: `extensions add at most two years to the first plan (until ${ceiling} at the latest)`,
      });
    } else if (review.extendUntil > oneMore) {
      violations.push({
        code: 'EXTENSION_OVER_ONE_YEAR',
        field: 'jatkoAsti',
        message: `a plan is extended one year at a time (until ${oneMore} at the latest)`,
      });
    }
  }
  return { violations, notices };
}

/** Rules of a service completion. */
export function checkCompletion(completion: { from: string; to: string | null }): RuleViolation[] {
  return completion.to !== null && completion.to < completion.from
    ? [{ code: 'COMPLETION_ENDS_BEFORE_START', field: 'loppupvm', message: 'the service ends before it starts' }]
    : [];
}
