/**
 * Personal identity code — henkilötunnus, HETU (docs/DESIGN.md "Personal identity code (HETU)").
 *
 * `DDMMYY C NNN Q`: date of birth, century sign, individual number, check character.
 * - Century signs as extended by the 2023 reform (new signs issued from 1 January 2023):
 *   `+` 1800s; `-`, `Y`, `X`, `W`, `V`, `U` 1900s; `A`–`F` 2000s.
 * - Individual numbers 002–899 are ordinary codes; 900–999 are temporary codes (given outside the
 *   population information system, e.g. in health care, to someone without a code). 000 and 001
 *   are never issued.
 * - Check character: `CHECK_CHARACTERS[int(DDMMYYNNN) mod 31]`.
 *
 * A code is personal data. Nothing in this module puts an input code, or any part of it, into an
 * error message, an exception or a zod issue: errors say what is wrong, never what the value was.
 */
import * as z from '#contracts/zod';

/** The 31 check characters; G, I, O, Q and Z are left out so they cannot be misread. */
export const CHECK_CHARACTERS = '0123456789ABCDEFHJKLMNPRSTUVWXY';

/** First year of the century each sign stands for. */
export const CENTURY_SIGNS: Readonly<Record<string, number>> = Object.freeze({
  '+': 1800,
  '-': 1900,
  Y: 1900,
  X: 1900,
  W: 1900,
  V: 1900,
  U: 1900,
  A: 2000,
  B: 2000,
  C: 2000,
  D: 2000,
  E: 2000,
  F: 2000,
});

/** The sign `makeHetu` uses for a century when none is asked for: the one in use before 2023. */
const DEFAULT_SIGN_FOR_CENTURY: Readonly<Record<number, string>> = { 1800: '+', 1900: '-', 2000: 'A' };

/** Individual numbers from this one up are temporary codes. */
const FIRST_TEMPORARY_INDIVIDUAL_NUMBER = 900;
/** 000 and 001 are never issued. */
const LOWEST_ISSUED_INDIVIDUAL_NUMBER = 2;

/**
 * Loose shape of a code in a text — six digits, a plausible century sign (either case), three
 * digits and any letter or digit, standing as a token of its own — for scrubbing logs and error
 * texts. It over-matches on purpose (a malformed code is personal data too), but only a whole
 * token, so that an identifier that merely contains such a run (a UUID, a correlation id) stays
 * readable for tracing.
 *
 * The `g` flag makes `text.replace(HETU_PATTERN, '…')` replace every occurrence. Do not call
 * `HETU_PATTERN.test()` (a global regex keeps `lastIndex` between calls): use `containsHetuShape`.
 */
export const HETU_PATTERN = /(?<![0-9A-Za-z])\d{6}[-+A-FU-Ya-fu-y]\d{3}[0-9A-Za-z](?![0-9A-Za-z])/g;

/** Does the text contain anything shaped like a personal identity code? */
export const containsHetuShape = (text: string): boolean => new RegExp(HETU_PATTERN.source).test(text);

/** The text with everything shaped like a personal identity code replaced. */
export const scrubHetus = (text: string, replacement = '[HETU]'): string =>
  text.replace(new RegExp(HETU_PATTERN.source, 'g'), replacement);

export type HetuErrorCode =
  | 'length'
  | 'format'
  | 'century-sign'
  | 'date'
  | 'individual-number'
  | 'check-character';

/** What is wrong with a code. `message` never contains the code or any part of it. */
export interface HetuError {
  readonly code: HetuErrorCode;
  readonly message: string;
}

export interface Hetu {
  /** The code as DVV writes it: trimmed, upper case. */
  readonly code: string;
  /** Date of birth, ISO `YYYY-MM-DD`. */
  readonly birthDate: string;
  readonly centurySign: string;
  /** 2–999. */
  readonly individualNumber: number;
  /** Individual number 900–999: a temporary code. */
  readonly temporary: boolean;
}

export type HetuResult = { readonly ok: true; readonly hetu: Hetu } | { readonly ok: false; readonly error: HetuError };

const HETU_ERROR_MESSAGES: Readonly<Record<HetuErrorCode, string>> = {
  length: 'a personal identity code is eleven characters long; the value has a different length',
  format:
    'a personal identity code is six digits, a century sign, three digits and a check character; the value does not have that shape',
  // Written without digits, like every message here, so that no digit of the value can hide in it.
  'century-sign':
    'the century sign is not one of the signs in use (+ for the nineteenth century; -, U, V, W, X, Y for the twentieth; A to F for the twenty-first)',
  date: 'the date of birth in the code does not exist',
  'individual-number': 'the individual number is one that is never issued (the two lowest numbers are not in use)',
  'check-character': 'the check character does not match the date and individual number',
};

const failure = (code: HetuErrorCode): HetuResult => ({
  ok: false,
  error: { code, message: HETU_ERROR_MESSAGES[code] },
});

/** Thrown by the helpers that cannot return a result; its message carries no part of the code. */
export class InvalidHetuError extends Error {
  readonly reason: HetuErrorCode;
  constructor(error: HetuError) {
    super(`invalid personal identity code: ${error.message}`);
    this.name = 'InvalidHetuError';
    this.reason = error.code;
  }
}

const HETU_SHAPE = /^(\d{2})(\d{2})(\d{2})(.)(\d{3})(.)$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

const isLeapYear = (year: number): boolean => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

const daysInMonth = (year: number, month: number): number =>
  month === 2 ? (isLeapYear(year) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;

const dateExists = (year: number, month: number, day: number): boolean =>
  month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);

const pad = (value: number, width: number): string => String(value).padStart(width, '0');

const toIsoDate = (year: number, month: number, day: number): string =>
  `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;

/**
 * The check character for a date part `DDMMYY` and an individual number `NNN`.
 * Throws (without echoing the arguments) if they are not six and three digits.
 */
export function checkCharacter(ddmmyy: string, nnn: string | number): string {
  const individual = typeof nnn === 'number' ? pad(nnn, 3) : nnn;
  if (!/^\d{6}$/.test(ddmmyy) || !/^\d{3}$/.test(individual)) {
    throw new RangeError('checkCharacter: expects six digits DDMMYY and a three-digit individual number');
  }
  // Nine digits stay far below 2^53, so plain number arithmetic is exact.
  return CHECK_CHARACTERS.charAt(Number(ddmmyy + individual) % 31);
}

/**
 * Parse and validate a personal identity code. Surrounding whitespace is ignored and lower-case
 * letters are accepted; the result carries the normalised (upper-case) code. Never throws.
 *
 * Checks run in the order of the code's parts, so the first fault found is the one reported:
 * length, shape, century sign, date, individual number, check character.
 */
export function parseHetu(input: string): HetuResult {
  if (typeof input !== 'string') return failure('format');
  const trimmed = input.trim();
  if (trimmed.length !== 11) return failure('length');

  const parts = HETU_SHAPE.exec(trimmed.toUpperCase());
  if (!parts) return failure('format');
  const [, dd, mm, yy, sign, nnn, check] = parts as unknown as [string, string, string, string, string, string, string];

  const century = CENTURY_SIGNS[sign];
  if (century === undefined) return failure('century-sign');

  const year = century + Number(yy);
  const month = Number(mm);
  const day = Number(dd);
  if (!dateExists(year, month, day)) return failure('date');

  const individualNumber = Number(nnn);
  if (individualNumber < LOWEST_ISSUED_INDIVIDUAL_NUMBER) return failure('individual-number');

  if (checkCharacter(dd + mm + yy, nnn) !== check) return failure('check-character');

  return {
    ok: true,
    hetu: {
      code: `${dd}${mm}${yy}${sign}${nnn}${check}`,
      birthDate: toIsoDate(year, month, day),
      centurySign: sign,
      individualNumber,
      temporary: individualNumber >= FIRST_TEMPORARY_INDIVIDUAL_NUMBER,
    },
  };
}

/** Is this a valid personal identity code (temporary codes included)? */
export function isValidHetu(input: unknown): boolean {
  return typeof input === 'string' && parseHetu(input).ok;
}

const parseOrThrow = (input: string): Hetu => {
  const result = parseHetu(input);
  if (!result.ok) throw new InvalidHetuError(result.error);
  return result.hetu;
};

/** Date of birth (ISO `YYYY-MM-DD`) of a code; throws `InvalidHetuError` if the code is invalid. */
export function birthDateOf(hetu: Hetu | string): string {
  return typeof hetu === 'string' ? parseOrThrow(hetu).birthDate : hetu.birthDate;
}

interface CalendarDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

const parseIsoDate = (iso: string, what: string): CalendarDate => {
  const parts = ISO_DATE.exec(iso);
  const date = parts && { year: Number(parts[1]), month: Number(parts[2]), day: Number(parts[3]) };
  if (!date || !dateExists(date.year, date.month, date.day)) {
    throw new RangeError(`${what} must be an existing date written YYYY-MM-DD`);
  }
  return date;
};

const compareDates = (a: CalendarDate, b: CalendarDate): number =>
  a.year - b.year || a.month - b.month || a.day - b.day;

/**
 * The day in `year` on which someone born on `birth` becomes a year older.
 *
 * Someone born on 29 February becomes a year older on 1 March in a common year: the age is
 * reached on the day after 28 February. This is the Finnish rule koto-hub applies
 * (docs/DESIGN.md "Outreach rules", rule 1: the 18th birthday is on or before D). It deliberately
 * does not borrow the deadline rule of the Act on the Calculation of Statutory Time Limits (laki
 * säädettyjen määräaikain laskemisesta 150/1930, 4 §), under which a period ending in a month
 * without the matching day ends on that month's last day; that would make 28 February the
 * birthday instead.
 */
const anniversaryIn = (birth: CalendarDate, year: number): CalendarDate =>
  birth.month === 2 && birth.day === 29 && !isLeapYear(year) ? { year, month: 3, day: 1 } : { year, month: birth.month, day: birth.day };

/** A string is read as an ISO birth date when it looks like one, otherwise as a code. */
const birthOf = (hetuOrBirthDate: Hetu | string): CalendarDate => {
  const birthDate =
    typeof hetuOrBirthDate !== 'string'
      ? hetuOrBirthDate.birthDate
      : ISO_DATE.test(hetuOrBirthDate)
        ? hetuOrBirthDate
        : parseOrThrow(hetuOrBirthDate).birthDate;
  return parseIsoDate(birthDate, 'the birth date');
};

/**
 * Age in whole years on `isoDate` of someone identified by a code (string or parsed) or by an ISO
 * birth date. A new year of age starts on the birthday itself; for 29 February see `anniversaryIn`.
 * Throws a `RangeError` if `isoDate` is before the birth date.
 */
export function ageOn(hetuOrBirthDate: Hetu | string, isoDate: string): number {
  const birth = birthOf(hetuOrBirthDate);
  const on = parseIsoDate(isoDate, 'the date');
  if (compareDates(on, birth) < 0) throw new RangeError('ageOn: the date is before the date of birth');
  const years = on.year - birth.year;
  return compareDates(on, anniversaryIn(birth, on.year)) < 0 ? years - 1 : years;
}

/** Adult (18 or older) on `isoDate`: the 18th birthday is on or before that date (outreach rule 1). */
export function isAdultOn(hetuOrBirthDate: Hetu | string, isoDate: string): boolean {
  const birth = birthOf(hetuOrBirthDate);
  const on = parseIsoDate(isoDate, 'the date');
  return compareDates(anniversaryIn(birth, birth.year + 18), on) <= 0;
}

/**
 * A valid code for a date of birth and an individual number (2–999; 900+ gives a temporary
 * code), for tests and the fixture generator. `sign` defaults to the century's pre-2023 sign
 * (`+`, `-`, `A`); any sign of the right century may be asked for.
 */
export function makeHetu(birthDate: string, individualNumber: number, sign?: string): string {
  const birth = parseIsoDate(birthDate, 'makeHetu: the birth date');
  const century = Math.floor(birth.year / 100) * 100;
  const centurySign = sign ?? DEFAULT_SIGN_FOR_CENTURY[century];
  if (centurySign === undefined || CENTURY_SIGNS[centurySign] !== century) {
    throw new RangeError('makeHetu: the century sign must be one in use for the century of the birth year (1800–2099)');
  }
  if (!Number.isInteger(individualNumber) || individualNumber < LOWEST_ISSUED_INDIVIDUAL_NUMBER || individualNumber > 999) {
    throw new RangeError('makeHetu: the individual number must be an integer from 2 to 999');
  }
  const ddmmyy = pad(birth.day, 2) + pad(birth.month, 2) + pad(birth.year % 100, 2);
  const nnn = pad(individualNumber, 3);
  return `${ddmmyy}${centurySign}${nnn}${checkCharacter(ddmmyy, nnn)}`;
}

/**
 * A personal identity code in a message schema. Accepts what `parseHetu` accepts and outputs the
 * normalised code. The issue names the fault (`params.reason` is the `HetuErrorCode`) but never
 * the value; zod leaves the input out of issues unless a caller asks for `reportInput`.
 */
export const hetuSchema = z
  .string()
  .check(
    z.trim(),
    z.toUpperCase(),
    z.superRefine((code, ctx) => {
      const result = parseHetu(code);
      if (!result.ok) {
        ctx.addIssue({
          code: 'custom',
          message: `invalid personal identity code: ${result.error.message}`,
          params: { reason: result.error.code },
        });
      }
    }),
  )
  .register(z.globalRegistry, {
    title: 'Personal identity code (henkilötunnus)',
    description:
      'Finnish personal identity code DDMMYYCNNNQ; century signs + - U V W X Y A B C D E F. Checked by the hub: a real date, an individual number from 002, and the check character (DDMMYYNNN mod 31)',
  });
