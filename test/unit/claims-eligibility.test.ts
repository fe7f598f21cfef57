/**
 * The compensation rules (docs/DESIGN.md "Compensation rules"): each rule, and each boundary date
 * the day before, of and after.
 */
import { describe, expect, it } from 'vitest';
import { makeHetu } from '#contracts/hetu';
import { notFoundResidence, type PermitV1, type ResidenceV1 } from '#contracts/canonical/residence';
import type { CostRowV1 } from '#contracts/claims/cost-rows';
import { covers, decideRow, decideRows, type PersonFacts, type RuleContext, type Verdict } from '#contracts/claims/eligibility';
import { addDays } from '#contracts/claims/dates';

const HETU = makeHetu('1988-07-21', 904);
const SPONSOR = makeHetu('1985-02-03', 911);
const TODAY = '2026-11-16';

const permit = (ground: PermitV1['ground'], from: string, until: string | null = null): PermitV1 => ({ permitType: 'A', ground, grantedOn: from, from, until });

/** A person within compensation: international protection since 2024-05-02, home municipality Vaasa since 2024-06-01. */
const residence = (overrides: Partial<ResidenceV1> = {}, hetu = HETU): ResidenceV1 => ({
  ...notFoundResidence(hetu),
  found: true,
  firstPermitDate: '2024-05-02',
  permitType: 'A',
  ground: 'international-protection',
  permits: [permit('international-protection', '2024-05-02')],
  firstHomeMunicipality: { code: '905', since: '2024-06-01' },
  ...overrides,
});

const row = (overrides: Partial<CostRowV1> = {}): CostRowV1 => ({
  voucher: 'TOS-1',
  hetu: HETU,
  compensationType: 'SPECIAL_COSTS',
  from: '2026-03-01',
  to: '2026-03-31',
  amountCents: 10000,
  ...overrides,
});

const outcome = (verdict: Verdict): string => (verdict.verdict === 'ACCEPTED' ? 'ACCEPTED' : verdict.reason);

const decide = (rowOverrides: Partial<CostRowV1>, facts: Partial<ResidenceV1> | PersonFacts | null = {}, context: Partial<RuleContext> = {}): string => {
  const personFacts: PersonFacts = facts === null ? { residence: null, family: [] } : 'family' in facts && 'residence' in facts ? facts : { residence: residence(facts as Partial<ResidenceV1>), family: [] };
  return outcome(decideRow(row(rowOverrides), personFacts, { today: TODAY, claimedVouchers: new Set(), ...context }));
};

describe('rule 1: the person', () => {
  it('refuses a malformed HETU, and a person UMA does not know', () => {
    expect(decide({ hetu: '131052-308U' })).toBe('INVALID_HETU');
    expect(decide({}, null)).toBe('NOT_IN_UMA');
    expect(decide({}, { residence: notFoundResidence(HETU), family: [] })).toBe('NOT_IN_UMA');
    expect(decide({})).toBe('ACCEPTED');
  });

  it('asks nothing of the person for preparedness, which concerns none', () => {
    expect(decide({ hetu: null, compensationType: 'PREPAREDNESS' }, null)).toBe('ACCEPTED');
  });
});

describe('rule 2: within compensation on every day of the row', () => {
  const ended = { permits: [permit('international-protection', '2024-05-02', '2026-03-15')] };
  it.each([
    ['the day before the permit begins', '2024-05-01', '2024-05-31', 'NOT_WITHIN_COMPENSATION'],
    ['the day the permit begins', '2024-05-02', '2024-05-31', 'ACCEPTED'],
    ['the day after the permit begins', '2024-05-03', '2024-05-31', 'ACCEPTED'],
  ])('from %s (%s): %s', (_, from, to, expected) => {
    expect(decide({ compensationType: 'INTERPRETATION', from, to })).toBe(expected);
  });

  it.each([
    ['the day before the permit ends', '2026-03-14', 'ACCEPTED'],
    ['the day the permit ends', '2026-03-15', 'ACCEPTED'],
    ['the day after the permit ends', '2026-03-16', 'NOT_WITHIN_COMPENSATION'],
  ])('to %s (%s): %s', (_, to, expected) => {
    expect(decide({ to }, ended)).toBe(expected);
  });

  it('takes consecutive permits as one stretch, and refuses a row across a gap between them', () => {
    const renewed = { permits: [permit('international-protection', '2024-05-02', '2026-03-15'), permit('international-protection', '2026-03-16')] };
    expect(decide({}, renewed)).toBe('ACCEPTED');
    const gap = { permits: [permit('international-protection', '2024-05-02', '2026-03-15'), permit('international-protection', '2026-03-17')] };
    expect(decide({}, gap)).toBe('NOT_WITHIN_COMPENSATION');
  });

  it.each(['work', 'study', 'family', 'eu-registration', 'other'] as const)('refuses a person on the ground %s alone', (ground) => {
    expect(decide({}, { ground, permits: [permit(ground, '2024-05-02')] })).toBe('NOT_WITHIN_COMPENSATION');
  });

  it('accepts humanitarian protection', () => {
    expect(decide({}, { ground: 'humanitarian-protection', permits: [permit('humanitarian-protection', '2018-01-01')] })).toBe('ACCEPTED');
  });

  it.each([
    ['the day before the first home municipality', '2025-02-28', 'NOT_WITHIN_COMPENSATION'],
    ['the day of the first home municipality', '2025-03-01', 'ACCEPTED'],
    ['the day after', '2025-03-02', 'ACCEPTED'],
  ])('temporary protection counts from the home municipality: from %s, %s', (_, from, expected) => {
    const temporary = { ground: 'temporary-protection' as const, permits: [permit('temporary-protection', '2024-04-01')], firstHomeMunicipality: { code: '091', since: '2025-03-01' } };
    expect(decide({ compensationType: 'INTERPRETATION', from, to: '2025-03-31' }, temporary)).toBe(expected);
  });

  it('refuses temporary protection with no home municipality', () => {
    expect(decide({ compensationType: 'INTERPRETATION' }, { permits: [permit('temporary-protection', '2024-04-01')], firstHomeMunicipality: null })).toBe('NOT_WITHIN_COMPENSATION');
  });

  it('refuses a type counted from the first home municipality before there is one', () => {
    expect(decide({ from: '2024-05-31', to: '2024-05-31' })).toBe('NOT_WITHIN_COMPENSATION');
    expect(decide({ from: '2024-06-01', to: '2024-06-01' })).toBe('ACCEPTED');
    expect(decide({}, { firstHomeMunicipality: null })).toBe('NOT_WITHIN_COMPENSATION');
    // Interpretation has no period: it does not wait for a home municipality.
    expect(decide({ compensationType: 'INTERPRETATION', from: '2024-05-31', to: '2024-05-31' })).toBe('ACCEPTED');
  });

  describe('a family member', () => {
    const member = residence({ ground: 'family', permits: [permit('family', '2025-01-10')], familyLinks: [{ hetu: SPONSOR, relation: 'spouse' }] });
    const sponsor = (until: string | null) => residence({ permits: [permit('international-protection', '2023-01-01', until)] }, SPONSOR);

    it.each([
      ['the day before the sponsor’s permit ends', '2026-02-27', 'ACCEPTED'],
      ['the day the sponsor’s permit ends', '2026-02-28', 'ACCEPTED'],
      ['the day after', '2026-03-01', 'NOT_WITHIN_COMPENSATION'],
    ])('is within compensation while a linked person is: to %s, %s', (_, to, expected) => {
      expect(decide({ compensationType: 'INTERPRETATION', from: '2026-02-01', to }, { residence: member, family: [sponsor('2026-02-28')] })).toBe(expected);
    });

    it('is not through a person it is not linked to, or one on a ground outside compensation', () => {
      const stranger = residence({}, makeHetu('1970-01-01', 905));
      expect(decide({ compensationType: 'INTERPRETATION' }, { residence: member, family: [stranger] })).toBe('NOT_WITHIN_COMPENSATION');
      const worker = residence({ ground: 'work', permits: [permit('work', '2020-01-01')] }, SPONSOR);
      expect(decide({ compensationType: 'INTERPRETATION' }, { residence: member, family: [worker] })).toBe('NOT_WITHIN_COMPENSATION');
      expect(decide({ compensationType: 'INTERPRETATION' }, { residence: member, family: [sponsor(null)] })).toBe('ACCEPTED');
    });

    it('only from the first day of its own family permit', () => {
      expect(decide({ compensationType: 'INTERPRETATION', from: '2025-01-09', to: '2025-01-31' }, { residence: member, family: [sponsor(null)] })).toBe('NOT_WITHIN_COMPENSATION');
      expect(decide({ compensationType: 'INTERPRETATION', from: '2025-01-10', to: '2025-01-31' }, { residence: member, family: [sponsor(null)] })).toBe('ACCEPTED');
    });
  });

  describe('a victim of trafficking', () => {
    const victim = { ground: 'work' as const, permits: [permit('work', '2021-01-01')], traffickingVictim: true, traffickingVictimPeriod: { from: '2025-04-01', until: '2026-03-31' } };
    it.each([
      ['the day before the status', '2025-03-31', '2025-04-30', 'NOT_WITHIN_COMPENSATION'],
      ['the day the status begins', '2025-04-01', '2025-04-30', 'ACCEPTED'],
      ['the day after', '2025-04-02', '2025-04-30', 'ACCEPTED'],
      ['up to the day before it ends', '2026-03-01', '2026-03-30', 'ACCEPTED'],
      ['up to the day it ends', '2026-03-01', '2026-03-31', 'ACCEPTED'],
      ['up to the day after', '2026-03-01', '2026-04-01', 'NOT_WITHIN_COMPENSATION'],
    ])('TRAFFICKING_VICTIM from %s: %s–%s, %s', (_, from, to, expected) => {
      expect(decide({ compensationType: 'TRAFFICKING_VICTIM', from, to }, victim)).toBe(expected);
    });

    it('counts only the trafficking status for TRAFFICKING_VICTIM, not protection', () => {
      expect(decide({ compensationType: 'TRAFFICKING_VICTIM' })).toBe('NOT_WITHIN_COMPENSATION');
      expect(decide({ compensationType: 'TRAFFICKING_VICTIM' }, { traffickingVictim: true, traffickingVictimPeriod: null })).toBe('ACCEPTED');
    });

    it('is within compensation for other types during the status', () => {
      expect(decide({ compensationType: 'INTERPRETATION', from: '2025-06-01', to: '2025-06-01' }, victim)).toBe('ACCEPTED');
      expect(decide({ compensationType: 'INTERPRETATION', from: '2026-06-01', to: '2026-06-01' }, victim)).toBe('NOT_WITHIN_COMPENSATION');
    });
  });
});

describe('rule 3: a Finnish citizen only for victims of trafficking', () => {
  it.each([
    ['the day after from', '2026-03-02', 'ACCEPTED'],
    ['on from', '2026-03-01', 'FINNISH_CITIZEN'],
    ['the day before from', '2026-02-28', 'FINNISH_CITIZEN'],
  ])('citizenship granted %s: %s', (_, since, expected) => {
    expect(decide({}, { finnishCitizenSince: since })).toBe(expected);
  });

  it('compensates the services of a victim of trafficking who is a Finnish citizen', () => {
    const citizen = { traffickingVictim: true, traffickingVictimPeriod: { from: '2025-01-01', until: null }, finnishCitizenSince: '2020-01-01' };
    expect(decide({ compensationType: 'TRAFFICKING_VICTIM' }, citizen)).toBe('ACCEPTED');
    expect(decide({ compensationType: 'INTERPRETATION' }, citizen)).toBe('FINNISH_CITIZEN');
  });
});

describe('rule 4: the period of the type, from the first home municipality', () => {
  // First home municipality 2024-06-01: two years end 2026-05-31, three 2027-05-31, one 2025-05-31, ten 2034-05-31.
  it.each([
    ['CALCULATED_MISSING', {}, '2026-05-31'],
    ['CALCULATED_MISSING', { quotaRefugee: true }, '2027-05-31'],
    ['SOCIAL_ASSISTANCE', {}, '2025-05-31'],
    ['SPECIAL_COSTS', {}, '2034-05-31'],
  ] as const)('%s %j: the last day is %s', (compensationType, facts, last) => {
    const on = (to: string) => decide({ compensationType, from: '2024-06-01', to }, facts, { today: '2027-01-01' });
    expect(on(addDays(last, -1))).toBe('ACCEPTED');
    expect(on(last)).toBe('ACCEPTED');
    expect(on(addDays(last, 1))).toBe('PERIOD_ENDED');
  });

  it('counts from the first home municipality, not from the first permit', () => {
    expect(decide({ compensationType: 'CALCULATED_MISSING', from: '2026-05-01', to: '2026-05-31' }, { firstHomeMunicipality: { code: '905', since: '2024-06-01' } })).toBe('ACCEPTED');
    expect(decide({ compensationType: 'CALCULATED_MISSING', from: '2026-05-01', to: '2026-05-31' }, { firstHomeMunicipality: { code: '905', since: '2024-05-02' } })).toBe('PERIOD_ENDED');
  });

  it.each([
    ['2026-02-27', 'ACCEPTED'],
    ['2026-02-28', 'ACCEPTED'],
    ['2026-03-01', 'PERIOD_ENDED'],
  ])('ends a period begun on 29 February on 28 February of a common year: to %s, %s', (to, expected) => {
    expect(decide({ compensationType: 'CALCULATED_MISSING', from: '2026-02-01', to }, { firstHomeMunicipality: { code: '905', since: '2024-02-29' } })).toBe(expected);
  });

  it.each([
    ['the day before the 23rd birthday', '2028-03-14', 'ACCEPTED'],
    ['the 23rd birthday', '2028-03-15', 'PERIOD_ENDED'],
    ['the day after', '2028-03-16', 'PERIOD_ENDED'],
  ])('compensates an unaccompanied minor until the day before they turn 23: to %s, %s', (_, to, expected) => {
    const minor = makeHetu('2005-03-15', 944);
    expect(decide({ hetu: minor, compensationType: 'UNACCOMPANIED_MINOR', from: '2028-03-01', to }, { residence: residence({}, minor), family: [] }, { today: '2028-06-01' })).toBe(expected);
    expect(decide({ hetu: minor, compensationType: 'UNACCOMPANIED_MINOR', from: '2028-03-01', to: '2028-03-13' }, { residence: residence({}, minor), family: [] }, { today: '2028-06-01' })).toBe('ACCEPTED');
  });

  it('has no period for interpretation and trafficking', () => {
    expect(decide({ compensationType: 'INTERPRETATION', from: '2040-01-01', to: '2040-01-31' }, {}, { today: '2040-02-01' })).toBe('ACCEPTED');
    expect(decide({ compensationType: 'TRAFFICKING_VICTIM', from: '2040-01-01', to: '2040-01-31' }, { traffickingVictim: true }, { today: '2040-02-01' })).toBe('ACCEPTED');
  });
});

describe('rule 5: the claim deadline, 31 December of the second year after the costs', () => {
  it.each([
    ['2028-12-30', 'ACCEPTED'],
    ['2028-12-31', 'ACCEPTED'],
    ['2029-01-01', 'DEADLINE_PASSED'],
  ])('costs ending in 2026 claimed on %s: %s', (today, expected) => {
    expect(decide({ from: '2026-12-01', to: '2026-12-31' }, {}, { today })).toBe(expected);
  });

  it('reads the year of the last day of the costs, and says the deadline on every verdict', () => {
    expect(decide({ from: '2025-12-15', to: '2026-01-15' }, {}, { today: '2028-12-31' })).toBe('ACCEPTED');
    expect(decideRow(row({ to: '2026-01-15' }), { residence: residence(), family: [] }, { today: TODAY, claimedVouchers: new Set() }).deadline).toBe('2028-12-31');
    expect(decide({ hetu: null, compensationType: 'PREPAREDNESS', from: '2024-01-01', to: '2024-12-31' }, null, { today: '2027-01-01' })).toBe('DEADLINE_PASSED');
  });
});

describe('rule 6: a voucher already in a claim', () => {
  it('refuses a row whose voucher is in a claim already', () => {
    expect(decide({}, {}, { claimedVouchers: new Set(['TOS-1']) })).toBe('DUPLICATE_ROW');
    expect(decide({}, {}, { claimedVouchers: new Set(['TOS-2']) })).toBe('ACCEPTED');
  });

  it('refuses a repeat within a batch only when the earlier row was accepted', () => {
    const facts = (): PersonFacts => ({ residence: residence(), family: [] });
    const verdicts = decideRows(
      [row(), row({ amountCents: 5 }), row({ voucher: 'TOS-2', hetu: '131052-308U' }), row({ voucher: 'TOS-2' })],
      facts,
      { today: TODAY, claimedVouchers: new Set() },
    );
    expect(verdicts.map(outcome)).toEqual(['ACCEPTED', 'DUPLICATE_ROW', 'INVALID_HETU', 'ACCEPTED']);
  });
});

describe('the order of the rules: the first that applies is the verdict', () => {
  it('reports one reason for a row that breaks several rules', () => {
    const everything = { permits: [permit('work', '2020-01-01')], finnishCitizenSince: '2020-01-01' };
    expect(decide({ from: '2020-01-01', to: '2020-01-31' }, everything, { claimedVouchers: new Set(['TOS-1']) })).toBe('NOT_WITHIN_COMPENSATION');
    expect(decide({ from: '2024-07-01', to: '2035-01-01' }, { finnishCitizenSince: '2024-01-01' }, { today: '2040-01-01' })).toBe('FINNISH_CITIZEN');
    expect(decide({ from: '2024-07-01', to: '2035-01-01' }, {}, { today: '2040-01-01', claimedVouchers: new Set(['TOS-1']) })).toBe('PERIOD_ENDED');
    expect(decide({ from: '2024-07-01', to: '2024-07-31' }, {}, { today: '2027-01-01', claimedVouchers: new Set(['TOS-1']) })).toBe('DEADLINE_PASSED');
  });
});

describe('covers', () => {
  it('joins stretches that meet, and finds the gap of a day', () => {
    expect(covers([{ from: '2026-01-01', until: '2026-01-31' }, { from: '2026-02-01', until: '2026-02-28' }], '2026-01-15', '2026-02-15')).toBe(true);
    expect(covers([{ from: '2026-01-01', until: '2026-01-30' }, { from: '2026-02-01', until: null }], '2026-01-15', '2026-02-15')).toBe(false);
    expect(covers([], '2026-01-01', '2026-01-01')).toBe(false);
  });
});
