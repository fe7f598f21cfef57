import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mapVtjResponse } from '#contracts/vtj/mapper';
import { parseVtjSoapResponse } from '#contracts/vtj/wire';
import { makeHetu } from '#contracts/hetu';
import type { PersonV1, VtjLookupOutcomeV1 } from '#contracts/canonical/person';
import { notFoundResidence, type ResidenceV1 } from '#contracts/canonical/residence';
import type { IntegrationStatus } from '#contracts/datastore/mapper';
import type { KelmuRow } from '#contracts/kelmu/mapper';
import { lookupSystems, type LookupSystem } from '#contracts/messages/lookup';
import { outreachTarget, TARGET_FIELDS } from '#contracts/outreach-result';
import {
  addCalendarYears,
  decideCandidate,
  exclusionCodes,
  lookupsNeeded,
  MissingLookupError,
  windowEndsOf,
  type ExclusionCode,
  type OutreachCandidate,
  type OutreachTarget,
} from '#functions/outreach/rules';

const D = '2026-11-01';

/** The residence fields only the compensation rules read: none. */
const NO_COMPENSATION_FACTS: Pick<ResidenceV1, 'permits' | 'firstHomeMunicipality' | 'finnishCitizenSince' | 'traffickingVictimPeriod' | 'familyLinks'> = {
  permits: [],
  firstHomeMunicipality: null,
  finnishCitizenSince: null,
  traffickingVictimPeriod: null,
  familyLinks: [],
};

let serial = 2;
const nextIndividualNumber = (): number => (serial = serial >= 899 ? 2 : serial + 1);

/** What a test says about a candidate; everything unsaid makes a plain target of Vaasa on D. */
interface Setup {
  readonly asOf?: string;
  readonly municipality?: string;
  /** The code as the list gave it; by default a valid code for `birthDate`. */
  readonly hetu?: string;
  readonly birthDate?: string;
  readonly person?: Partial<PersonV1>;
  /** VTJ's answer; by default `found` (or `deceased` when the person has a date of death, as VTJ answers). */
  readonly vtj?: VtjLookupOutcomeV1;
  /** `null`: UMA has no record. */
  readonly residence?: Partial<ResidenceV1> | null;
  readonly kela?: readonly Partial<KelmuRow>[];
  readonly integration?: Partial<Pick<IntegrationStatus, 'assessments' | 'plans'>>;
  /** The lookups answered so far (default: all). */
  readonly known?: readonly LookupSystem[];
}

const candidate = (setup: Setup = {}): OutreachCandidate => {
  const hetu = setup.hetu ?? makeHetu(setup.birthDate ?? '1990-04-12', nextIndividualNumber());
  const person: PersonV1 = {
    hetu,
    lastName: 'Haddad',
    firstNames: 'Amina Sara',
    kotikunta: { code: '905', since: '2025-02-01' },
    address: { street: 'Kauppapuistikko 1 A 2', postalCode: '65100', postOffice: 'VAASA' },
    turvakielto: false,
    dateOfDeath: null,
    nationalities: ['SYR'],
    citizenship: 'not-citizen',
    nativeLanguage: 'ar',
    ...setup.person,
  };
  const vtj: VtjLookupOutcomeV1 =
    setup.vtj ??
    (person.dateOfDeath === null ? { outcome: 'found', paluukoodi: '0000', person } : { outcome: 'deceased', paluukoodi: '0007', person });
  const residence: ResidenceV1 =
    setup.residence === null
      ? notFoundResidence(hetu)
      : {
          hetu,
          found: true,
          firstPermitDate: '2024-05-02',
          permitType: 'A',
          ground: 'international-protection',
          quotaRefugee: false,
          traffickingVictim: false,
          compensation: { eligible: true, until: '2027-05-01' },
          ...NO_COMPENSATION_FACTS,
          ...setup.residence,
        };
  const kelaRows: KelmuRow[] = (setup.kela ?? []).map((row) => ({
    hetu,
    lastName: person.lastName,
    firstNames: person.firstNames,
    benefit: 'basic-social-assistance',
    temporary: false,
    from: '2025-03-01',
    to: null,
    ...row,
  }));
  const integration: IntegrationStatus = { hetu, assessments: [], plans: [], ...setup.integration };
  const known = setup.known ?? lookupSystems;
  return {
    municipality: setup.municipality ?? '905',
    asOf: setup.asOf ?? D,
    hetu,
    kelaRows,
    ...(known.includes('vtj') ? { vtj } : {}),
    ...(known.includes('uma') ? { residence } : {}),
    ...(known.includes('datastore') ? { integration } : {}),
  };
};

/** `target` or the exclusion code. */
const outcomeOf = (setup: Setup = {}): 'target' | ExclusionCode => {
  const decision = decideCandidate(candidate(setup));
  return decision.kind === 'target' ? 'target' : decision.code;
};

const targetOf = (setup: Setup = {}): OutreachTarget => {
  const decision = decideCandidate(candidate(setup));
  if (decision.kind !== 'target') throw new Error(`expected a target, got ${decision.code}`);
  return decision.target;
};

/** A person whose only reason is Kela's basic social assistance (a residence ground that is none). */
const kelaOnly: Setup = { residence: { ground: 'family' }, kela: [{}] };

describe('outreach rule 1: VTJ', () => {
  it('lists a plain protection recipient of the municipality', () => {
    expect(outcomeOf()).toBe('target');
  });

  it('quarantines a malformed code as INVALID_HETU, whatever else is known', () => {
    expect(outcomeOf({ hetu: '131052-308X' })).toBe('INVALID_HETU');
    expect(outcomeOf({ hetu: '300285-417K' })).toBe('INVALID_HETU');
    expect(outcomeOf({ hetu: '131052308T' })).toBe('INVALID_HETU');
  });

  it('reads VTJ not-found, passive and not-disclosable answers as NOT_FOUND_IN_VTJ', () => {
    expect(outcomeOf({ vtj: { outcome: 'not-found', paluukoodi: '0001' } })).toBe('NOT_FOUND_IN_VTJ');
    expect(outcomeOf({ vtj: { outcome: 'not-found', paluukoodi: '0006' } })).toBe('NOT_FOUND_IN_VTJ');
    expect(outcomeOf({ vtj: { outcome: 'passive', paluukoodi: '0002', activeHetu: makeHetu('1990-04-12', 899) } })).toBe('NOT_FOUND_IN_VTJ');
    expect(outcomeOf({ vtj: { outcome: 'not-disclosable', paluukoodi: '0019' } })).toBe('NOT_FOUND_IN_VTJ');
  });

  it('excludes as NOT_RESIDENT a person on the Kela list of a municipality they have left', () => {
    expect(outcomeOf({ ...kelaOnly, municipality: '905', person: { kotikunta: { code: '091', since: '2026-05-01' } } })).toBe('NOT_RESIDENT');
  });

  it('counts the home municipality from its first day, and not the day before', () => {
    expect(outcomeOf({ person: { kotikunta: { code: '905', since: D } } })).toBe('target');
    expect(outcomeOf({ person: { kotikunta: { code: '905', since: '2026-11-02' } } })).toBe('NOT_RESIDENT');
  });

  it('takes a home municipality with no known start as the one on D', () => {
    expect(outcomeOf({ person: { kotikunta: { code: '905', since: null } } })).toBe('target');
  });

  it('excludes a person with no home municipality in Finland or abroad as NOT_RESIDENT', () => {
    expect(outcomeOf({ person: { kotikunta: null } })).toBe('NOT_RESIDENT');
    expect(outcomeOf({ person: { kotikunta: { code: '200', since: '2026-01-01' } } })).toBe('NOT_RESIDENT');
  });

  it('excludes a person who died on D or before as DECEASED', () => {
    expect(outcomeOf({ person: { dateOfDeath: D } })).toBe('DECEASED');
    expect(outcomeOf({ person: { dateOfDeath: '2026-09-02' } })).toBe('DECEASED');
  });

  it('treats a person who died after D as alive on D', () => {
    expect(outcomeOf({ person: { dateOfDeath: '2026-11-02' } })).toBe('target');
  });

  it('excludes a VTJ deceased answer without a record or without a date as DECEASED', () => {
    expect(outcomeOf({ vtj: { outcome: 'deceased', paluukoodi: '0007', person: null } })).toBe('DECEASED');
    const hetu = makeHetu('1990-04-12', 898);
    const person = candidate({ hetu }).vtj;
    if (person?.outcome !== 'found') throw new Error('factory');
    expect(outcomeOf({ hetu, vtj: { outcome: 'deceased', paluukoodi: '0007', person: person.person } })).toBe('DECEASED');
  });

  it('excludes a Finnish citizen, dual citizens included, as FINNISH_CITIZEN', () => {
    expect(outcomeOf({ person: { nationalities: ['FIN'], citizenship: 'citizen' } })).toBe('FINNISH_CITIZEN');
    expect(outcomeOf({ person: { nationalities: ['FIN', 'SOM'], citizenship: 'citizen' } })).toBe('FINNISH_CITIZEN');
    expect(outcomeOf({ person: { nationalities: ['IRQ', 'TUR'], citizenship: 'not-citizen' } })).toBe('target');
  });

  it('excludes a citizen VTJ states only by SuomenKansalaisuusTietokoodi, with no nationality listed', () => {
    expect(outcomeOf({ person: { nationalities: [], citizenship: 'citizen' } })).toBe('FINNISH_CITIZEN');
  });

  it('excludes the citizen of a recorded PERUSJHHS2 answer with no Kansalaisuus group, read through the real wire mapper', () => {
    const xml = readFileSync(new URL('../../contracts/vtj/samples/found-citizen-tietokoodi-only.xml', import.meta.url), 'utf8');
    const vtj = mapVtjResponse(parseVtjSoapResponse(xml).sanoma);
    expect(vtj).toMatchObject({ outcome: 'found', person: { nationalities: [], citizenship: 'citizen', kotikunta: { code: '905' } } });
    expect(outcomeOf({ hetu: '150372-9178', vtj })).toBe('FINNISH_CITIZEN');
  });

  it('does not exclude a person whose citizenship VTJ does not state (possibly stateless)', () => {
    expect(outcomeOf({ person: { nationalities: [], citizenship: 'unknown' } })).toBe('target');
  });

  it('lists a person whose 18th birthday is D, and not one whose birthday is the day after', () => {
    expect(outcomeOf({ birthDate: '2008-11-01' })).toBe('target');
    expect(outcomeOf({ birthDate: '2008-11-02' })).toBe('MINOR');
  });

  it('reads the age from the code, whatever the century sign', () => {
    expect(outcomeOf({ hetu: makeHetu('2008-11-01', 123, 'E') })).toBe('target');
    expect(outcomeOf({ hetu: makeHetu('2008-11-02', 123, 'F') })).toBe('MINOR');
  });

  it('makes a person born on 29 February an adult on 1 March of a common year', () => {
    expect(outcomeOf({ birthDate: '2008-02-29', asOf: '2026-02-28' })).toBe('MINOR');
    expect(outcomeOf({ birthDate: '2008-02-29', asOf: '2026-03-01' })).toBe('target');
  });
});

describe('outreach rule 2: target groups', () => {
  it('makes active basic social assistance a reason', () => {
    expect(targetOf(kelaOnly).reasons).toEqual(['KELA_SOCIAL_ASSISTANCE']);
  });

  it('does not make temporary social assistance a reason: alone it is NOT_IN_TARGET_GROUP', () => {
    expect(outcomeOf({ ...kelaOnly, kela: [{ temporary: true }] })).toBe('NOT_IN_TARGET_GROUP');
  });

  it('counts a benefit on its last day, and not the day after', () => {
    expect(targetOf({ ...kelaOnly, kela: [{ to: D }] }).reasons).toEqual(['KELA_SOCIAL_ASSISTANCE']);
    expect(outcomeOf({ ...kelaOnly, kela: [{ to: '2026-10-31' }] })).toBe('NOT_IN_TARGET_GROUP');
  });

  it('counts a benefit from its first day, and not the day before', () => {
    expect(targetOf({ ...kelaOnly, kela: [{ from: D }] }).reasons).toEqual(['KELA_SOCIAL_ASSISTANCE']);
    expect(outcomeOf({ ...kelaOnly, kela: [{ from: '2026-11-02' }] })).toBe('NOT_IN_TARGET_GROUP');
  });

  it('makes child home care allowance a reason', () => {
    expect(targetOf({ ...kelaOnly, kela: [{ benefit: 'child-home-care-allowance' }] }).reasons).toEqual(['KELA_HOME_CARE_ALLOWANCE']);
  });

  it('makes international protection a reason, quota refugees included', () => {
    expect(targetOf({ residence: { ground: 'international-protection' } }).reasons).toEqual(['INTERNATIONAL_PROTECTION']);
    expect(targetOf({ residence: { ground: 'international-protection', quotaRefugee: true } }).reasons).toEqual(['INTERNATIONAL_PROTECTION']);
    expect(targetOf({ residence: { ground: 'other', quotaRefugee: true } }).reasons).toEqual(['INTERNATIONAL_PROTECTION']);
  });

  it('makes a recorded victim of trafficking a target, whatever the ground', () => {
    expect(targetOf({ residence: { ground: 'family', traffickingVictim: true } }).reasons).toEqual(['TRAFFICKING_VICTIM']);
  });

  it('does not make temporary protection, family, work or study grounds a reason', () => {
    for (const ground of ['temporary-protection', 'family', 'work', 'study', 'eu-registration', 'other'] as const) {
      expect(outcomeOf({ residence: { ground } })).toBe('NOT_IN_TARGET_GROUP');
    }
  });

  it('lists every reason once, sorted', () => {
    const target = targetOf({
      residence: { ground: 'international-protection', quotaRefugee: true, traffickingVictim: true },
      kela: [
        { benefit: 'basic-social-assistance', from: '2026-06-01' },
        { benefit: 'child-home-care-allowance' },
        { benefit: 'basic-social-assistance', from: '2025-03-01', to: '2026-12-31' },
        { benefit: 'basic-social-assistance', temporary: true },
      ],
    });
    expect(target.reasons).toEqual(['INTERNATIONAL_PROTECTION', 'KELA_HOME_CARE_ALLOWANCE', 'KELA_SOCIAL_ASSISTANCE', 'TRAFFICKING_VICTIM']);
  });
});

describe('outreach rule 3: the first residence permit', () => {
  it('excludes a person with a reason but no UMA record as NO_RESIDENCE_RECORD', () => {
    expect(outcomeOf({ ...kelaOnly, residence: null })).toBe('NO_RESIDENCE_RECORD');
  });

  it('excludes a record without a first permit date as NO_RESIDENCE_RECORD', () => {
    expect(outcomeOf({ ...kelaOnly, residence: { firstPermitDate: null } })).toBe('NO_RESIDENCE_RECORD');
  });

  it('lists a first permit exactly three years back, with the window ending on D', () => {
    const target = targetOf({ residence: { firstPermitDate: '2023-11-01' } });
    expect(target.firstPermitDate).toBe('2023-11-01');
    expect(target.windowEnds).toBe(D);
  });

  it('excludes a first permit three years and a day back as WINDOW_EXPIRED', () => {
    expect(outcomeOf({ residence: { firstPermitDate: '2023-10-31' } })).toBe('WINDOW_EXPIRED');
  });

  it('reads a first permit dated after D as no record on D', () => {
    expect(outcomeOf({ residence: { firstPermitDate: '2026-11-02' } })).toBe('NOT_IN_TARGET_GROUP');
    expect(outcomeOf({ ...kelaOnly, residence: { ground: 'family', firstPermitDate: '2026-11-02' } })).toBe('NO_RESIDENCE_RECORD');
    expect(outcomeOf({ residence: { firstPermitDate: D } })).toBe('target');
  });

  it('ends the window of a first permit on 29 February on 28 February', () => {
    expect(targetOf({ asOf: '2027-02-28', residence: { firstPermitDate: '2024-02-29' } }).windowEnds).toBe('2027-02-28');
    expect(outcomeOf({ asOf: '2027-03-01', residence: { firstPermitDate: '2024-02-29' } })).toBe('WINDOW_EXPIRED');
  });

  it('takes D minus three years for D on 29 February as 1 March, so no window ends before D', () => {
    expect(outcomeOf({ asOf: '2028-02-29', residence: { firstPermitDate: '2025-02-28' } })).toBe('WINDOW_EXPIRED');
    expect(targetOf({ asOf: '2028-02-29', residence: { firstPermitDate: '2025-03-01' } }).windowEnds).toBe('2028-03-01');
  });

  it('adds calendar years, clamping 29 February in a common year', () => {
    expect(addCalendarYears('2024-02-29', 3)).toBe('2027-02-28');
    expect(addCalendarYears('2024-02-29', 4)).toBe('2028-02-29');
    expect(addCalendarYears('2024-05-02', -3)).toBe('2021-05-02');
    expect(windowEndsOf('2024-05-02')).toBe('2027-05-02');
  });
});

describe('outreach rule 4: already in integration services', () => {
  it('excludes a person with a completed assessment dated D or before as ALREADY_ASSESSED', () => {
    expect(outcomeOf({ integration: { assessments: [{ date: D, completed: true }] } })).toBe('ALREADY_ASSESSED');
    expect(outcomeOf({ integration: { assessments: [{ date: '2025-01-10', completed: true }] } })).toBe('ALREADY_ASSESSED');
  });

  it('does not count an open assessment or one dated after D', () => {
    expect(outcomeOf({ integration: { assessments: [{ date: '2026-10-01', completed: false }] } })).toBe('target');
    expect(outcomeOf({ integration: { assessments: [{ date: '2026-11-02', completed: true }] } })).toBe('target');
  });

  it('excludes a person whose plan is valid on D, on its first and last day, as HAS_PLAN', () => {
    expect(outcomeOf({ integration: { plans: [{ kind: 'basic', validFrom: D, validUntil: '2027-10-31' }] } })).toBe('HAS_PLAN');
    expect(outcomeOf({ integration: { plans: [{ kind: 'basic', validFrom: '2025-11-02', validUntil: D }] } })).toBe('HAS_PLAN');
  });

  it('lists a person the day after their plan ended, or the day before it starts', () => {
    expect(outcomeOf({ integration: { plans: [{ kind: 'basic', validFrom: '2025-11-01', validUntil: '2026-10-31' }] } })).toBe('target');
    expect(outcomeOf({ integration: { plans: [{ kind: 'basic', validFrom: '2026-11-02', validUntil: '2027-11-01' }] } })).toBe('target');
  });

  it('counts a plan of any kind', () => {
    for (const kind of ['basic', 'multi-sectoral', 'family'] as const) {
      expect(outcomeOf({ integration: { plans: [{ kind, validFrom: '2026-06-01', validUntil: '2027-05-31' }] } })).toBe('HAS_PLAN');
    }
  });
});

describe('the target', () => {
  it('has exactly the fields of the outreach result, in order', () => {
    const target = targetOf({ kela: [{}] });
    expect(Object.keys(target)).toEqual(TARGET_FIELDS);
    expect(Object.keys(target)).toEqual([
      'hetu',
      'lastName',
      'firstNames',
      'language',
      'street',
      'postalCode',
      'postOffice',
      'addressProtected',
      'reasons',
      'firstPermitDate',
      'windowEnds',
    ]);
    // The contract's schema has the same fields in the same order (what it parses out is what the CSV writes).
    expect(Object.keys(outreachTarget.parse(target))).toEqual(TARGET_FIELDS);
    expect(target).toMatchObject({
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
    });
  });

  it('lists a turvakielto target with addressProtected and an empty address', () => {
    const target = targetOf({ person: { turvakielto: true, address: null } });
    expect(target).toMatchObject({ addressProtected: true, street: '', postalCode: '', postOffice: '' });
  });

  it('never lets out the address of a turvakielto person, even one an upstream mapper failed to drop', () => {
    const address = { street: 'Salainen 1', postalCode: '65100', postOffice: 'VAASA' };
    const target = targetOf({ person: { turvakielto: true, address } });
    expect(target).toMatchObject({ addressProtected: true, street: '', postalCode: '', postOffice: '' });
    expect(JSON.stringify(target)).not.toContain('Salainen');
  });

  it('gives a person without an address and without turvakielto an empty, unprotected address', () => {
    expect(targetOf({ person: { address: null } })).toMatchObject({ addressProtected: false, street: '', postalCode: '', postOffice: '' });
  });

  it("passes VTJ's unknown native language on as und", () => {
    expect(targetOf({ person: { nativeLanguage: 'und' } }).language).toBe('und');
  });

  it('carries the code normalised, as DVV writes it', () => {
    const hetu = makeHetu('1990-04-12', 777, 'Y');
    expect(targetOf({ hetu: ` ${hetu.toLowerCase()} ` }).hetu).toBe(hetu);
  });
});

describe('the order of the exclusion codes', () => {
  /** Each makes the person fail one rule; applied from the last code to the first, so earlier ones win conflicts. */
  const failures: readonly (readonly [ExclusionCode, (setup: Setup) => Setup])[] = [
    ['INVALID_HETU', (s) => ({ ...s, hetu: '131052-308X' })],
    ['NOT_FOUND_IN_VTJ', (s) => ({ ...s, vtj: { outcome: 'not-found', paluukoodi: '0001' } })],
    ['NOT_RESIDENT', (s) => ({ ...s, person: { ...s.person, kotikunta: { code: '091', since: '2026-01-01' } } })],
    ['DECEASED', (s) => ({ ...s, person: { ...s.person, dateOfDeath: '2026-09-02' } })],
    ['FINNISH_CITIZEN', (s) => ({ ...s, person: { ...s.person, nationalities: ['FIN', 'SOM'], citizenship: 'citizen' } })],
    ['MINOR', (s) => ({ ...s, birthDate: '2010-11-01' })],
    ['NOT_IN_TARGET_GROUP', (s) => ({ ...s, kela: [{ temporary: true }] })],
    ['NO_RESIDENCE_RECORD', (s) => ({ ...s, residence: null })],
    ['WINDOW_EXPIRED', (s) => ({ ...s, residence: { ground: 'family', firstPermitDate: '2021-11-01' } })],
    ['ALREADY_ASSESSED', (s) => ({ ...s, integration: { ...s.integration, assessments: [{ date: '2024-01-01', completed: true }] } })],
    ['HAS_PLAN', (s) => ({ ...s, integration: { ...s.integration, plans: [{ kind: 'basic', validFrom: '2026-06-01', validUntil: '2027-05-31' }] } })],
  ];

  it('names every exclusion code, in the order of docs/DESIGN.md "Outreach rules"', () => {
    expect(failures.map(([code]) => code)).toEqual([...exclusionCodes]);
  });

  it.each(failures.map(([code], position) => ({ code, position })))(
    'counts a person failing the rule of $code and every later rule under $code',
    ({ code, position }) => {
      const setup = failures
        .slice(position)
        .reverse()
        .reduce<Setup>((s, [, fail]) => fail(s), kelaOnly);
      expect(outcomeOf(setup)).toBe(code);
    },
  );

  it('lists the person once no rule fails', () => {
    expect(outcomeOf(kelaOnly)).toBe('target');
  });
});

describe('lookupsNeeded: deciding early', () => {
  const needs = (setup: Setup): LookupSystem[] => lookupsNeeded(candidate(setup));

  it('decides a malformed code with no lookup at all', () => {
    const c = candidate({ hetu: '131052-308X', known: [] });
    expect(lookupsNeeded(c)).toEqual([]);
    expect(decideCandidate(c)).toEqual({ kind: 'excluded', code: 'INVALID_HETU' });
  });

  it('asks VTJ, UMA and the data store, in that order, about a candidate nothing is known of', () => {
    expect(needs({ known: [] })).toEqual(['vtj', 'uma', 'datastore']);
  });

  it('decides every VTJ exclusion on VTJ alone', () => {
    const vtjOnly: Setup[] = [
      { vtj: { outcome: 'not-found', paluukoodi: '0001' } },
      { vtj: { outcome: 'not-disclosable', paluukoodi: '0019' } },
      { person: { kotikunta: { code: '091', since: null } } },
      { person: { dateOfDeath: '2026-01-01' } },
      { person: { nationalities: [], citizenship: 'citizen' } },
      { birthDate: '2010-01-01' },
    ];
    for (const setup of vtjOnly) {
      const c = candidate({ ...setup, known: ['vtj'] });
      expect(lookupsNeeded(c)).toEqual([]);
      expect(decideCandidate(c)).toEqual(decideCandidate(candidate({ ...setup, hetu: c.hetu })));
    }
  });

  it('asks UMA about everyone VTJ lets through, even a person Kela already names', () => {
    expect(needs({ known: ['vtj'] })).toEqual(['uma', 'datastore']);
    expect(needs({ ...kelaOnly, known: ['vtj'] })).toEqual(['uma', 'datastore']);
  });

  it('decides the UMA exclusions without the data store', () => {
    expect(needs({ residence: { ground: 'work' }, known: ['vtj', 'uma'] })).toEqual([]);
    expect(outcomeOf({ residence: { ground: 'work' }, known: ['vtj', 'uma'] })).toBe('NOT_IN_TARGET_GROUP');
    expect(outcomeOf({ ...kelaOnly, residence: null, known: ['vtj', 'uma'] })).toBe('NO_RESIDENCE_RECORD');
    expect(outcomeOf({ residence: { firstPermitDate: '2020-01-01' }, known: ['vtj', 'uma'] })).toBe('WINDOW_EXPIRED');
  });

  it('asks the data store only about those who would otherwise be targets', () => {
    expect(needs({ known: ['vtj', 'uma'] })).toEqual(['datastore']);
    expect(needs({})).toEqual([]);
  });

  it('uses answers that came out of order and never asks a system twice', () => {
    expect(needs({ known: ['uma'] })).toEqual(['vtj', 'datastore']);
    expect(needs({ known: ['datastore'] })).toEqual(['vtj', 'uma']);
  });

  it('refuses to decide before a needed lookup, naming the system but not the person', () => {
    const c = candidate({ known: ['vtj'] });
    expect(() => decideCandidate(c)).toThrow(MissingLookupError);
    try {
      decideCandidate(c);
    } catch (error) {
      expect((error as MissingLookupError).system).toBe('uma');
      expect(String(error)).not.toContain(c.hetu);
    }
  });

  it('refuses a date that does not exist', () => {
    expect(() => decideCandidate(candidate({ asOf: '2026-02-30' }))).toThrow(RangeError);
    expect(() => decideCandidate(candidate({ asOf: '1.11.2026' }))).toThrow(RangeError);
  });
});
