/**
 * The outreach result a run must give, computed independently of the hub: written straight from
 * docs/DESIGN.md ("Outreach rules", "Fixture population", "The outreach result") over a fixture
 * population, without functions/outreach/rules.ts, the register mappers or contracts/hetu.ts, so
 * that a mistake in any of them shows up as a disagreement. Every register answers from the fixture
 * person: VTJ knows the persons in the file; UMA's record is `residence`; Kela's rows are `kela`; the
 * data store's are `integration`.
 *
 * For the cases the rules leave open it follows the readings docs/DESIGN.md "Outreach rules" gives
 * (and functions/outreach/rules.ts documents):
 * `homeMunicipalitySince` null counts as home on D; born on 29 February is 18 on 1 March of a
 * common year; a first permit dated after D is no record on D; `windowEnds` of a 29 February
 * permit is 28 February and the window is open while D ≤ `windowEnds`; Kela reasons come from the
 * run's Kelmu list only (records whose list municipality is M); a native language that is not a
 * two-letter code is `und`.
 */
import type { FixturePerson, FixturePopulation } from '#contracts/population';
import type { ExclusionCode, OutreachTarget } from '#contracts/outreach-result';

export interface ExpectedOutreachResult {
  readonly municipality: string;
  readonly asOf: string;
  /** Sorted by hetu. */
  readonly targets: OutreachTarget[];
  /** Only codes with a count above zero. */
  readonly exclusions: Partial<Record<ExclusionCode, number>>;
}

const CHECK_CHARACTERS = '0123456789ABCDEFHJKLMNPRSTUVWXY';
const CENTURIES: Record<string, number> = { '+': 1800, '-': 1900, U: 1900, V: 1900, W: 1900, X: 1900, Y: 1900, A: 2000, B: 2000, C: 2000, D: 2000, E: 2000, F: 2000 };

/** docs/DESIGN.md "Personal identity code (HETU)": the birth date of a valid code, or null. */
function birthDateOf(code: string): string | null {
  const parts = /^(\d\d)(\d\d)(\d\d)(.)(\d\d\d)(.)$/.exec(code.trim().toUpperCase());
  const century = parts ? CENTURIES[parts[4]!] : undefined;
  if (!parts || century === undefined) return null;
  const [, dd, mm, yy, , nnn, check] = parts as unknown as string[];
  const birth = `${century + Number(yy)}-${mm}-${dd}`;
  const real = new Date(`${birth}T00:00:00Z`);
  if (Number.isNaN(real.getTime()) || real.toISOString().slice(0, 10) !== birth) return null;
  if (Number(nnn) < 2 || CHECK_CHARACTERS[Number(`${dd}${mm}${yy}${nnn}`) % 31] !== check) return null;
  return birth;
}

const isLeap = (year: number): boolean => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

/** The same month and day `years` later; 29 February becomes `leapDayTo` in a common year. */
const yearsLater = (date: string, years: number, leapDayTo: '02-28' | '03-01'): string => {
  const year = Number(date.slice(0, 4)) + years;
  const monthDay = date.slice(5);
  return `${year}-${monthDay === '02-29' && !isLeap(year) ? leapDayTo : monthDay}`;
};

/** Kela's record is on M's list on D: its list municipality is M and it is active on D. */
const onKelmuList = (person: FixturePerson, municipality: string, asOf: string) => (record: FixturePerson['kela'][number]) =>
  (record.municipality ?? person.homeMunicipality) === municipality && record.from <= asOf && (record.to === null || asOf <= record.to);

/** The decision on one listed code: the target, or the first exclusion code that applies. */
function decide(code: string, person: FixturePerson | undefined, M: string, D: string): OutreachTarget | ExclusionCode {
  const birth = birthDateOf(code);
  if (birth === null) return 'INVALID_HETU';
  if (person === undefined) return 'NOT_FOUND_IN_VTJ';
  if (person.homeMunicipality !== M || (person.homeMunicipalitySince ?? D) > D) return 'NOT_RESIDENT';
  if (person.dateOfDeath !== null && person.dateOfDeath <= D) return 'DECEASED';
  if (person.nationalities.includes('FIN')) return 'FINNISH_CITIZEN';
  if (yearsLater(birth, 18, '03-01') > D) return 'MINOR';

  const residence = person.residence !== null && person.residence.firstPermitDate <= D ? person.residence : null;
  const kela = person.kela.filter(onKelmuList(person, M, D));
  const reasons = (
    [
      [residence !== null && (residence.ground === 'international-protection' || residence.quotaRefugee), 'INTERNATIONAL_PROTECTION'],
      [kela.some((k) => k.benefit === 'child-home-care-allowance'), 'KELA_HOME_CARE_ALLOWANCE'],
      [kela.some((k) => k.benefit === 'basic-social-assistance' && !k.temporary), 'KELA_SOCIAL_ASSISTANCE'],
      [residence?.traffickingVictim === true, 'TRAFFICKING_VICTIM'],
    ] as const
  ).flatMap(([holds, reason]) => (holds ? [reason] : []));
  if (reasons.length === 0) return 'NOT_IN_TARGET_GROUP';
  if (residence === null) return 'NO_RESIDENCE_RECORD';
  const windowEnds = yearsLater(residence.firstPermitDate, 3, '02-28');
  if (windowEnds < D) return 'WINDOW_EXPIRED';

  const { assessmentDate, planValidFrom, planValidUntil } = person.integration;
  if (assessmentDate !== null && assessmentDate <= D) return 'ALREADY_ASSESSED';
  if (planValidFrom !== null && planValidUntil !== null && planValidFrom <= D && D <= planValidUntil) return 'HAS_PLAN';

  const address = person.nonDisclosure ? null : person.address;
  return {
    hetu: code.trim().toUpperCase(),
    lastName: person.lastName,
    firstNames: person.firstNames,
    language: person.nativeLanguage !== null && /^[a-z]{2}$/.test(person.nativeLanguage) ? person.nativeLanguage : 'und',
    street: address?.street ?? '',
    postalCode: address?.postalCode ?? '',
    postOffice: address?.postOffice ?? '',
    addressProtected: person.nonDisclosure,
    reasons: [...reasons],
    firstPermitDate: residence.firstPermitDate,
    windowEnds,
  };
}

/**
 * Every person considered in M's run on D — the distinct codes on the Kelmu list (a Kela record
 * active on D whose list municipality is M) and on the UMA list (home municipality M and ground
 * international protection, or a victim of trafficking, any permit date) — and their decisions.
 */
export function expectedDecisions(population: FixturePopulation, municipality: string, asOf: string): Map<string, OutreachTarget | ExclusionCode> {
  const byCode = new Map(population.persons.map((person) => [person.hetu, person]));
  const kelmu = population.persons.filter((person) => person.kela.some(onKelmuList(person, municipality, asOf)));
  const uma = population.persons.filter(
    (person) =>
      person.homeMunicipality === municipality &&
      person.residence !== null &&
      (person.residence.ground === 'international-protection' || person.residence.traffickingVictim),
  );
  const codes = new Set([...kelmu, ...uma].map((person) => person.hetu));
  return new Map([...codes].map((code) => [code, decide(code, byCode.get(code), municipality, asOf)]));
}

/** docs/DESIGN.md "The outreach result" for M on D, without the run's `correlationId`. */
export function expectedOutreachResult(population: FixturePopulation, municipality: string, asOf: string): ExpectedOutreachResult {
  const targets: OutreachTarget[] = [];
  const exclusions: Partial<Record<ExclusionCode, number>> = {};
  for (const decision of expectedDecisions(population, municipality, asOf).values()) {
    if (typeof decision === 'string') exclusions[decision] = (exclusions[decision] ?? 0) + 1;
    else targets.push(decision);
  }
  targets.sort((a, b) => (a.hetu < b.hetu ? -1 : a.hetu > b.hetu ? 1 : 0));
  return { municipality, asOf, targets, exclusions };
}
