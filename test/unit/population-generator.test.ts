import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isAdultOn, isValidHetu, parseHetu } from '#contracts/hetu';
import { fixturePopulation, kelaListMunicipality, type FixturePerson } from '#contracts/population';
import { DEFAULT_AS_OF, formatPopulation, generatePopulation } from '#mocks/population/generate';
import { indexPopulation, isActive } from '#mocks/population-index';

const root = fileURLToPath(new URL('../../', import.meta.url));
const samplePath = join(root, 'mocks/population/sample.json');
/** How sample.json was made (mocks/population/README.md). */
const SAMPLE = { persons: 300, municipalities: ['905', '091', '837'], seed: 2025 } as const;

const addYears = (iso: string, years: number): string => `${Number(iso.slice(0, 4)) + years}${iso.slice(4)}`;
const addDays = (iso: string, days: number): string => new Date(Date.parse(`${iso}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

describe('population generator', () => {
  it('gives the same population for the same seed, and another for another seed', () => {
    const options = { persons: 80, municipalities: ['905', '091'], seed: 7 };
    const a = formatPopulation(generatePopulation(options));
    expect(formatPopulation(generatePopulation(options))).toBe(a);
    expect(formatPopulation(generatePopulation({ ...options, seed: 8 }))).not.toBe(a);
  });

  it('makes the asked number of persons with unique codes, spread over the municipalities', () => {
    const population = generatePopulation({ persons: 90, municipalities: ['905', '091', '564'], seed: 1 });
    expect(population.persons).toHaveLength(90);
    expect(new Set(population.persons.map((p) => p.hetu)).size).toBe(90);
    const index = indexPopulation(population);
    for (const m of ['905', '091', '564']) expect(index.inMunicipality(m).length).toBeGreaterThanOrEqual(25);
  });

  it('copes with a handful of persons, none, and a municipality it has no streets for', () => {
    expect(generatePopulation({ persons: 0, municipalities: ['905'], seed: 1 }).persons).toEqual([]);
    const few = generatePopulation({ persons: 5, municipalities: ['743'], seed: 1 });
    expect(few.persons).toHaveLength(5);
    expect(few.persons.find((p) => p.address)?.address?.postOffice).toBe('KUNTA 743');
  });

  it('refuses bad options without guessing', () => {
    expect(() => generatePopulation({ persons: -1, municipalities: ['905'], seed: 1 })).toThrow(/persons/);
    expect(() => generatePopulation({ persons: 1, municipalities: ['Vaasa'], seed: 1 })).toThrow(/municipalit/);
    expect(() => generatePopulation({ persons: 1, municipalities: ['905'], seed: 1, asOf: '1.11.2026' })).toThrow(/asOf/);
  });

  it('runs from the command line and writes what the function returns', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'koto-gen-'));
    try {
      const out = join(dir, 'p.json');
      execFileSync(
        process.execPath,
        ['--import', 'tsx', 'mocks/population/generate.ts', '--persons', '40', '--municipalities', '905,091', '--seed', '11', '--out', out],
        { cwd: root, stdio: 'pipe' },
      );
      const expected = formatPopulation(generatePopulation({ persons: 40, municipalities: ['905', '091'], seed: 11 }));
      expect(await readFile(out, 'utf8')).toBe(expected);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('sample.json', async () => {
  const text = await readFile(samplePath, 'utf8');
  const persons: FixturePerson[] = fixturePopulation.parse(JSON.parse(text)).persons;
  const asOf = DEFAULT_AS_OF;
  const some = (predicate: (p: FixturePerson) => boolean): boolean => persons.some(predicate);
  const valid = persons.filter((p) => isValidHetu(p.hetu));

  it('validates against the fixture population schema and is what the documented command makes', () => {
    expect(persons).toHaveLength(SAMPLE.persons);
    expect(text).toBe(formatPopulation(generatePopulation({ ...SAMPLE, municipalities: [...SAMPLE.municipalities] })));
  });

  it('covers every century sign, the 2023 signs included', () => {
    const signs = new Set(valid.map((p) => parseHetu(p.hetu)).flatMap((r) => (r.ok ? [r.hetu.centurySign] : [])));
    expect([...signs].sort()).toEqual(['+', '-', 'A', 'B', 'C', 'D', 'E', 'F', 'U', 'V', 'W', 'X', 'Y'].sort());
  });

  it('carries a few malformed codes, on Kela’s list', () => {
    const malformed = persons.filter((p) => !isValidHetu(p.hetu));
    expect(malformed.length).toBeGreaterThanOrEqual(3);
    expect(malformed.every((p) => p.kela.some((k) => isActive(k, asOf)))).toBe(true);
  });

  it('has people who moved away from their Kela list municipality', () => {
    expect(some((p) => p.kela.some((k) => isActive(k, asOf) && kelaListMunicipality(p, k) !== p.homeMunicipality))).toBe(true);
  });

  it('has the deceased, Finnish citizens, dual nationals and minors', () => {
    expect(some((p) => p.dateOfDeath !== null && p.dateOfDeath <= asOf)).toBe(true);
    expect(some((p) => p.nationalities.length === 1 && p.nationalities[0] === 'FIN')).toBe(true);
    expect(some((p) => p.nationalities.includes('FIN') && p.nationalities.length > 1)).toBe(true);
    expect(some((p) => !p.nationalities.includes('FIN') && p.nationalities.length > 1)).toBe(true);
    expect(valid.some((p) => !isAdultOn(p.hetu, asOf) && p.residence?.ground === 'international-protection')).toBe(true);
  });

  it('has someone turning 18 on the as-of date and someone the day after', () => {
    const birthDates = valid.map((p) => parseHetu(p.hetu)).flatMap((r) => (r.ok ? [r.hetu.birthDate] : []));
    expect(birthDates).toContain(addYears(asOf, -18));
    expect(birthDates).toContain(addDays(addYears(asOf, -18), 1));
  });

  it('has turvakielto with and without an address, and people with no residence record', () => {
    expect(some((p) => p.nonDisclosure && p.address !== null)).toBe(true);
    expect(some((p) => p.nonDisclosure && p.address === null)).toBe(true);
    expect(some((p) => p.residence === null && p.kela.some((k) => isActive(k, asOf)))).toBe(true);
  });

  it('has permits older than three years, and both sides of the three-year boundary', () => {
    const threeYearsAgo = addYears(asOf, -3);
    expect(some((p) => p.residence !== null && p.residence.firstPermitDate < addYears(asOf, -4))).toBe(true);
    expect(some((p) => p.residence?.firstPermitDate === threeYearsAgo)).toBe(true);
    expect(some((p) => p.residence?.firstPermitDate === addDays(threeYearsAgo, -1))).toBe(true);
  });

  it('has temporary social assistance, benefits ending and starting around the date, and home care allowance', () => {
    expect(some((p) => p.kela.some((k) => k.temporary && isActive(k, asOf)))).toBe(true);
    expect(some((p) => p.kela.some((k) => k.to === addDays(asOf, -1)))).toBe(true);
    expect(some((p) => p.kela.some((k) => k.to === asOf))).toBe(true);
    expect(some((p) => p.kela.some((k) => k.from === addDays(asOf, 1)))).toBe(true);
    expect(some((p) => p.kela.some((k) => k.benefit === 'child-home-care-allowance' && isActive(k, asOf)))).toBe(true);
    expect(some((p) => p.kela.filter((k) => isActive(k, asOf)).length >= 2)).toBe(true);
  });

  it('has people already assessed, with a valid plan (to the last day), and with an expired plan', () => {
    const plans = persons.map((p) => p.integration);
    expect(plans.some((i) => i.assessmentDate !== null && i.assessmentDate <= asOf)).toBe(true);
    expect(
      plans.some((i) => i.assessmentDate === null && i.planValidFrom !== null && i.planValidUntil !== null && i.planValidFrom <= asOf && asOf < i.planValidUntil),
    ).toBe(true);
    expect(plans.some((i) => i.planValidUntil === asOf)).toBe(true);
    expect(plans.some((i) => i.assessmentDate === null && i.planValidUntil !== null && i.planValidUntil < asOf)).toBe(true);
  });

  it('has quota refugees, trafficking victims outside protection, and temporary protection from Ukraine', () => {
    expect(some((p) => p.residence?.quotaRefugee === true)).toBe(true);
    expect(some((p) => p.residence?.traffickingVictim === true && p.residence.ground !== 'international-protection')).toBe(true);
    expect(some((p) => p.residence?.ground === 'temporary-protection' && p.nationalities.includes('UKR'))).toBe(true);
  });

  it('has an unknown native language and many known ones', () => {
    expect(some((p) => p.nativeLanguage === null)).toBe(true);
    const languages = new Set(persons.map((p) => p.nativeLanguage));
    for (const code of ['ar', 'so', 'uk', 'ru', 'fa', 'ku', 'vi', 'ti']) expect(languages).toContain(code);
  });

  it('has names in Latin and in other scripts, and Finnish and Swedish street names', () => {
    const names = persons.map((p) => `${p.lastName} ${p.firstNames}`);
    expect(names.some((n) => /\p{Script=Cyrillic}/u.test(n))).toBe(true);
    expect(names.some((n) => /\p{Script=Arabic}/u.test(n))).toBe(true);
    expect(names.some((n) => /(Shevchenko|Kovalenko|Bondarenko|Tkachenko|Melnyk|Boiko|Oliinyk)/.test(n))).toBe(true);
    expect(names.some((n) => /[ạ-ỹĐđ]/u.test(n))).toBe(true);
    const streets = persons.flatMap((p) => (p.address ? [p.address.street] : []));
    expect(streets.some((s) => /(katu|tie|puistikko|väylä) /.test(s))).toBe(true);
    expect(streets.some((s) => /(gatan|vägen|esplanaden|leden) /.test(s))).toBe(true);
  });

  it('puts people on both source lists of every municipality', () => {
    const index = indexPopulation({ persons });
    for (const m of SAMPLE.municipalities) {
      expect(index.kelmuList(m, asOf).length, m).toBeGreaterThan(10);
      expect(index.umaProtectionList(m).length, m).toBeGreaterThan(10);
    }
  });
});
