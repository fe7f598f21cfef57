/** Claims from accepted rows: grouping, the stable claim number, and sums that reconcile in cents. */
import { describe, expect, it } from 'vitest';
import { makeHetu } from '#contracts/hetu';
import { notFoundResidence, type ResidenceV1 } from '#contracts/canonical/residence';
import { CLAIM_NUMBER, claimV1, groupClaims } from '#contracts/claims/claim';
import { compensationTypes } from '#contracts/claims/compensation';
import type { CostRowV1 } from '#contracts/claims/cost-rows';
import { decideRows } from '#contracts/claims/eligibility';
import { sumCents } from '#contracts/claims/money';

const HETU = makeHetu('1988-07-21', 904);
const row = (voucher: string, overrides: Partial<CostRowV1> = {}): CostRowV1 => ({
  voucher,
  hetu: HETU,
  compensationType: 'SPECIAL_COSTS',
  from: '2026-09-01',
  to: '2026-09-30',
  amountCents: 1000,
  ...overrides,
});

describe('grouping accepted rows into claims', () => {
  it('makes one claim per type and calendar half-year of the last day, with its total in cents', () => {
    const claims = groupClaims('905', '0209602-6', [
      row('A', { to: '2026-06-30', from: '2026-06-01' }),
      row('B', { from: '2026-06-20', to: '2026-07-01', amountCents: 250 }),
      row('C', { amountCents: 7 }),
      row('D', { compensationType: 'INTERPRETATION' }),
    ]);
    expect(claims.map((c) => [c.compensationType, c.period, c.rows.map((r) => r.voucher), c.totalCents])).toEqual([
      ['INTERPRETATION', '2026H2', ['D'], 1000],
      ['SPECIAL_COSTS', '2026H1', ['A'], 1000],
      ['SPECIAL_COSTS', '2026H2', ['B', 'C'], 257],
    ]);
    for (const claim of claims) expect(claimV1.safeParse(claim).success).toBe(true);
  });

  it('numbers a claim from its rows alone: the same rows in any order give the same number, another row another', () => {
    const rows = [row('A'), row('B'), row('C')];
    const [first] = groupClaims('905', '0209602-6', rows);
    const [again] = groupClaims('905', '0209602-6', [...rows].reverse());
    const [more] = groupClaims('905', '0209602-6', [...rows, row('D')]);
    const [elsewhere] = groupClaims('091', '0201256-6', rows);
    expect(first!.claimNumber).toMatch(CLAIM_NUMBER);
    expect(again!.claimNumber).toBe(first!.claimNumber);
    expect(more!.claimNumber).not.toBe(first!.claimNumber);
    expect(elsewhere!.claimNumber).not.toBe(first!.claimNumber);
  });

  it('puts nothing personal in the claim number', () => {
    const [claim] = groupClaims('905', '0209602-6', [row('A')]);
    const [other] = groupClaims('905', '0209602-6', [row('A', { hetu: makeHetu('1970-01-01', 905) })]);
    expect(other!.claimNumber).toBe(claim!.claimNumber);
    expect(claim!.claimNumber).not.toContain(HETU.slice(0, 6));
  });

  it('refuses a float amount instead of summing it', () => {
    expect(() => groupClaims('905', '0209602-6', [row('A', { amountCents: 0.1 }), row('B', { amountCents: 0.2 })])).toThrow(/not an integer number of cents/);
  });
});

describe('reconciliation (property): for generated rows, the sums match exactly at every step', () => {
  // A small seeded generator (mulberry32): the same cases on every run, many of them.
  const random = (seed: number) => () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };

  it.each([1, 2, 3, 4, 5, 6, 7, 8])('seed %i: rows in = accepted + refused; accepted = the claims’ totals', (seed) => {
    const next = random(seed);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
    const persons = Array.from({ length: 6 }, (_, i) => makeHetu(`19${80 + i}-0${1 + i}-1${i}`, 300 + i));
    const residenceOf = (hetu: string): ResidenceV1 =>
      next() < 0.15
        ? notFoundResidence(hetu)
        : {
            ...notFoundResidence(hetu),
            found: true,
            firstPermitDate: '2024-01-15',
            permitType: 'A',
            ground: pick(['international-protection', 'temporary-protection', 'work'] as const),
            permits: [{ permitType: 'A', ground: pick(['international-protection', 'temporary-protection', 'work'] as const), grantedOn: '2024-01-15', from: '2024-01-15', until: null }],
            firstHomeMunicipality: next() < 0.8 ? { code: '905', since: '2024-03-01' } : null,
          };
    const facts = new Map(persons.map((hetu) => [hetu, { residence: residenceOf(hetu), family: [] }]));
    const rows: CostRowV1[] = Array.from({ length: 200 }, (_, i) => {
      const type = pick(compensationTypes);
      const from = `202${4 + Math.floor(next() * 3)}-${String(1 + Math.floor(next() * 12)).padStart(2, '0')}-0${1 + Math.floor(next() * 9)}`;
      return {
        voucher: next() < 0.05 && i > 0 ? `V-${i - 1}` : `V-${i}`,
        hetu: type === 'PREPAREDNESS' ? null : next() < 0.03 ? '131052-308U' : pick(persons),
        compensationType: type,
        from,
        to: from,
        amountCents: 1 + Math.floor(next() * 5_000_000),
      };
    });
    const verdicts = decideRows(rows, (hetu) => facts.get(hetu) ?? { residence: null, family: [] }, { today: '2027-06-30', claimedVouchers: new Set(['V-7']) });
    const accepted = rows.filter((_, i) => verdicts[i]!.verdict === 'ACCEPTED');
    const refused = rows.filter((_, i) => verdicts[i]!.verdict === 'REFUSED');
    expect(accepted.length + refused.length).toBe(rows.length);
    expect(sumCents(accepted.map((r) => r.amountCents)) + sumCents(refused.map((r) => r.amountCents))).toBe(sumCents(rows.map((r) => r.amountCents)));
    expect(accepted.length).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0);

    const claims = groupClaims('905', '0209602-6', accepted);
    expect(sumCents(claims.map((c) => c.totalCents))).toBe(sumCents(accepted.map((r) => r.amountCents)));
    expect(claims.flatMap((c) => c.rows.map((r) => r.voucher)).sort()).toEqual(accepted.map((r) => r.voucher).sort());
    for (const claim of claims) expect(claimV1.safeParse(claim).success).toBe(true);
  });
});
