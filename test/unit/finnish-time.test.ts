import { describe, expect, it } from 'vitest';
import { finnishDay, finnishMonth } from '#lib/finnish-time';

describe('days and months in Finnish time', () => {
  it('turns the day at midnight in Finland, UTC+3 in summer and UTC+2 in winter', () => {
    expect(finnishDay(new Date('2026-05-09T20:59:59.000Z'))).toBe('2026-05-09');
    expect(finnishDay(new Date('2026-05-09T21:00:00.000Z'))).toBe('2026-05-10');
    expect(finnishDay(new Date('2026-12-31T21:59:59.000Z'))).toBe('2026-12-31');
    expect(finnishDay(new Date('2026-12-31T22:00:00.000Z'))).toBe('2027-01-01');
    expect(finnishMonth(new Date('2026-12-31T22:00:00.000Z'))).toBe('2027-01');
  });
});
