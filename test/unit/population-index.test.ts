import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeHetu } from '#contracts/hetu';
import type { FixtureKelaRecord, FixturePerson, FixtureResidence } from '#contracts/population';
import { indexPopulation, isActive, loadPopulation, parsePopulation, PopulationError } from '#mocks/population-index';

let serial = 2;
/** A resident of Vaasa with no benefits and no residence record; override what the test is about. */
const person = (overrides: Partial<FixturePerson> = {}): FixturePerson => ({
  hetu: makeHetu('1985-04-12', (serial += 2)),
  lastName: 'Haddad',
  firstNames: 'Amina Sara',
  dateOfDeath: null,
  nationalities: ['SYR'],
  nativeLanguage: 'ar',
  homeMunicipality: '905',
  homeMunicipalitySince: '2025-02-01',
  address: { street: 'Kauppapuistikko 1 A 2', postalCode: '65100', postOffice: 'VAASA' },
  nonDisclosure: false,
  residence: null,
  kela: [],
  integration: { assessmentDate: null, planValidFrom: null, planValidUntil: null },
  ...overrides,
});

const benefit = (overrides: Partial<FixtureKelaRecord> = {}): FixtureKelaRecord => ({
  benefit: 'basic-social-assistance',
  temporary: false,
  from: '2025-03-01',
  to: null,
  ...overrides,
});

const residence = (overrides: Partial<FixtureResidence> = {}): FixtureResidence => ({
  firstPermitDate: '2024-05-02',
  permitType: 'A',
  ground: 'international-protection',
  quotaRefugee: false,
  traffickingVictim: false,
  ...overrides,
});

const hetusOf = (rows: readonly { hetu: string }[]): string[] => rows.map((row) => row.hetu);

describe('kelmuList', () => {
  it('holds a benefit from its first day to its last day, and not a day outside', () => {
    const p = person({ kela: [benefit({ from: '2025-03-01', to: '2025-06-30' })] });
    const index = indexPopulation({ persons: [p] });
    expect(index.kelmuList('905', '2025-02-28')).toEqual([]);
    expect(hetusOf(index.kelmuList('905', '2025-03-01'))).toEqual([p.hetu]);
    expect(hetusOf(index.kelmuList('905', '2025-06-30'))).toEqual([p.hetu]);
    expect(index.kelmuList('905', '2025-07-01')).toEqual([]);
  });

  it('holds an open-ended benefit on every day from its start', () => {
    const p = person({ kela: [benefit({ from: '2025-03-01', to: null })] });
    expect(hetusOf(indexPopulation({ persons: [p] }).kelmuList('905', '2099-12-31'))).toEqual([p.hetu]);
  });

  it('puts a person on the list municipality of the record, not the home municipality', () => {
    const moved = person({ homeMunicipality: '091', kela: [benefit({ municipality: '905' })] });
    const index = indexPopulation({ persons: [moved] });
    expect(hetusOf(index.kelmuList('905', '2025-05-01'))).toEqual([moved.hetu]);
    expect(index.kelmuList('091', '2025-05-01')).toEqual([]);
  });

  it('uses the home municipality when a record names none', () => {
    const p = person({ homeMunicipality: '837', kela: [benefit()] });
    expect(hetusOf(indexPopulation({ persons: [p] }).kelmuList('837', '2025-05-01'))).toEqual([p.hetu]);
  });

  it('has one row per person and benefit, with the temporary flag as recorded', () => {
    const p = person({
      kela: [
        benefit({ temporary: true }),
        benefit({ benefit: 'child-home-care-allowance', from: '2025-01-01' }),
        benefit({ from: '2020-01-01', to: '2020-12-31' }),
      ],
    });
    const rows = indexPopulation({ persons: [p] }).kelmuList('905', '2025-05-01');
    expect(rows).toEqual([
      { hetu: p.hetu, lastName: 'Haddad', firstNames: 'Amina Sara', benefit: 'basic-social-assistance', temporary: true, from: '2025-03-01', to: null },
      { hetu: p.hetu, lastName: 'Haddad', firstNames: 'Amina Sara', benefit: 'child-home-care-allowance', temporary: false, from: '2025-01-01', to: null },
    ]);
  });

  it('keeps whoever Kela lists: deceased, minors, malformed codes (the hub applies the rules)', () => {
    const deceased = person({ dateOfDeath: '2025-04-01', kela: [benefit()] });
    const malformed = person({ hetu: '131052-308X', kela: [benefit()] });
    const rows = indexPopulation({ persons: [deceased, malformed] }).kelmuList('905', '2025-05-01');
    expect(hetusOf(rows).sort()).toEqual([deceased.hetu, malformed.hetu].sort());
  });

  it('is sorted by hetu', () => {
    const persons = ['1990-01-03', '1970-12-01', '2001-06-15'].map((birth, i) =>
      person({ hetu: makeHetu(birth, 10 + i), kela: [benefit()] }),
    );
    const rows = indexPopulation({ persons }).kelmuList('905', '2025-05-01');
    expect(hetusOf(rows)).toEqual(persons.map((p) => p.hetu).sort());
  });

  it('rejects a date that is not YYYY-MM-DD without quoting it', () => {
    expect(() => indexPopulation({ persons: [] }).kelmuList('905', '1.5.2025')).toThrow(/YYYY-MM-DD/);
  });
});

describe('umaProtectionList', () => {
  it('holds home-municipality residents on international protection, whatever the permit date', () => {
    const recent = person({ residence: residence() });
    const old = person({ residence: residence({ firstPermitDate: '2012-01-01' }) });
    const quota = person({ residence: residence({ quotaRefugee: true }) });
    const index = indexPopulation({ persons: [recent, old, quota] });
    expect(hetusOf(index.umaProtectionList('905')).sort()).toEqual([recent.hetu, old.hetu, quota.hetu].sort());
  });

  it('holds trafficking victims whatever their ground', () => {
    const victim = person({ residence: residence({ ground: 'family', traffickingVictim: true }) });
    expect(hetusOf(indexPopulation({ persons: [victim] }).umaProtectionList('905'))).toEqual([victim.hetu]);
  });

  it('leaves out other grounds, temporary protection included, and persons with no record', () => {
    const persons = [
      person({ residence: residence({ ground: 'temporary-protection', permitType: 'B' }) }),
      person({ residence: residence({ ground: 'work' }) }),
      person({ residence: null }),
    ];
    expect(indexPopulation({ persons }).umaProtectionList('905')).toEqual([]);
  });

  it('goes by home municipality, not by Kela’s list municipality', () => {
    const p = person({ homeMunicipality: '091', residence: residence(), kela: [benefit({ municipality: '905' })] });
    const index = indexPopulation({ persons: [p] });
    expect(index.umaProtectionList('905')).toEqual([]);
    expect(hetusOf(index.umaProtectionList('091'))).toEqual([p.hetu]);
  });
});

describe('index', () => {
  it('finds a person by hetu and lists residents of a municipality', () => {
    const a = person();
    const b = person({ homeMunicipality: '091' });
    const index = indexPopulation({ persons: [a, b] });
    expect(index.byHetu(a.hetu)).toBe(a);
    expect(index.byHetu('010101-0101')).toBeUndefined();
    expect(index.inMunicipality('091')).toEqual([b]);
    expect(index.inMunicipality('999')).toEqual([]);
  });

  it('refuses a population that repeats a hetu, naming the position and not the code', () => {
    const a = person();
    expect(() => indexPopulation({ persons: [a, { ...a }] })).toThrow(/persons\[1\]/);
    try {
      indexPopulation({ persons: [a, { ...a }] });
    } catch (error) {
      expect(String(error)).not.toContain(a.hetu);
    }
  });

  it('isActive follows from ≤ D and (to empty or D ≤ to)', () => {
    expect(isActive({ from: '2025-01-01', to: '2025-01-01' }, '2025-01-01')).toBe(true);
    expect(isActive({ from: '2025-01-02', to: null }, '2025-01-01')).toBe(false);
    expect(isActive({ from: '2025-01-01', to: '2024-12-31' }, '2025-01-01')).toBe(false);
  });
});

describe('loading a population', () => {
  const dirs: string[] = [];
  afterAll(async () => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

  it('loads and validates a file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'koto-pop-'));
    dirs.push(dir);
    const file = join(dir, 'population.json');
    const p = person({ kela: [benefit()] });
    await writeFile(file, JSON.stringify({ persons: [p] }));
    const index = await loadPopulation(file);
    expect(index.persons).toHaveLength(1);
    expect(index.byHetu(p.hetu)?.lastName).toBe('Haddad');
  });

  it('names the bad field and leaves its value out', () => {
    const bad = { persons: [person(), { ...person(), homeMunicipality: 'Vaasa', lastName: '' }] };
    let message = '';
    try {
      parsePopulation(bad);
    } catch (error) {
      expect(error).toBeInstanceOf(PopulationError);
      message = (error as Error).message;
    }
    expect(message).toContain('persons[1].homeMunicipality');
    expect(message).toContain('persons[1].lastName');
    expect(message).not.toContain('Vaasa');
  });

  it('reports a file that is not JSON without quoting it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'koto-pop-'));
    dirs.push(dir);
    const file = join(dir, 'broken.json');
    await writeFile(file, '{"persons":[{"hetu":"131052-308T",');
    await expect(loadPopulation(file)).rejects.toThrow(/not valid JSON/);
    await expect(loadPopulation(file)).rejects.not.toThrow(/131052/);
  });
});
