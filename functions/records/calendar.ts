/**
 * Calendar days as the plan rules count them (docs/DESIGN.md "Plan rules"): ISO dates `YYYY-MM-DD`,
 * which compare as strings; "N months/years after d" keeps the day of the month, or takes the
 * month's last day when the day does not exist there (29 February → 28 February, 31 August + 6
 * months → 28 or 29 February).
 *
 * Hand-written: the hub has no date library, and `contracts/datastore/rules.ts` counts a year from
 * 29 February to 1 March (the store's own rule), which is not this one. Date-only UTC arithmetic
 * has no time zone or daylight saving to get wrong.
 */

const parts = (iso: string): [number, number, number] => {
  const [y, m, d] = iso.split('-').map(Number);
  return [y ?? 0, m ?? 1, d ?? 1];
};
const format = (date: Date): string => date.toISOString().slice(0, 10);

export const addDays = (iso: string, days: number): string => {
  const [y, m, d] = parts(iso);
  return format(new Date(Date.UTC(y, m - 1, d + days)));
};

/** The same day `months` later, or that month's last day when the day does not exist there. */
export const addMonths = (iso: string, months: number): string => {
  const [y, m, d] = parts(iso);
  const lastDay = new Date(Date.UTC(y, m - 1 + months + 1, 0)).getUTCDate();
  return format(new Date(Date.UTC(y, m - 1 + months, Math.min(d, lastDay))));
};

export const addYears = (iso: string, years: number): string => addMonths(iso, 12 * years);

export const laterOf = (a: string, b: string): string => (a > b ? a : b);
