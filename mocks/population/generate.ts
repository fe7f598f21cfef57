/**
 * Fixture population generator (docs/DESIGN.md "Fixture population"). Deterministic: the same options
 * give the same file, byte for byte (a seeded PRNG, and dates counted from `asOf`, never from the
 * clock).
 *
 * The first persons are the edge cases every consumer must handle (see `edgeCases`), spread over
 * the municipalities in turn; the rest are ordinary residents drawn from weighted origin groups.
 *
 *   npx tsx mocks/population/generate.ts --persons 300 --municipalities 905,091,837 --seed 2025 \
 *     [--as-of 2026-11-01] [--out FILE]
 */
import { writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { makeHetu } from '#contracts/hetu';
import {
  fixturePopulation,
  type FixtureKelaRecord,
  type FixturePerson,
  type FixturePopulation,
  type FixtureResidence,
} from '#contracts/population';
import { createPrng } from '#mocks/framework';
import { genericStreets, municipalityStreets, origins, type NameSet, type Origin, type Weighted } from './names.ts';

export const DEFAULT_AS_OF = '2026-11-01';

export interface GenerateOptions {
  readonly persons: number;
  /** Three-digit municipality codes; persons are spread over them. */
  readonly municipalities: readonly string[];
  readonly seed: number;
  /** The date the edge cases are built around (default 2026-11-01). */
  readonly asOf?: string;
}

// ---- dates -------------------------------------------------------------------------------------

const DAY = 86_400_000;
const toDay = (iso: string): number => Date.parse(`${iso}T00:00:00Z`) / DAY;
const fromDay = (day: number): string => new Date(day * DAY).toISOString().slice(0, 10);
const addDays = (iso: string, days: number): string => fromDay(toDay(iso) + days);
/** The same date `years` earlier or later (29 February becomes 1 March). */
const addYears = (iso: string, years: number): string => {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y + years, m - 1, d)).toISOString().slice(0, 10);
};
const minDate = (a: string, b: string): string => (a < b ? a : b);
const maxDate = (a: string, b: string): string => (a > b ? a : b);

// ---- randomness --------------------------------------------------------------------------------

class Random {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = createPrng(seed);
  }
  float(): number {
    return this.next();
  }
  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    const item = items[this.int(0, items.length - 1)];
    if (item === undefined) throw new RangeError('pick: no items');
    return item;
  }
  weighted<T>(items: Weighted<T>): T {
    const total = items.reduce((sum, [, w]) => sum + w, 0);
    let draw = this.next() * total;
    for (const [item, w] of items) {
      draw -= w;
      if (draw < 0) return item;
    }
    return items[items.length - 1]![0];
  }
  /** A date in [from, to] (inclusive). */
  date(from: string, to: string): string {
    return fromDay(this.int(toDay(from), Math.max(toDay(from), toDay(to))));
  }
}

// ---- persons -----------------------------------------------------------------------------------

type Sex = 'male' | 'female';

interface Draft {
  origin: Origin;
  sex: Sex;
  birthDate: string;
  sign?: string;
  person: FixturePerson;
}

/** Builds persons, keeping identity codes unique. */
class PersonFactory {
  private readonly used = new Set<string>();

  constructor(
    private readonly rnd: Random,
    readonly asOf: string,
  ) {}

  hetu(birthDate: string, sex: Sex, sign?: string): string {
    for (;;) {
      // Odd individual numbers are men's, even women's.
      const base = this.rnd.int(1, 449) * 2;
      const individual = sex === 'male' ? base + 1 : base;
      if (individual < 2 || individual > 899) continue;
      const code = makeHetu(birthDate, individual, sign);
      if (!this.used.has(code)) {
        this.used.add(code);
        return code;
      }
    }
  }

  /** Reserves a deliberately malformed code (never produced by `hetu`). */
  reserve(code: string): string {
    this.used.add(code);
    return code;
  }

  names(origin: Origin, sex: Sex, forceScript?: boolean): { lastName: string; firstNames: string } {
    const useScript = origin.script !== undefined && (forceScript ?? this.rnd.chance(origin.script.share));
    const set: NameSet = useScript && origin.script ? origin.script : origin.latin;
    const lastIndex = this.rnd.int(0, set.last.length - 1);
    const lastName = (sex === 'female' ? set.lastFemale?.[lastIndex] : undefined) ?? set.last[lastIndex]!;
    const given = sex === 'male' ? set.male : set.female;
    const first = this.rnd.pick(given);
    let firstNames = first;
    if (!origin.givenNamesWhole && this.rnd.chance(0.55)) {
      const second = this.rnd.pick(given);
      if (second !== first) firstNames = `${first} ${second}`;
    }
    return { lastName, firstNames };
  }

  address(municipality: string): FixturePerson['address'] {
    const streets = municipalityStreets[municipality] ?? genericStreets(municipality);
    const swedish = streets.postOffice[1] !== null && this.rnd.chance(0.2);
    const [fi, sv, postalCode] = this.rnd.pick(streets.streets);
    const name = swedish && sv !== null ? sv : fi;
    const number = this.rnd.int(1, 120);
    const flat = this.rnd.chance(0.65) ? ` ${this.rnd.pick(['A', 'B', 'C', 'D'])} ${this.rnd.int(1, 60)}` : '';
    return {
      street: `${name} ${number}${flat}`,
      postalCode,
      postOffice: swedish && streets.postOffice[1] !== null ? streets.postOffice[1] : streets.postOffice[0],
    };
  }

  /** Birth date of an adult, mostly of working age. */
  adultBirthDate(): string {
    const age = this.rnd.weighted<[number, number]>([
      [[19, 29], 3],
      [[30, 44], 4],
      [[45, 64], 2],
      [[65, 80], 1],
    ]);
    const years = this.rnd.int(age[0], age[1]);
    return this.rnd.date(addDays(addYears(this.asOf, -years - 1), 1), addYears(this.asOf, -years));
  }

  residence(origin: Origin, overrides: Partial<FixtureResidence> = {}): FixtureResidence {
    const ground = overrides.ground ?? this.rnd.weighted(origin.grounds);
    const recent = this.rnd.chance(0.75);
    const firstPermitDate = recent
      ? this.rnd.date(addDays(addYears(this.asOf, -3), 1), addDays(this.asOf, -30))
      : this.rnd.date(addYears(this.asOf, -9), addDays(addYears(this.asOf, -3), -1));
    const permitType: FixtureResidence['permitType'] =
      ground === 'eu-registration'
        ? 'EU'
        : ground === 'temporary-protection' || ground === 'study'
          ? 'B'
          : !recent && this.rnd.chance(0.4)
            ? this.rnd.pick(['P', 'P-EU'] as const)
            : ground === 'work'
              ? this.rnd.pick(['A', 'B'] as const)
              : 'A';
    const quotaRefugee = ground === 'international-protection' && this.rnd.chance(0.25);
    const traffickingVictim = this.rnd.chance(0.01);
    return { firstPermitDate, permitType, ground, quotaRefugee, traffickingVictim, ...overrides };
  }

  /** An ordinary resident of `municipality`. */
  ordinary(municipality: string, overrides: { origin?: Origin; sex?: Sex; birthDate?: string; sign?: string } = {}): Draft {
    const rnd = this.rnd;
    const origin = overrides.origin ?? rnd.weighted(origins.map((o) => [o, o.weight] as const));
    const sex: Sex = overrides.sex ?? (rnd.chance(0.5) ? 'male' : 'female');
    const minor = overrides.birthDate === undefined && rnd.chance(0.06);
    const birthDate =
      overrides.birthDate ??
      (minor ? rnd.date(addDays(addYears(this.asOf, -18), 1), addYears(this.asOf, -1)) : this.adultBirthDate());
    const { lastName, firstNames } = this.names(origin, sex);
    const residence = rnd.chance(0.04) ? null : this.residence(origin);
    const arrival = residence?.firstPermitDate ?? rnd.date(addYears(this.asOf, -6), addDays(this.asOf, -60));
    const since = rnd.chance(0.05) ? null : minDate(this.asOf, addDays(maxDate(arrival, birthDate), rnd.int(0, 120)));
    const nationalities = [rnd.pick(origin.nationalities)];
    if (rnd.chance(0.03)) nationalities.push(rnd.pick(['TUR', 'SWE', 'GBR', 'USA', 'DEU'].filter((n) => n !== nationalities[0])));
    const person: FixturePerson = {
      hetu: this.hetu(birthDate, sex, overrides.sign ?? this.randomSign(birthDate)),
      lastName,
      firstNames,
      dateOfDeath: null,
      nationalities,
      nativeLanguage: rnd.chance(0.03) ? null : rnd.weighted(origin.languages),
      homeMunicipality: municipality,
      homeMunicipalitySince: since,
      address: this.address(municipality),
      nonDisclosure: rnd.chance(0.02),
      residence,
      kela: [],
      integration: { assessmentDate: null, planValidFrom: null, planValidUntil: null },
    };
    if (!minor) this.benefits(person, sex, birthDate, since ?? arrival);
    this.integration(person, since ?? arrival);
    return { origin, sex, birthDate, sign: overrides.sign, person };
  }

  private randomSign(birthDate: string): string | undefined {
    const century = Number(birthDate.slice(0, 2));
    if (century === 19 && this.rnd.chance(0.12)) return this.rnd.pick(['Y', 'X', 'W', 'V', 'U']);
    if (century === 20 && this.rnd.chance(0.2)) return this.rnd.pick(['B', 'C', 'D', 'E', 'F']);
    return undefined;
  }

  private benefits(person: FixturePerson, sex: Sex, birthDate: string, since: string): void {
    const rnd = this.rnd;
    if (rnd.chance(0.45)) {
      const from = rnd.date(since, addDays(this.asOf, -1));
      const ended = rnd.chance(0.25);
      person.kela.push({
        benefit: 'basic-social-assistance',
        temporary: rnd.chance(0.15),
        from,
        to: ended ? rnd.date(from, addDays(this.asOf, -1)) : rnd.chance(0.3) ? rnd.date(this.asOf, addDays(this.asOf, 120)) : null,
      });
    }
    const age = Number(this.asOf.slice(0, 4)) - Number(birthDate.slice(0, 4));
    if (age >= 19 && age <= 45 && rnd.chance(sex === 'female' ? 0.2 : 0.04)) {
      const from = rnd.date(since, addDays(this.asOf, -1));
      person.kela.push({ benefit: 'child-home-care-allowance', temporary: false, from, to: rnd.chance(0.3) ? addDays(from, rnd.int(60, 700)) : null });
    }
    // Kela's list can lag behind a move: now and then the list municipality is not the home one.
    for (const record of person.kela) {
      if (rnd.chance(0.03)) record.municipality = rnd.pick(['049', '092', '853', '564']);
    }
  }

  private integration(person: FixturePerson, since: string): void {
    const rnd = this.rnd;
    const latest = addDays(this.asOf, -1);
    if (since > latest || !rnd.chance(0.22)) return;
    const assessed = rnd.date(since, latest);
    person.integration.assessmentDate = assessed;
    if (rnd.chance(0.6)) {
      const from = minDate(latest, addDays(assessed, rnd.int(0, 30)));
      person.integration.planValidFrom = from;
      person.integration.planValidUntil = addDays(addYears(from, 1), -1);
    }
  }
}

// ---- edge cases --------------------------------------------------------------------------------

const originByKey = (key: string): Origin => {
  const origin = origins.find((o) => o.key === key);
  if (!origin) throw new RangeError(`no origin group ${key}`);
  return origin;
};

const protection = (f: PersonFactory, origin: Origin, overrides: Partial<FixtureResidence> = {}): FixtureResidence =>
  f.residence(origin, { ground: 'international-protection', permitType: 'A', quotaRefugee: false, traffickingVictim: false, ...overrides });

const activeBenefit = (asOf: string, overrides: Partial<FixtureKelaRecord> = {}): FixtureKelaRecord => ({
  benefit: 'basic-social-assistance',
  temporary: false,
  from: addDays(asOf, -200),
  to: null,
  ...overrides,
});

/** A recent protection recipient with no integration record: the plain target. */
const target = (f: PersonFactory, m: string, origin: Origin, extra: { sex?: Sex; birthDate?: string; sign?: string } = {}): Draft => {
  const draft = f.ordinary(m, { origin, ...extra });
  draft.person.residence = protection(f, origin, {
    firstPermitDate: addDays(f.asOf, -400),
  });
  draft.person.kela = [];
  draft.person.integration = { assessmentDate: null, planValidFrom: null, planValidUntil: null };
  draft.person.nonDisclosure = false;
  draft.person.dateOfDeath = null;
  draft.person.homeMunicipalitySince = maxDate(draft.birthDate, addDays(f.asOf, -380));
  return draft;
};

type EdgeCase = (f: PersonFactory, m: string, others: readonly string[]) => Draft;

/**
 * The cases the outreach rules (docs/DESIGN.md "Outreach rules") turn on, each at least once. `m` is the municipality the person is
 * (or seems to be) in; `others` the other municipalities of the run.
 */
export const edgeCases: readonly (readonly [string, EdgeCase])[] = [
  // Every century sign of the identity code, the 2023 signs included.
  ['sign +', (f, m) => {
    const d = f.ordinary(m, { origin: originByKey('estonia'), birthDate: '1899-12-30', sign: '+' });
    d.person.dateOfDeath = '1990-06-01';
    d.person.residence = { firstPermitDate: '1985-03-01', permitType: 'P', ground: 'eu-registration', quotaRefugee: false, traffickingVictim: false };
    d.person.kela = [];
    d.person.integration = { assessmentDate: null, planValidFrom: null, planValidUntil: null };
    return d;
  }],
  ...(['-', 'Y', 'X', 'W', 'V', 'U'] as const).map(
    (sign, i) =>
      [`sign ${sign}`, (f: PersonFactory, m: string) =>
        target(f, m, originByKey(['syria', 'afghanistan', 'somalia', 'eritrea', 'iraq', 'congo'][i]!), {
          birthDate: `19${70 + i * 4}-0${1 + i}-1${i}`,
          sign,
        })] as const,
  ),
  ...(['A', 'B', 'C', 'D', 'E', 'F'] as const).map(
    (sign, i) =>
      [`sign ${sign}`, (f: PersonFactory, m: string) =>
        target(f, m, originByKey(['kurdish', 'afghanistan', 'syria', 'eritrea', 'somalia', 'ukraine'][i]!), {
          // Born in the 2000s and, when the as-of date allows, an adult.
          birthDate: maxDate('2000-01-01', minDate(`200${i + 1}-0${2 + i}-2${i}`, addYears(f.asOf, -18))),
          sign,
        })] as const,
  ),
  // Malformed codes on Kela's list: a wrong check character, a date that does not exist, no century sign.
  ['malformed: check character', (f, m) => {
    const d = f.ordinary(m, { origin: originByKey('somalia') });
    const valid = d.person.hetu;
    const wrong = valid.slice(0, 10) + (valid.endsWith('X') ? 'Y' : 'X');
    d.person.hetu = f.reserve(wrong);
    d.person.kela = [activeBenefit(f.asOf)];
    return d;
  }],
  ['malformed: date', (f, m) => {
    const d = f.ordinary(m, { origin: originByKey('iraq') });
    d.person.hetu = f.reserve('300285-417K');
    d.person.kela = [activeBenefit(f.asOf)];
    return d;
  }],
  ['malformed: shape', (f, m) => {
    const d = f.ordinary(m, { origin: originByKey('afghanistan') });
    d.person.hetu = f.reserve(`${d.person.hetu.slice(0, 6)}${d.person.hetu.slice(7)}`);
    d.person.kela = [activeBenefit(f.asOf, { from: addDays(f.asOf, -90) })];
    return d;
  }],
  // On Kela's list of M, but moved away since.
  ['moved away', (f, m, others) => {
    const home = others[0] ?? (m === '092' ? '049' : '092');
    const d = target(f, home, originByKey('syria'));
    d.person.kela = [activeBenefit(f.asOf, { municipality: m })];
    return d;
  }],
  ['deceased', (f, m) => {
    const d = target(f, m, originByKey('eritrea'));
    d.person.dateOfDeath = addDays(f.asOf, -60);
    d.person.kela = [activeBenefit(f.asOf, { to: addDays(f.asOf, -60) })];
    return d;
  }],
  ['finnish citizen', (f, m) => {
    const d = target(f, m, originByKey('somalia'));
    d.person.nationalities = ['FIN'];
    return d;
  }],
  ['finnish citizen, dual', (f, m) => {
    const d = target(f, m, originByKey('somalia'));
    d.person.nationalities = ['FIN', 'SOM'];
    d.person.kela = [activeBenefit(f.asOf)];
    return d;
  }],
  ['dual nationality', (f, m) => {
    const d = target(f, m, originByKey('kurdish'));
    d.person.nationalities = ['IRQ', 'TUR'];
    return d;
  }],
  ['minor', (f, m) => target(f, m, originByKey('afghanistan'), { birthDate: addYears(f.asOf, -16) })],
  ['turns 18 on the as-of date', (f, m) => target(f, m, originByKey('syria'), { birthDate: addYears(f.asOf, -18) })],
  ['turns 18 the day after', (f, m) => target(f, m, originByKey('eritrea'), { birthDate: addDays(addYears(f.asOf, -18), 1) })],
  ['turvakielto', (f, m) => {
    const d = target(f, m, originByKey('iran'));
    d.person.nonDisclosure = true;
    return d;
  }],
  ['turvakielto, no address', (f, m) => {
    const d = target(f, m, originByKey('congo'));
    d.person.nonDisclosure = true;
    d.person.address = null;
    d.person.kela = [activeBenefit(f.asOf)];
    return d;
  }],
  ['no residence record', (f, m) => {
    const d = f.ordinary(m, { origin: originByKey('russia'), birthDate: f.adultBirthDate() });
    d.person.residence = null;
    d.person.dateOfDeath = null;
    d.person.nationalities = ['RUS'];
    d.person.kela = [activeBenefit(f.asOf)];
    d.person.integration = { assessmentDate: null, planValidFrom: null, planValidUntil: null };
    return d;
  }],
  ['old permit', (f, m) => {
    const d = target(f, m, originByKey('somalia'));
    d.person.residence = protection(f, originByKey('somalia'), { firstPermitDate: addYears(f.asOf, -5) });
    return d;
  }],
  ['permit exactly three years ago', (f, m) => {
    const d = target(f, m, originByKey('afghanistan'));
    d.person.residence = protection(f, originByKey('afghanistan'), { firstPermitDate: addYears(f.asOf, -3) });
    return d;
  }],
  ['permit three years and a day ago', (f, m) => {
    const d = target(f, m, originByKey('syria'));
    d.person.residence = protection(f, originByKey('syria'), { firstPermitDate: addDays(addYears(f.asOf, -3), -1) });
    return d;
  }],
  ['temporary social assistance', (f, m) => {
    const d = target(f, m, originByKey('philippines'));
    d.person.residence = f.residence(originByKey('philippines'), { ground: 'work', traffickingVictim: false, firstPermitDate: addDays(f.asOf, -300) });
    d.person.kela = [activeBenefit(f.asOf, { temporary: true })];
    return d;
  }],
  ['benefit ended the day before', (f, m) => {
    const d = target(f, m, originByKey('vietnam'));
    d.person.residence = f.residence(originByKey('vietnam'), { ground: 'family', traffickingVictim: false, firstPermitDate: addDays(f.asOf, -500) });
    d.person.kela = [activeBenefit(f.asOf, { to: addDays(f.asOf, -1) })];
    return d;
  }],
  ['benefit ends on the as-of date', (f, m) => {
    const d = target(f, m, originByKey('india'));
    d.person.residence = f.residence(originByKey('india'), { ground: 'family', traffickingVictim: false, firstPermitDate: addDays(f.asOf, -500) });
    d.person.kela = [activeBenefit(f.asOf, { to: f.asOf })];
    return d;
  }],
  ['benefit starts the day after', (f, m) => {
    const d = target(f, m, originByKey('turkey'));
    d.person.residence = f.residence(originByKey('turkey'), { ground: 'work', traffickingVictim: false, firstPermitDate: addDays(f.asOf, -200) });
    d.person.kela = [activeBenefit(f.asOf, { from: addDays(f.asOf, 1) })];
    return d;
  }],
  ['home care allowance', (f, m) => {
    const d = target(f, m, originByKey('iraq'), { sex: 'female' });
    d.person.residence = f.residence(originByKey('iraq'), { ground: 'family', traffickingVictim: false, firstPermitDate: addDays(f.asOf, -700) });
    d.person.kela = [activeBenefit(f.asOf, { benefit: 'child-home-care-allowance', from: addDays(f.asOf, -150) })];
    return d;
  }],
  ['two benefits', (f, m) => {
    const d = target(f, m, originByKey('somalia'), { sex: 'female' });
    d.person.kela = [
      activeBenefit(f.asOf),
      activeBenefit(f.asOf, { benefit: 'child-home-care-allowance', from: addDays(f.asOf, -100) }),
    ];
    return d;
  }],
  ['already assessed', (f, m) => {
    const d = target(f, m, originByKey('syria'));
    d.person.integration.assessmentDate = addDays(f.asOf, -100);
    return d;
  }],
  ['valid plan', (f, m) => {
    const d = target(f, m, originByKey('eritrea'));
    d.person.integration = { assessmentDate: null, planValidFrom: addDays(f.asOf, -90), planValidUntil: addDays(addYears(f.asOf, 1), -91) };
    return d;
  }],
  ['plan ends on the as-of date', (f, m) => {
    const d = target(f, m, originByKey('afghanistan'));
    d.person.integration = { assessmentDate: null, planValidFrom: addDays(addYears(f.asOf, -1), 1), planValidUntil: f.asOf };
    return d;
  }],
  ['expired plan', (f, m) => {
    const d = target(f, m, originByKey('iraq'));
    d.person.integration = { assessmentDate: null, planValidFrom: addYears(f.asOf, -1), planValidUntil: addDays(f.asOf, -1) };
    return d;
  }],
  ['quota refugee', (f, m) => {
    const d = target(f, m, originByKey('congo'));
    d.person.residence = protection(f, originByKey('congo'), { quotaRefugee: true, firstPermitDate: addDays(f.asOf, -250) });
    return d;
  }],
  ['trafficking victim', (f, m) => {
    const d = target(f, m, originByKey('philippines'), { sex: 'female' });
    d.person.residence = f.residence(originByKey('philippines'), { ground: 'other', traffickingVictim: true, firstPermitDate: addDays(f.asOf, -320) });
    return d;
  }],
  ['trafficking victim, family ground', (f, m) => {
    const d = target(f, m, originByKey('vietnam'), { sex: 'female' });
    d.person.residence = f.residence(originByKey('vietnam'), { ground: 'family', traffickingVictim: true, firstPermitDate: addDays(f.asOf, -600) });
    return d;
  }],
  ['temporary protection with social assistance', (f, m) => {
    const d = target(f, m, originByKey('ukraine'));
    d.person.residence = f.residence(originByKey('ukraine'), { ground: 'temporary-protection', permitType: 'B', traffickingVictim: false, firstPermitDate: addDays(f.asOf, -500) });
    d.person.kela = [activeBenefit(f.asOf)];
    return d;
  }],
  ['temporary protection, Cyrillic name', (f, m) => {
    const origin = originByKey('ukraine');
    const d = target(f, m, origin);
    Object.assign(d.person, f.names(origin, d.sex, true));
    d.person.residence = f.residence(origin, { ground: 'temporary-protection', permitType: 'B', traffickingVictim: false, firstPermitDate: addDays(f.asOf, -800) });
    d.person.kela = [activeBenefit(f.asOf, { temporary: true })];
    return d;
  }],
  ['Arabic script name', (f, m) => {
    const origin = originByKey('syria');
    const d = target(f, m, origin);
    Object.assign(d.person, f.names(origin, d.sex, true));
    return d;
  }],
  ['unknown native language', (f, m) => {
    const d = target(f, m, originByKey('eritrea'));
    d.person.nativeLanguage = null;
    return d;
  }],
  ['EU registration with social assistance', (f, m) => {
    const d = target(f, m, originByKey('estonia'));
    d.person.residence = f.residence(originByKey('estonia'), { ground: 'eu-registration', permitType: 'EU', traffickingVictim: false, firstPermitDate: addDays(f.asOf, -400) });
    d.person.kela = [activeBenefit(f.asOf)];
    return d;
  }],
];

// ---- the generator -----------------------------------------------------------------------------

/** Generates a population; validated against the fixture population schema before it is returned. */
export function generatePopulation(options: GenerateOptions): FixturePopulation {
  const asOf = options.asOf ?? DEFAULT_AS_OF;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf) || Number.isNaN(toDay(asOf))) throw new RangeError('asOf must be a date YYYY-MM-DD');
  if (!Number.isInteger(options.persons) || options.persons < 0) throw new RangeError('persons must be a whole number');
  if (options.municipalities.length === 0 || options.municipalities.some((m) => !/^\d{3}$/.test(m))) {
    throw new RangeError('municipalities must be three-digit municipality codes');
  }
  const rnd = new Random(options.seed);
  const factory = new PersonFactory(rnd, asOf);
  const municipalities = options.municipalities;
  const persons: FixturePerson[] = [];
  for (let i = 0; i < options.persons; i++) {
    const m = municipalities[i % municipalities.length]!;
    const others = municipalities.filter((other) => other !== m);
    const edge = edgeCases[i];
    persons.push(edge ? edge[1](factory, m, others).person : factory.ordinary(m).person);
  }
  persons.sort((a, b) => (a.hetu < b.hetu ? -1 : a.hetu > b.hetu ? 1 : 0));
  return fixturePopulation.parse({ persons });
}

/** The population as a file: one person per line, so a change shows as a one-line diff. */
export function formatPopulation(population: FixturePopulation): string {
  return `{"persons":[\n${population.persons.map((p) => JSON.stringify(p)).join(',\n')}\n]}\n`;
}

/** FNV-1a, so `--seed` may be a word as well as a number. */
const seedOf = (text: string): number => {
  if (/^-?\d+$/.test(text)) return Number(text);
  let hash = 0x811c9dc5;
  for (const char of text) hash = Math.imul(hash ^ (char.codePointAt(0) ?? 0), 0x01000193) >>> 0;
  return hash;
};

function parseArgs(argv: readonly string[]): GenerateOptions & { out?: string } {
  const args = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i];
    const value = argv[i + 1];
    if (!key?.startsWith('--') || value === undefined) throw new RangeError(`expected --name value pairs, at argument ${i + 1}`);
    args.set(key.slice(2), value);
  }
  const known = new Set(['persons', 'municipalities', 'seed', 'as-of', 'out']);
  for (const key of args.keys()) if (!known.has(key)) throw new RangeError(`unknown option --${key}`);
  return {
    persons: Number(args.get('persons') ?? '300'),
    municipalities: (args.get('municipalities') ?? '905,091,837').split(',').map((m) => m.trim()),
    seed: seedOf(args.get('seed') ?? '1'),
    asOf: args.get('as-of') ?? DEFAULT_AS_OF,
    out: args.get('out'),
  };
}

async function main(): Promise<void> {
  const { out, ...options } = parseArgs(process.argv.slice(2));
  const text = formatPopulation(generatePopulation(options));
  if (out) {
    await writeFile(out, text, 'utf8');
    console.error(`wrote ${options.persons} persons to ${out}`);
  } else {
    process.stdout.write(text);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(`generate: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
}
