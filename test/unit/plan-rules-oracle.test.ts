/**
 * The plan rules against a second implementation written here from docs/DESIGN.md "Plan rules"
 * alone, over generated plan histories (seeded): the verdict on every plan and review, and when
 * each plan's review falls overdue, must agree. The oracle counts days and months with integer
 * arithmetic of its own (no `Date`), so a slip in `functions/records/calendar.ts` shows here too.
 */
import { describe, expect, it } from 'vitest';
import { checkPlan, checkReview, planHistoryOf, reviewOverdue, withReview, type PlanHistory, type Verdict } from '#functions/records/plan-rules';
import { between, seededRandom } from '../support/seeded-random.ts';

// ---- the oracle's calendar ------------------------------------------------------------------------

const leap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const monthLength = (y: number, m: number): number => [31, leap(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;
const ymd = (iso: string): [number, number, number] => iso.split('-').map(Number) as [number, number, number];
const iso = (y: number, m: number, d: number): string => `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;

/** Days since 0000-03-01 (a day count, so that adding days is adding numbers). */
const dayNumber = (date: string): number => {
  const [year, month, d] = ymd(date);
  // Counted from March, so that the leap day ends a year.
  const [y, m] = month < 3 ? [year - 1, month + 12] : [year, month];
  return 365 * y + Math.floor(y / 4) - Math.floor(y / 100) + Math.floor(y / 400) + Math.floor((153 * (m - 3) + 2) / 5) + d - 1;
};
const fromDayNumber = (n: number): string => {
  let y = Math.floor((10000 * n + 14780) / 3652425);
  let doy = n - (365 * y + Math.floor(y / 4) - Math.floor(y / 100) + Math.floor(y / 400));
  if (doy < 0) {
    y -= 1;
    doy = n - (365 * y + Math.floor(y / 4) - Math.floor(y / 100) + Math.floor(y / 400));
  }
  const mi = Math.floor((100 * doy + 52) / 3060);
  const m = ((mi + 2) % 12) + 1;
  return iso(y + Math.floor((mi + 2) / 12), m, doy - Math.floor((mi * 306 + 5) / 10) + 1);
};
const plusDays = (date: string, days: number): string => fromDayNumber(dayNumber(date) + days);
const plusMonths = (date: string, months: number): string => {
  const [y, m, d] = ymd(date);
  const index = y * 12 + (m - 1) + months;
  const [ny, nm] = [Math.floor(index / 12), (index % 12) + 1];
  return iso(ny, nm, Math.min(d, monthLength(ny, nm)));
};

// ---- the oracle's rules, read from the text ---------------------------------------------------------

interface OraclePlan {
  readonly from: string;
  readonly until: string;
  readonly reason: boolean;
  readonly reviewDates: string[];
}

/** "ends at most on the day before two years after F" */
const lastAllowed = (from: string): string => plusDays(plusMonths(from, 24), -1);

const oraclePlan = (from: string, until: string, reason: boolean, today: string): string[] => {
  const out: string[] = [];
  if (from > today) out.push('DATE_IN_FUTURE:validFrom');
  if (until < from) out.push('PLAN_ENDS_BEFORE_START:validUntil');
  else if (!reason && until > lastAllowed(from)) out.push('PLAN_TOO_LONG:validUntil');
  return out;
};

const oracleReview = (
  plan: OraclePlan,
  review: { date: string; extendTo: string | null; reason: boolean },
  today: string,
): { refusals: string[]; flags: string[] } => {
  if (review.date > today) return { refusals: ['DATE_IN_FUTURE:date'], flags: [] };
  const refusals: string[] = [];
  if (!(plan.from <= review.date && review.date <= plan.until)) refusals.push('REVIEW_OUTSIDE_PLAN:date');
  if (review.extendTo !== null) {
    if (!(review.extendTo > plan.until)) refusals.push('EXTENSION_NOT_LATER:extendedUntil');
    else if (review.extendTo > lastAllowed(plan.from) && !review.reason && !plan.reason) refusals.push('PLAN_TOO_LONG:extendedUntil');
  }
  let previous = plan.from;
  for (const date of plan.reviewDates) if (date <= review.date && date > previous) previous = date;
  // A late review is accepted and flagged: a refused one carries no flag.
  return { refusals, flags: refusals.length === 0 && review.date > plusMonths(previous, 6) ? ['REVIEW_LATE:date'] : [] };
};

/** The day after the next review fell due, or null while none is due or the plan ends before it. */
const oracleOverdueFrom = (plan: OraclePlan): string | null => {
  const latest = [plan.from, ...plan.reviewDates].sort().at(-1)!;
  const due = plusMonths(latest, 6);
  return due > plan.until ? null : plusDays(due, 1);
};

// ---- generated histories ----------------------------------------------------------------------------

const found = (verdict: Verdict): { refusals: string[]; flags: string[] } => ({
  refusals: verdict.outcome === 'refuse' ? verdict.refusals.map((f) => `${f.code}:${f.field}`) : [],
  flags: verdict.outcome === 'accept' ? verdict.flags.map((f) => `${f.code}:${f.field}`) : [],
});

/** A day, often a month's end or 29 February, where the arithmetic has its edges. */
const someDay = (next: () => number): string => {
  const pick = next();
  if (pick < 0.1) return '2024-02-29';
  const y = between(next, 2023, 2027);
  const m = between(next, 1, 12);
  return iso(y, m, pick < 0.35 ? monthLength(y, m) : between(next, 1, monthLength(y, m)));
};

describe('plan rules against an independent implementation (generated histories)', () => {
  it.each(Array.from({ length: 60 }, (_, i) => i + 1))('seed %i: the same verdicts, and the same overdue days', (seed) => {
    const next = seededRandom(seed);
    for (let history = 0; history < 10; history += 1) {
      const from = someDay(next);
      // Mostly near the two-year limit, sometimes before the start.
      const until = plusDays(lastAllowed(from), between(next, -400, 3));
      const reason = next() < 0.15;
      const today = plusDays(from, between(next, -3, 900));

      const planVerdict = checkPlan({ validFrom: from, validUntil: until, exceptionReason: reason ? 'syy' : null }, { today, receivedOn: today });
      expect(found(planVerdict), `plan ${from}–${until}`).toEqual({ refusals: oraclePlan(from, until, reason, today), flags: [] });
      if (planVerdict.outcome !== 'accept') continue;

      let hub: PlanHistory = planHistoryOf({ validFrom: from, validUntil: until, exceptionReason: reason ? 'syy' : null });
      let oracle: OraclePlan = { from, until, reason, reviewDates: [] };
      let date = from;
      for (let r = between(next, 0, 5); r > 0; r -= 1) {
        // Often exactly on, or a day either side of, the day the review falls due.
        const latest = [oracle.from, ...oracle.reviewDates].sort().at(-1)!;
        date = next() < 0.3 ? plusDays(plusMonths(latest, 6), between(next, -1, 1)) : plusDays(date, between(next, -20, 220));
        const extendTo = next() < 0.4 ? (next() < 0.3 ? plusDays(lastAllowed(oracle.from), between(next, -1, 1)) : plusDays(oracle.until, between(next, -10, 500))) : null;
        const review = { date, extendedUntil: extendTo, exceptionReason: next() < 0.1 ? 'syy' : null };
        const verdict = checkReview(review, hub, { today, receivedOn: today });
        const expected = oracleReview(oracle, { date, extendTo, reason: review.exceptionReason !== null }, today);
        expect(found(verdict), `review ${date} of plan ${from}–${oracle.until}`).toEqual(expected);
        if (verdict.outcome === 'accept') {
          hub = withReview(hub, review);
          oracle = {
            ...oracle,
            until: extendTo ?? oracle.until,
            reason: oracle.reason || review.exceptionReason !== null,
            reviewDates: [...oracle.reviewDates, date],
          };
        }
        const overdueFrom = oracleOverdueFrom(oracle);
        for (const day of [today, plusDays(date, 183), plusDays(date, 184), ...(overdueFrom ? [plusDays(overdueFrom, -1), overdueFrom] : [])]) {
          expect(reviewOverdue(hub, day)?.overdueFrom ?? null, `overdue on ${day}`).toBe(overdueFrom !== null && day >= overdueFrom ? overdueFrom : null);
        }
      }
      expect(hub.validUntil).toBe(oracle.until);
    }
  });

  it('has an oracle calendar that agrees with the written examples', () => {
    expect(lastAllowed('2025-03-01')).toBe('2027-02-28');
    expect(lastAllowed('2024-02-29')).toBe('2026-02-27');
    expect(plusMonths('2025-08-31', 6)).toBe('2026-02-28');
    expect(plusDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(plusDays('2100-02-28', 1)).toBe('2100-03-01');
    expect(fromDayNumber(dayNumber('2026-12-31') + 1)).toBe('2027-01-01');
  });
});
