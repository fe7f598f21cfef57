/**
 * Days and months as a Finnish municipality counts them: in Finnish time (Europe/Helsinki, UTC+2,
 * +3 in summer), not UTC, so a record dated today is not "in the future" between midnight and
 * 02:00 or 03:00, and a month begins when it begins in Finland. `Intl` carries the time-zone rules.
 */
const FINNISH_TIME = 'Europe/Helsinki';

const partsOf = (when: Date, fields: Intl.DateTimeFormatOptions) => {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: FINNISH_TIME, ...fields }).formatToParts(when);
  return (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value;
};

/** The month (YYYY-MM) it is in Finland at `when`. */
export const finnishMonth = (when: Date): string => {
  const part = partsOf(when, { year: 'numeric', month: '2-digit' });
  return `${part('year')}-${part('month')}`;
};

/** The day (YYYY-MM-DD) it is in Finland at `when`. */
export const finnishDay = (when: Date): string => {
  const part = partsOf(when, { year: 'numeric', month: '2-digit', day: '2-digit' });
  return `${part('year')}-${part('month')}-${part('day')}`;
};
