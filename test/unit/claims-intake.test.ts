/**
 * The pure parts of claims-intake: which persons UMA is asked about (each valid HETU once, then the
 * family UMA links them to, once), the deadline warning's boundary days, and the configuration of
 * its period.
 */
import { describe, expect, it } from 'vitest';
import { makeHetu } from '#contracts/hetu';
import { notFoundResidence, type ResidenceV1 } from '#contracts/canonical/residence';
import type { ClaimsRowDecidedV1 } from '#contracts/messages/claims';
import { lookUpPersons } from '#functions/claims/facts';
import { deadlineWarnings, deadlineWarningDays } from '#functions/claims/intake';

const P = makeHetu('1990-01-01', 401);
const Q = makeHetu('1991-01-01', 402);
const SPOUSE = makeHetu('1989-01-01', 403);
const CHILD = makeHetu('2015-01-01', 404);

const found = (hetu: string, family: string[] = []): ResidenceV1 => ({
  ...notFoundResidence(hetu),
  found: true,
  firstPermitDate: '2024-01-01',
  permitType: 'A',
  ground: 'international-protection',
  familyLinks: family.map((h) => ({ hetu: h, relation: 'spouse' })),
});

describe('lookUpPersons', () => {
  it('asks UMA once per valid HETU and once per linked family member, and never about a malformed code', async () => {
    const asked: string[] = [];
    const records = new Map([
      [P, found(P, [SPOUSE, CHILD])],
      [Q, found(Q, [SPOUSE])],
      [SPOUSE, found(SPOUSE)],
    ]);
    const factsOf = await lookUpPersons(async (hetu) => (asked.push(hetu), records.get(hetu) ?? notFoundResidence(hetu)), [P, Q, P, null, '131052-308U', Q]);
    expect(asked.sort()).toEqual([P, Q, SPOUSE, CHILD].sort());
    expect(factsOf(P).residence?.hetu).toBe(P);
    expect(factsOf(P).family.map((f) => f.hetu).sort()).toEqual([SPOUSE, CHILD].sort());
    expect(factsOf('131052-308U')).toEqual({ residence: null, family: [] });
  });

  it('asks nothing about the family of a person UMA does not know', async () => {
    const asked: string[] = [];
    await lookUpPersons(async (hetu) => (asked.push(hetu), notFoundResidence(hetu)), [P]);
    expect(asked).toEqual([P]);
  });

  it('fails as UMA fails: a transient error of one lookup is the batch’s', async () => {
    await expect(lookUpPersons(async () => Promise.reject(new Error('uma down')), [P, Q])).rejects.toThrow('uma down');
  });
});

describe('deadline warnings', () => {
  const row = (voucher: string, deadline: string, reason: ClaimsRowDecidedV1['reason'] = null): ClaimsRowDecidedV1 => ({
    batchId: 'b',
    voucher,
    businessId: '0209602-6',
    outcome: reason === null ? 'accepted' : 'refused',
    reason,
    claimNumber: reason === null ? 'KH-905-2024H2-0c41d9e2a7' : null,
    amountCents: 100,
    deadline,
  });

  it.each([
    ['on the day itself', '2026-11-01', 0],
    ['on the last day of the period', '2026-12-31', 60],
  ])('warns of a deadline %s', (_, deadline, daysLeft) => {
    expect(deadlineWarnings([row('A', deadline)], '2026-11-01', 60)).toEqual([expect.objectContaining({ voucher: 'A', deadline, daysLeft })]);
  });

  it('does not warn of a deadline the day after the period, or one already past', () => {
    expect(deadlineWarnings([row('A', '2027-01-01'), row('B', '2026-10-31')], '2026-11-01', 60)).toEqual([]);
  });

  it('warns of a row refused for another reason, but not of one refused for its deadline or as a duplicate', () => {
    const warned = deadlineWarnings([row('A', '2026-12-31', 'NOT_IN_UMA'), row('B', '2026-12-31', 'DUPLICATE_ROW'), row('C', '2026-12-31', 'DEADLINE_PASSED')], '2026-11-01', 60);
    expect(warned.map((w) => [w.voucher, w.claimNumber])).toEqual([['A', null]]);
  });

  it('reads its period from KOTO_CLAIMS_DEADLINE_WARNING_DAYS, 60 by default, and refuses one that is not whole days', () => {
    expect(deadlineWarningDays({})).toBe(60);
    expect(deadlineWarningDays({ KOTO_CLAIMS_DEADLINE_WARNING_DAYS: '30' })).toBe(30);
    expect(() => deadlineWarningDays({ KOTO_CLAIMS_DEADLINE_WARNING_DAYS: '1.5' })).toThrow(/KOTO_CLAIMS_DEADLINE_WARNING_DAYS/);
  });
});
