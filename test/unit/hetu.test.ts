import { describe, expect, it } from 'vitest';
import * as z from '#contracts/zod';
import {
  HETU_PATTERN,
  InvalidHetuError,
  ageOn,
  birthDateOf,
  checkCharacter,
  containsHetuShape,
  hetuSchema,
  isAdultOn,
  isValidHetu,
  makeHetu,
  parseHetu,
  scrubHetus,
  type HetuErrorCode,
} from '#contracts/hetu';

// An implementation of the check written separately from the module's, so the tests do not
// just agree with themselves: remainder by long division over the nine digits.
const CHECKS = '0123456789ABCDEFHJKLMNPRSTUVWXY';
const independentCheck = (ddmmyy: string, nnn: string): string => {
  let remainder = 0;
  for (const digit of ddmmyy + nnn) remainder = (remainder * 10 + Number(digit)) % 31;
  return CHECKS.charAt(remainder);
};
const independentCode = (ddmmyy: string, sign: string, nnn: string): string =>
  `${ddmmyy}${sign}${nnn}${independentCheck(ddmmyy, nnn)}`;

// A small seeded generator keeps the property-style loops repeatable.
const seededRandom = (seed: number) => () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};
const random = seededRandom(20250101);
const randomInt = (min: number, max: number): number => min + Math.floor(random() * (max - min + 1));
const pick = <T>(items: readonly T[]): T => items[randomInt(0, items.length - 1)] as T;

const SIGNS_BY_CENTURY = { 1800: ['+'], 1900: ['-', 'Y', 'X', 'W', 'V', 'U'], 2000: ['A', 'B', 'C', 'D', 'E', 'F'] } as const;
const ALL_SIGNS: readonly string[] = Object.values(SIGNS_BY_CENTURY).flat();
const centuryOfSign = (sign: string): number =>
  Number(Object.entries(SIGNS_BY_CENTURY).find(([, signs]) => (signs as readonly string[]).includes(sign))?.[0]);

/** A random existing date, checked with the platform's calendar rather than the module's. */
const randomBirthDate = (): { iso: string; ddmmyy: string; year: number } => {
  const year = randomInt(1800, 2099);
  const date = new Date(Date.UTC(year, 0, 1) + randomInt(0, 365) * 86_400_000);
  if (date.getUTCFullYear() !== year) date.setUTCDate(date.getUTCDate() - 1);
  const dd = String(date.getUTCDate()).padStart(2, '0');
  const mm = String(date.getUTCMonth() + 1).padStart(2, '0');
  return { iso: `${year}-${mm}-${dd}`, ddmmyy: `${dd}${mm}${String(year % 100).padStart(2, '0')}`, year };
};

const errorCodeOf = (input: string): HetuErrorCode | undefined => {
  const result = parseHetu(input);
  return result.ok ? undefined : result.error.code;
};

describe('parseHetu accepts valid codes', () => {
  it('reads the date of birth and individual number of a known-good code', () => {
    expect(parseHetu('131052-308T')).toEqual({
      ok: true,
      hetu: { code: '131052-308T', birthDate: '1952-10-13', centurySign: '-', individualNumber: 308, temporary: false },
    });
  });

  it.each([
    ['010180+320D', '1880-01-01'],
    ['131052-308T', '1952-10-13'],
    ['010594Y9021', '1994-05-01'],
    ['020594X903P', '1994-05-02'],
    ['010190W123M', '1990-01-01'],
    ['311299V5554', '1999-12-31'],
    ['150875U246D', '1975-08-15'],
    ['010101A002S', '2001-01-01'],
    ['290200B4860', '2000-02-29'],
    ['311223C899L', '2023-12-31'],
    ['070707D707S', '2007-07-07'],
    ['010125E950J', '2025-01-01'],
    ['281230F999P', '2030-12-28'],
  ])('accepts %s, born %s (every century sign, written out by hand)', (code, birthDate) => {
    const result = parseHetu(code);
    expect(result.ok && result.hetu.birthDate).toBe(birthDate);
  });

  it.each(ALL_SIGNS)('accepts generated codes with century sign %s for dates across its century', (sign) => {
    const century = centuryOfSign(sign);
    for (let i = 0; i < 200; i++) {
      const birth = randomBirthDate();
      const year = century + (birth.year % 100);
      const nnn = String(randomInt(2, 999)).padStart(3, '0');
      const code = independentCode(birth.ddmmyy, sign, nnn);
      const result = parseHetu(code);
      expect(result.ok, code).toBe(true);
      if (result.ok) expect(result.hetu.birthDate.slice(0, 4)).toBe(String(year));
    }
  });

  it('normalises lower case letters to upper case', () => {
    const result = parseHetu('131052-308t');
    expect(result.ok && result.hetu.code).toBe('131052-308T');
    const newSign = parseHetu('010101a002s');
    expect(newSign.ok && newSign.hetu.code).toBe('010101A002S');
  });

  it('ignores whitespace around the code', () => {
    const result = parseHetu(' \t131052-308T\n');
    expect(result.ok && result.hetu.code).toBe('131052-308T');
  });

  it('accepts individual numbers 002 to 899 as ordinary and 900 to 999 as temporary codes', () => {
    const at = (nnn: string) => parseHetu(independentCode('131052', '-', nnn));
    expect(at('002')).toMatchObject({ ok: true, hetu: { individualNumber: 2, temporary: false } });
    expect(at('899')).toMatchObject({ ok: true, hetu: { individualNumber: 899, temporary: false } });
    expect(at('900')).toMatchObject({ ok: true, hetu: { individualNumber: 900, temporary: true } });
    expect(at('999')).toMatchObject({ ok: true, hetu: { individualNumber: 999, temporary: true } });
  });
});

describe('parseHetu rejects invalid codes and says which part is wrong', () => {
  it('rejects a wrong check character', () => {
    expect(errorCodeOf('131052-308U')).toBe('check-character');
    expect(errorCodeOf('131052-308G')).toBe('check-character');
  });

  it('rejects every wrong check character for generated codes', () => {
    for (let i = 0; i < 100; i++) {
      const birth = randomBirthDate();
      const nnn = String(randomInt(2, 999)).padStart(3, '0');
      const right = independentCheck(birth.ddmmyy, nnn);
      const wrong = pick([...CHECKS].filter((c) => c !== right));
      expect(errorCodeOf(`${birth.ddmmyy}-${nnn}${wrong}`)).toBe('check-character');
    }
  });

  it.each([
    ['31 April', independentCode('310423', '-', '123')],
    ['29 February in a common year (2023)', independentCode('290223', 'A', '123')],
    ['30 February', independentCode('300200', '-', '123')],
    ['29 February 1900 (not a leap year)', independentCode('290200', '-', '123')],
    ['day zero', independentCode('000190', '-', '123')],
    ['month thirteen', independentCode('011390', '-', '123')],
  ])('rejects a date that does not exist: %s', (_what, code) => {
    expect(errorCodeOf(code)).toBe('date');
  });

  it('accepts 29 February in a leap year (2000 is one, being divisible by 400)', () => {
    expect(errorCodeOf(independentCode('290200', 'A', '123'))).toBeUndefined();
  });

  it.each([
    ['empty', ''],
    ['too short', '131052-308'],
    ['too long', '131052-308TT'],
    ['without a century sign', '131052308T'],
    ['with a space inside', '131052 -308T'],
  ])('rejects a code of the wrong length: %s', (_what, code) => {
    expect(errorCodeOf(code)).toBe('length');
  });

  it.each([
    ['a letter in the date', '13105A-308T'],
    ['a letter in the individual number', '131052-3O8T'],
    ['a space in place of a digit', '13105 -308T'],
    ['a non-ASCII digit', '13105٢-308T'],
  ])('rejects a code that is not digits where digits belong: %s', (_what, code) => {
    expect(errorCodeOf(code)).toBe('format');
  });

  it.each(['G', 'Z', 'T', '*', '/'])('rejects century sign %s', (sign) => {
    expect(errorCodeOf(independentCode('131052', sign, '308'))).toBe('century-sign');
  });

  it.each(['000', '001'])('rejects individual number %s, which is never issued', (nnn) => {
    expect(errorCodeOf(independentCode('131052', '-', nnn))).toBe('individual-number');
  });

  it('treats a value that is not a string as malformed instead of throwing', () => {
    expect(errorCodeOf(131052 as unknown as string)).toBe('format');
    expect(isValidHetu(undefined)).toBe(false);
  });
});

describe('errors never contain the code or any part of it', () => {
  /** Mutations of valid codes, so every kind of fault shows up many times. */
  const faultyCodes = (): string[] => {
    const codes: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const birth = randomBirthDate();
      const nnn = random() < 0.05 ? pick(['000', '001']) : String(randomInt(2, 999)).padStart(3, '0');
      const chars = [...independentCode(birth.ddmmyy, pick(ALL_SIGNS), nnn)];
      const mutation = randomInt(0, 4);
      if (mutation === 0) chars[randomInt(0, 10)] = pick([...'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-+ ']);
      if (mutation === 1) chars.splice(randomInt(0, 10), 1);
      if (mutation === 2) chars.push(pick([...'0123456789X']));
      if (mutation === 3) chars.splice(0, 4, ...pick(['3104', '3002', '0013', '3206']));
      // mutation 4 leaves the code as it is: valid, or faulty only in its individual number.
      codes.push(random() < 0.2 ? chars.join('').toLowerCase() : chars.join(''));
    }
    return codes;
  };

  const assertLeaksNothing = (text: string, code: string) => {
    const trimmed = code.trim();
    expect(text).not.toContain(trimmed);
    expect(text.toUpperCase()).not.toContain(trimmed.toUpperCase());
    // No digits at all: so no date part, individual number or check digit can slip in.
    expect(text).not.toMatch(/\d/);
  };

  it('in parseHetu results, zod issues and thrown errors, for thousands of faulty codes', () => {
    const seen = new Set<HetuErrorCode>();
    for (const code of faultyCodes()) {
      const result = parseHetu(code);
      if (result.ok) continue;
      seen.add(result.error.code);
      assertLeaksNothing(result.error.message, code);
      assertLeaksNothing(JSON.stringify(result), code);

      const parsed = hetuSchema.safeParse(code);
      expect(parsed.success).toBe(false);
      if (!parsed.success) {
        assertLeaksNothing(parsed.error.message, code);
        assertLeaksNothing(JSON.stringify(parsed.error.issues), code);
      }

      let thrown: unknown;
      try {
        birthDateOf(code);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(InvalidHetuError);
      assertLeaksNothing(String((thrown as Error).message), code);
      assertLeaksNothing(String((thrown as Error).stack ?? '').split('\n')[0] ?? '', code);
    }
    // The loop must have exercised every kind of fault, or it proves less than it claims.
    expect([...seen].sort()).toEqual(['century-sign', 'check-character', 'date', 'format', 'individual-number', 'length']);
  });

  it('in helpers that throw on bad arguments', () => {
    const messages: string[] = [];
    const capture = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        messages.push((error as Error).message);
      }
    };
    capture(() => ageOn('131052-308U', '2025-01-01'));
    capture(() => isAdultOn('131052-308U', '2025-01-01'));
    capture(() => ageOn('1952-10-13', '1952-10-12'));
    capture(() => ageOn('1952-13-13', '2025-01-01'));
    capture(() => makeHetu('1952-02-30', 308));
    capture(() => makeHetu('1952-10-13', 1000));
    capture(() => checkCharacter('13105', '308'));
    expect(messages).toHaveLength(7);
    for (const message of messages) {
      expect(message).not.toMatch(/1310|1952|308|2025/);
    }
  });
});

describe('checkCharacter and makeHetu', () => {
  it('computes the check character from the date and individual number', () => {
    expect(checkCharacter('131052', '308')).toBe('T');
    expect(checkCharacter('131052', 308)).toBe('T');
    expect(checkCharacter('010101', 2)).toBe('S');
  });

  it('agrees with an independent computation for many random inputs', () => {
    for (let i = 0; i < 2000; i++) {
      const ddmmyy = String(randomInt(0, 999_999)).padStart(6, '0');
      const nnn = String(randomInt(0, 999)).padStart(3, '0');
      expect(checkCharacter(ddmmyy, nnn)).toBe(independentCheck(ddmmyy, nnn));
    }
  });

  it('builds codes that parse back to the same date and number', () => {
    for (let i = 0; i < 1000; i++) {
      const birth = randomBirthDate();
      const individualNumber = randomInt(2, 999);
      const century = (Math.floor(birth.year / 100) * 100) as keyof typeof SIGNS_BY_CENTURY;
      const sign = random() < 0.5 ? undefined : pick(SIGNS_BY_CENTURY[century]);
      const code = makeHetu(birth.iso, individualNumber, sign);
      expect(code).toBe(independentCode(birth.ddmmyy, sign ?? { 1800: '+', 1900: '-', 2000: 'A' }[century], String(individualNumber).padStart(3, '0')));
      expect(parseHetu(code)).toMatchObject({ ok: true, hetu: { birthDate: birth.iso, individualNumber, temporary: individualNumber >= 900 } });
    }
  });

  it('makes the known-good example code', () => {
    expect(makeHetu('1952-10-13', 308)).toBe('131052-308T');
  });

  it('refuses a sign of another century, a year outside 1800–2099 and unissued numbers', () => {
    expect(() => makeHetu('1952-10-13', 308, 'A')).toThrow(RangeError);
    expect(() => makeHetu('1752-10-13', 308)).toThrow(RangeError);
    expect(() => makeHetu('2100-01-01', 308)).toThrow(RangeError);
    expect(() => makeHetu('1952-10-13', 1)).toThrow(RangeError);
    expect(() => makeHetu('1952-10-13', 2.5)).toThrow(RangeError);
  });
});

describe('birthDateOf, ageOn and isAdultOn', () => {
  it('gives the birth date of a code or of a parsed code', () => {
    expect(birthDateOf('131052-308T')).toBe('1952-10-13');
    const parsed = parseHetu('010101A002S');
    if (!parsed.ok) throw new Error('fixture must be valid');
    expect(birthDateOf(parsed.hetu)).toBe('2001-01-01');
  });

  it('is 17 the day before the 18th birthday and 18 on the day', () => {
    expect(ageOn('2007-05-15', '2025-05-14')).toBe(17);
    expect(ageOn('2007-05-15', '2025-05-15')).toBe(18);
    expect(isAdultOn('2007-05-15', '2025-05-14')).toBe(false);
    expect(isAdultOn('2007-05-15', '2025-05-15')).toBe(true);
  });

  it('takes a code, a parsed code or an ISO birth date alike', () => {
    const code = makeHetu('2007-05-15', 123, 'A');
    const parsed = parseHetu(code);
    if (!parsed.ok) throw new Error('fixture must be valid');
    for (const person of [code, parsed.hetu, '2007-05-15']) {
      expect(ageOn(person, '2025-05-15')).toBe(18);
      expect(isAdultOn(person, '2025-05-14')).toBe(false);
    }
  });

  it('is zero on the day of birth and counts across centuries', () => {
    expect(ageOn('2007-05-15', '2007-05-15')).toBe(0);
    expect(ageOn('131052-308T', '2025-10-12')).toBe(72);
    expect(ageOn('131052-308T', '2025-10-13')).toBe(73);
    expect(ageOn('010180+320D', '1980-01-01')).toBe(100);
  });

  it('makes someone born on 29 February a year older on 1 March in a common year', () => {
    expect(ageOn('2008-02-29', '2026-02-28')).toBe(17);
    expect(ageOn('2008-02-29', '2026-03-01')).toBe(18);
    expect(isAdultOn('2008-02-29', '2026-02-28')).toBe(false);
    expect(isAdultOn('2008-02-29', '2026-03-01')).toBe(true);
  });

  it('makes someone born on 29 February a year older on 29 February in a leap year', () => {
    expect(ageOn('2004-02-29', '2024-02-28')).toBe(19);
    expect(ageOn('2004-02-29', '2024-02-29')).toBe(20);
    expect(isAdultOn('2006-02-28', '2024-02-28')).toBe(true);
  });

  it('refuses a date before the birth and dates that do not exist', () => {
    expect(() => ageOn('2007-05-15', '2007-05-14')).toThrow(RangeError);
    expect(() => ageOn('2007-05-15', '2025-02-29')).toThrow(RangeError);
    expect(() => ageOn('2007-05-15', '15.5.2025')).toThrow(RangeError);
    expect(isAdultOn('2007-05-15', '2007-05-14')).toBe(false);
  });

  it('refuses an invalid code with an InvalidHetuError naming the fault', () => {
    expect(() => ageOn('131052-308U', '2025-01-01')).toThrow(InvalidHetuError);
    try {
      ageOn('131052-308U', '2025-01-01');
    } catch (error) {
      expect((error as InvalidHetuError).reason).toBe('check-character');
    }
  });
});

describe('hetuSchema', () => {
  const message = z.object({ hetu: hetuSchema });

  it('accepts a valid code and outputs it normalised', () => {
    expect(message.parse({ hetu: ' 131052-308t ' })).toEqual({ hetu: '131052-308T' });
    expect(hetuSchema.parse('010594Y9021')).toBe('010594Y9021');
  });

  it('names the fault in the issue, with its code in params, and not the value', () => {
    const result = message.safeParse({ hetu: '131052-308U' });
    expect(result.success).toBe(false);
    if (result.success) return;
    const [issue] = result.error.issues;
    expect(issue).toMatchObject({ code: 'custom', path: ['hetu'], params: { reason: 'check-character' } });
    expect(issue?.message).toMatch(/check character/);
    expect(JSON.stringify(result.error)).not.toMatch(/131052|308U/);
    expect(issue).not.toHaveProperty('input');
  });

  it('rejects a value that is not a string without echoing it', () => {
    const result = message.safeParse({ hetu: 131052308 });
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error)).not.toContain('131052308');
  });

  it('can be turned into JSON Schema for the published contracts', () => {
    expect(z.toJSONSchema(message)).toMatchObject({ properties: { hetu: { type: 'string' } } });
  });
});

describe('HETU_PATTERN for scrubbing', () => {
  it('finds valid, lower-case and malformed codes alike', () => {
    const text = 'a=131052-308T; b=131052-308t, c=010101a002s d=131052-308U e:"290223A1237"';
    expect(text.match(HETU_PATTERN)).toHaveLength(5);
    expect(scrubHetus(text)).toBe('a=[HETU]; b=[HETU], c=[HETU] d=[HETU] e:"[HETU]"');
    expect(containsHetuShape(text)).toBe(true);
    expect(containsHetuShape(text)).toBe(true);
  });

  it('scrubs every code made by makeHetu', () => {
    for (let i = 0; i < 500; i++) {
      const birth = randomBirthDate();
      const code = makeHetu(birth.iso, randomInt(2, 999));
      expect(scrubHetus(`person ${code} moved`)).toBe('person [HETU] moved');
    }
  });

  it('leaves identifiers and timestamps that merely contain a similar run alone', () => {
    const text = 'correlation 12345678-1234-4123-8123-123456b7890c at 20250101T120000Z, 2025-01-01T12:00:00Z';
    expect(containsHetuShape(text)).toBe(false);
    expect(scrubHetus(text)).toBe(text);
  });
});
