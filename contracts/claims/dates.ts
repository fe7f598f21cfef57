/**
 * Calendar arithmetic on ISO dates (`YYYY-MM-DD`) for the compensation rules: whole days in UTC,
 * no time of day and no time zone, so a rule's boundary is the same day wherever it runs.
 */

const toDate = (iso: string): Date => new Date(`${iso}T00:00:00Z`);
const toIso = (date: Date): string => date.toISOString().slice(0, 10);
const isLeapYear = (year: number): boolean => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

export const addDays = (iso: string, days: number): string => {
  const date = toDate(iso);
  date.setUTCDate(date.getUTCDate() + days);
  return toIso(date);
};

/**
 * The last day of a period of `years` that begins on `start`: the day before the same date
 * `years` later. A period that begins on 29 February and ends in a common year ends on 28 February
 * (a period counted in years from a day the end year lacks ends on the month's last day, as in the
 * Act on the Computation of Time, 150/1930).
 */
export function lastDayOfYears(start: string, years: number): string {
  const [y, m, d] = start.split('-').map(Number) as [number, number, number];
  const year = y + years;
  if (m === 2 && d === 29 && !isLeapYear(year)) return `${String(year).padStart(4, '0')}-02-28`;
  return addDays(`${String(year).padStart(4, '0')}-${start.slice(5)}`, -1);
}

/** The claim deadline of costs that end on `to`: 31 December of the second year after its year. */
export const claimDeadline = (to: string): string => `${Number(to.slice(0, 4)) + 2}-12-31`;

/** The calendar half-year of a day, `2026H2`: the period a claim groups its rows by. */
export const halfYearOf = (iso: string): string => `${iso.slice(0, 4)}H${Number(iso.slice(5, 7)) <= 6 ? 1 : 2}`;

/** First and last day of a half-year `2026H2`. */
export const halfYearDays = (halfYear: string): { from: string; to: string } => {
  const year = halfYear.slice(0, 4);
  return halfYear.endsWith('H1') ? { from: `${year}-01-01`, to: `${year}-06-30` } : { from: `${year}-07-01`, to: `${year}-12-31` };
};
