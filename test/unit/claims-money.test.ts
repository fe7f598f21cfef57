import { describe, expect, it } from 'vitest';
import { formatFinnishEuros, MAX_ROW_CENTS, NotCentsError, parseFinnishEuros, sumCents } from '#contracts/claims/money';
import { isValidBusinessId, businessIdSchema } from '#contracts/business-id';

const cents = (text: string): number => {
  const result = parseFinnishEuros(text);
  if (!result.ok) throw new Error(`expected ${text} to parse: ${result.problem}`);
  return result.cents;
};

describe('Finnish euro amounts as integer cents', () => {
  it.each([
    ['1 284,50', 128450],
    ['1284,5', 128450],
    ['0,07', 7],
    ['12', 1200],
    ['007,10', 710],
    ['1\u00a0000\u00a0000,01', 100000001],
    ['1\u202f234,56', 123456],
    ['  89,90 ', 8990],
  ])('reads %j as %i cents', (text, expected) => {
    expect(cents(text)).toBe(expected);
  });

  it('reads the largest row amount exactly, where a float of euros times 100 would not', () => {
    expect(cents('100 000 000,00')).toBe(MAX_ROW_CENTS);
    expect(cents('99 999 999,99')).toBe(9_999_999_999);
    // The float route this parser avoids: 1.15 euros is 114.99999999999999 cents.
    expect(1.15 * 100).not.toBe(115);
    expect(cents('1,15')).toBe(115);
  });

  it.each([
    ['', 'is empty'],
    ['-12,00', 'must not be negative'],
    ['12.50', 'decimal comma'],
    ['12,505', 'at most two decimals'],
    ['1 23,00', 'decimal comma'],
    ['12,-', 'decimal comma'],
    ['1e3', 'decimal comma'],
    ['100 000 000,01', 'larger than'],
    ['12345678901,00', 'larger than'],
  ])('refuses %j, saying what is wrong without the text', (text, problem) => {
    const result = parseFinnishEuros(text);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problem).toContain(problem);
      if (text.trim().length > 2) expect(result.problem).not.toContain(text.trim());
    }
  });

  it('formats cents back to what it reads, for every amount tried', () => {
    for (const amount of [0, 1, 9, 10, 99, 100, 101, 123456, 100000000, 9_999_999_999, 1_000_000_007]) {
      expect(cents(formatFinnishEuros(amount))).toBe(amount);
    }
    expect(formatFinnishEuros(128450)).toBe('1\u00a0284,50');
  });
});

describe('sums of cents', () => {
  it('adds exactly: a thousand rows of 0,10 are 100,00, where floats of euros drift', () => {
    const rows = Array.from({ length: 1000 }, () => cents('0,10'));
    expect(sumCents(rows)).toBe(10000);
    expect(Array.from({ length: 1000 }, () => 0.1).reduce((a, b) => a + b, 0)).not.toBe(100);
  });

  it('refuses an amount that is not an integer number of cents: a float got in', () => {
    expect(() => sumCents([1250, 0.1 + 0.2], 'claim total')).toThrow(NotCentsError);
    expect(() => sumCents([1250, 0.1 + 0.2], 'claim total')).toThrow(/claim total/);
    expect(() => sumCents([Number.MAX_SAFE_INTEGER, 1])).toThrow(NotCentsError);
  });
});

describe('business ID (Y-tunnus)', () => {
  it.each(['0209602-6', '0201256-6', '0245437-2', '1765514-2'])('accepts %s', (id) => {
    expect(isValidBusinessId(id)).toBe(true);
    expect(businessIdSchema.safeParse(id).success).toBe(true);
  });

  it.each([
    ['0209602-5', 'check digit'],
    ['0209600-0', 'check digit'], // remainder 1: no check digit is ever issued for it
    ['209602-6', 'like 0245437-2'],
    ['02096026', 'like 0245437-2'],
  ])('refuses %s', (id, message) => {
    expect(isValidBusinessId(id)).toBe(false);
    const result = businessIdSchema.safeParse(id);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toContain(message);
  });
});
