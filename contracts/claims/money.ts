/**
 * Money in the claims flow: integer euro cents, everywhere (docs/DESIGN.md "Compensation claims").
 * A binary float cannot hold 0.10 exactly, and a sum of thousands of rows would drift by cents that
 * a reconciliation with YA's decision then cannot explain. So an amount is read from text as the
 * digits of its euros and cents joined into one integer ("1 284,50" is the integer 128450), never
 * as a decimal fraction through `parseFloat`, and every sum checks that it is still exact.
 */

/** The largest amount of one row: EUR 100,000,000.00. A batch of rows stays far below 2^53 cents. */
export const MAX_ROW_CENTS = 10_000_000_000;

/** Thrown by `sumCents` for an operand that is not an exact integer: a float got in somewhere. */
export class NotCentsError extends Error {
  override readonly name = 'NotCentsError';
  constructor(where: string) {
    super(`${where}: an amount is not an integer number of cents`);
  }
}

/** Exact sum of integer cents; throws `NotCentsError` on a fraction or on leaving the safe range. */
export function sumCents(amounts: Iterable<number>, where = 'sum'): number {
  let total = 0;
  for (const amount of amounts) {
    if (!Number.isSafeInteger(amount)) throw new NotCentsError(where);
    total += amount;
    if (!Number.isSafeInteger(total)) throw new NotCentsError(where);
  }
  return total;
}

export type CentsParse = { readonly ok: true; readonly cents: number } | { readonly ok: false; readonly problem: string };

// Euros with optional thousands groups separated by a space (also no-break and narrow no-break,
// as spreadsheets write them), a decimal comma and at most two decimals: `1 234,5`, `12`, `0,07`.
const FINNISH_AMOUNT = /^(\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d+)(?:,(\d{1,2}))?$/;

/**
 * A Finnish amount in euros (`1 234,56`) as integer cents. The problem names what is wrong in
 * words, never the text itself (the column could hold anything, a HETU typed in the wrong place).
 */
export function parseFinnishEuros(text: string): CentsParse {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: false, problem: 'is empty' };
  if (trimmed.startsWith('-')) return { ok: false, problem: 'must not be negative' };
  if (/^\d+\.\d{1,2}$/.test(trimmed)) return { ok: false, problem: 'has a decimal point: write euros with a decimal comma (1234,56)' };
  const parts = FINNISH_AMOUNT.exec(trimmed);
  if (!parts) return { ok: false, problem: 'is not an amount in euros with a decimal comma and at most two decimals (1 234,56)' };
  const euros = (parts[1] ?? '').replace(/[ \u00a0\u202f]/g, '').replace(/^0+(?=\d)/, '');
  const decimals = (parts[2] ?? '').padEnd(2, '0');
  // Concatenating the digits keeps the arithmetic in integers: "1234" + "56" is 123456 cents.
  if (euros.length + 2 > String(MAX_ROW_CENTS).length) return { ok: false, problem: 'is larger than EUR 100,000,000.00' };
  const cents = Number(euros + decimals);
  if (cents > MAX_ROW_CENTS) return { ok: false, problem: 'is larger than EUR 100,000,000.00' };
  return { ok: true, cents };
}

/** Integer cents as Finnish euros, `123456` -> `1 234,56` (for people; wire formats carry cents). */
export function formatFinnishEuros(cents: number): string {
  if (!Number.isSafeInteger(cents)) throw new NotCentsError('formatFinnishEuros');
  const sign = cents < 0 ? '-' : '';
  const digits = String(Math.abs(cents)).padStart(3, '0');
  const euros = digits.slice(0, -2).replace(/\B(?=(\d{3})+$)/g, '\u00a0');
  return `${sign}${euros},${digits.slice(-2)}`;
}

/** Rows and cents of one kind: how the sums of a batch reconcile. */
export interface Tally {
  readonly rows: number;
  readonly cents: number;
}

/** A batch's sums as claims-intake stores them on the batch item, and `claims status` reads them. */
export interface BatchSums {
  readonly in: Tally;
  readonly accepted: Tally;
  readonly refused: Tally;
}
