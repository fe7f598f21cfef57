import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { IntegrationStatus } from '#contracts/datastore/mapper';
import type { KelmuRow } from '#contracts/kelmu/mapper';
import type { LookupSystem } from '#contracts/messages/lookup';
import type { FixturePerson, FixturePopulation } from '#contracts/population';
import { mapUmaPerson, toUmaPersonResponse } from '#contracts/uma/mapper';
import { mapVtjResponse } from '#contracts/vtj/mapper';
import { decideCandidate, lookupsNeeded, type OutreachCandidate, type OutreachDecision, type OutreachTarget, type ExclusionCode } from '#functions/outreach/rules';
import { indexPopulation, parsePopulation, type PopulationIndex } from '#mocks/population-index';
import { residenceOf } from '#mocks/uma';
import { vtjAnswerFor } from '#mocks/vtj';
import { expectedDecisions, expectedOutreachResult } from '../support/outreach-oracle.ts';

const sample = parsePopulation(JSON.parse(readFileSync(new URL('../../mocks/population/sample.json', import.meta.url), 'utf8')), 'sample.json');
const index = indexPopulation(sample);
const NOW = new Date('2026-11-01T06:00:00Z');

/** The data store's status as its mock answers from the fixture (mocks/datastore.ts: one completed assessment, one basic plan). */
const integrationOf = (hetu: string, person: FixturePerson | undefined): IntegrationStatus => {
  const { assessmentDate, planValidFrom, planValidUntil } = person?.integration ?? { assessmentDate: null, planValidFrom: null, planValidUntil: null };
  return {
    hetu,
    assessments: assessmentDate === null ? [] : [{ date: assessmentDate, completed: true }],
    plans: planValidFrom === null || planValidUntil === null ? [] : [{ kind: 'basic', validFrom: planValidFrom, validUntil: planValidUntil }],
  };
};

/** A register's answer about `hetu` on `asOf`, through the mock's answer and the hub's mapper. */
const answer = (population: PopulationIndex, system: LookupSystem, hetu: string, asOf: string): Partial<OutreachCandidate> => {
  switch (system) {
    case 'vtj':
      return { vtj: mapVtjResponse(vtjAnswerFor(population, hetu, { now: NOW }), { requestedHetu: hetu }) };
    case 'uma':
      return { residence: mapUmaPerson(toUmaPersonResponse(residenceOf(population, hetu, asOf), asOf)) };
    case 'datastore':
      return { integration: integrationOf(hetu, population.byHetu(hetu)) };
  }
};

/** One candidate decided as the pipeline does: ask what `lookupsNeeded` names, one system at a time. */
function decideAsThePipeline(population: PopulationIndex, hetu: string, kelaRows: KelmuRow[], municipality: string, asOf: string) {
  let candidate: OutreachCandidate = { municipality, asOf, hetu, kelaRows };
  const asked: LookupSystem[] = [];
  for (let needs = lookupsNeeded(candidate); needs.length > 0; needs = lookupsNeeded(candidate)) {
    const system = needs[0]!;
    asked.push(system);
    candidate = { ...candidate, ...answer(population, system, hetu, asOf) };
  }
  const decision = decideCandidate(candidate);
  // Deciding early must never change the decision: with every register asked it is the same. (A
  // malformed code is never sent to a register: the mappers refuse it.)
  if (asked.length === 0) return { decision, asked, withEverything: decision };
  const everything = (['vtj', 'uma', 'datastore'] as const).reduce((c, system) => ({ ...c, ...answer(population, system, hetu, asOf) }), candidate);
  return { decision, asked, withEverything: decideCandidate(everything) };
}

const asOutcome = (decision: OutreachDecision): OutreachTarget | ExclusionCode => (decision.kind === 'target' ? decision.target : decision.code);

/** What the early decision lets the pipeline leave unasked, by outcome. */
const LOOKUPS_BY_OUTCOME: Record<ExclusionCode | 'target', LookupSystem[]> = {
  INVALID_HETU: [],
  NOT_FOUND_IN_VTJ: ['vtj'],
  NOT_RESIDENT: ['vtj'],
  DECEASED: ['vtj'],
  FINNISH_CITIZEN: ['vtj'],
  MINOR: ['vtj'],
  NOT_IN_TARGET_GROUP: ['vtj', 'uma'],
  NO_RESIDENCE_RECORD: ['vtj', 'uma'],
  WINDOW_EXPIRED: ['vtj', 'uma'],
  ALREADY_ASSESSED: ['vtj', 'uma', 'datastore'],
  HAS_PLAN: ['vtj', 'uma', 'datastore'],
  target: ['vtj', 'uma', 'datastore'],
};

const runs = ['905', '091', '837'].flatMap((municipality) => ['2026-11-01', '2025-06-15'].map((asOf) => [municipality, asOf] as const));

describe('the outreach oracle and the rules module', () => {
  it.each(runs)('agree on every person of the sample population for %s on %s', (municipality, asOf) => {
    const kelmu = index.kelmuList(municipality, asOf);
    const codes = [...new Set([...kelmu.map((row) => row.hetu), ...index.umaProtectionList(municipality).map((person) => person.hetu)])].sort();
    const expected = expectedDecisions(sample, municipality, asOf);
    // The persons considered: the mocks' two lists, as the hub reads them, and the oracle's reading of docs/DESIGN.md "Fixture population".
    expect(codes).toEqual([...expected.keys()].sort());

    const disagreements: unknown[] = [];
    const targets: OutreachTarget[] = [];
    const exclusions: Partial<Record<ExclusionCode, number>> = {};
    for (const hetu of codes) {
      const { decision, asked, withEverything } = decideAsThePipeline(index, hetu, kelmu.filter((row) => row.hetu === hetu), municipality, asOf);
      const outcome = asOutcome(decision);
      if (!isDeepStrictEqual(outcome, expected.get(hetu))) disagreements.push({ hetu, rules: outcome, oracle: expected.get(hetu) });
      expect(withEverything).toEqual(decision);
      expect(asked).toEqual(LOOKUPS_BY_OUTCOME[decision.kind === 'target' ? 'target' : decision.code]);
      if (decision.kind === 'target') targets.push(decision.target);
      else exclusions[decision.code] = (exclusions[decision.code] ?? 0) + 1;
    }
    expect(disagreements).toEqual([]);
    expect({ municipality, asOf, targets, exclusions }).toEqual(expectedOutreachResult(sample, municipality, asOf));
  });

  it('finds targets and several exclusion codes in every run, so the agreement means something', () => {
    for (const [municipality, asOf] of runs) {
      const result = expectedOutreachResult(sample, municipality, asOf);
      expect(result.targets.length).toBeGreaterThan(0);
      expect(Object.keys(result.exclusions).length).toBeGreaterThanOrEqual(4);
    }
  });

  it('meets every exclusion code and a turvakielto target somewhere in the sample runs', () => {
    const seen = new Set<string>();
    for (const [municipality, asOf] of runs) {
      const result = expectedOutreachResult(sample, municipality, asOf);
      Object.keys(result.exclusions).forEach((code) => seen.add(code));
      if (result.targets.some((t) => t.addressProtected && t.street === '' && t.postalCode === '' && t.postOffice === '')) seen.add('turvakielto');
    }
    expect([...seen].sort()).toEqual(
      [
        'ALREADY_ASSESSED',
        'DECEASED',
        'FINNISH_CITIZEN',
        'HAS_PLAN',
        'INVALID_HETU',
        'MINOR',
        'NOT_IN_TARGET_GROUP',
        'NOT_RESIDENT',
        'NO_RESIDENCE_RECORD',
        'WINDOW_EXPIRED',
        'turvakielto',
      ].sort(),
    );
  });
});

describe('the outreach oracle', () => {
  const designExample: FixturePopulation = {
    persons: [
      {
        hetu: '131052-308T',
        lastName: 'Haddad',
        firstNames: 'Amina Sara',
        dateOfDeath: null,
        nationalities: ['SYR'],
        nativeLanguage: 'ar',
        homeMunicipality: '905',
        homeMunicipalitySince: '2025-02-01',
        address: { street: 'Kauppapuistikko 1 A 2', postalCode: '65100', postOffice: 'VAASA' },
        nonDisclosure: false,
        residence: { firstPermitDate: '2024-05-02', permitType: 'A', ground: 'international-protection', quotaRefugee: false, traffickingVictim: false },
        kela: [{ benefit: 'basic-social-assistance', temporary: false, from: '2025-03-01', to: null, municipality: '905' }],
        integration: { assessmentDate: null, planValidFrom: null, planValidUntil: null },
      },
    ],
  };

  it('gives the target of docs/DESIGN.md "The outreach result" for the person of its "Fixture population" example', () => {
    expect(expectedOutreachResult(designExample, '905', '2026-11-01')).toEqual({
      municipality: '905',
      asOf: '2026-11-01',
      targets: [
        {
          hetu: '131052-308T',
          lastName: 'Haddad',
          firstNames: 'Amina Sara',
          language: 'ar',
          street: 'Kauppapuistikko 1 A 2',
          postalCode: '65100',
          postOffice: 'VAASA',
          addressProtected: false,
          reasons: ['INTERNATIONAL_PROTECTION', 'KELA_SOCIAL_ASSISTANCE'],
          firstPermitDate: '2024-05-02',
          windowEnds: '2027-05-02',
        },
      ],
      exclusions: {},
    });
  });

  it('considers no one in a municipality neither list names', () => {
    expect(expectedOutreachResult(designExample, '091', '2026-11-01')).toEqual({ municipality: '091', asOf: '2026-11-01', targets: [], exclusions: {} });
  });
});
