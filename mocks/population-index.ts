/**
 * The fixture population, loaded once and indexed for the mocks (docs/DESIGN.md "Fixture population",
 * normative): by identity code, by home municipality, and the two source lists the hub reads —
 * Kela's Kelmu list and Migri's list of protection recipients.
 */
import { readFile } from 'node:fs/promises';
import {
  fixturePopulation,
  kelaListMunicipality,
  type FixturePerson,
  type FixturePopulation,
} from '#contracts/population';
import type { KelmuRow } from '#contracts/kelmu/mapper';

export interface PopulationIndex {
  readonly persons: readonly FixturePerson[];
  /** The person with exactly this code, as written in the file (malformed codes included). */
  byHetu(hetu: string): FixturePerson | undefined;
  /** Persons whose home municipality is `municipality`, sorted by hetu. */
  inMunicipality(municipality: string): readonly FixturePerson[];
  /**
   * Kela's list for `municipality` on `date`: every Kela record active on the date (from ≤ D and
   * (to empty or D ≤ to)) whose list municipality is M, one row per person and benefit record,
   * `temporary` as recorded, sorted by hetu, then benefit, then start date.
   */
  kelmuList(municipality: string, date: string): KelmuRow[];
  /**
   * Migri's list for `municipality`: home municipality M and ground international protection, or
   * a recorded victim of trafficking, whatever the first permit date; sorted by hetu.
   */
  umaProtectionList(municipality: string): FixturePerson[];
}

/** The population failed its schema; the message names the fields, never their values. */
export class PopulationError extends Error {
  override readonly name = 'PopulationError';
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const byCode = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Validates a parsed JSON document against the fixture population schema. */
export function parsePopulation(document: unknown, source = 'population'): FixturePopulation {
  const result = fixturePopulation.safeParse(document);
  if (result.success) return result.data;
  const issues = result.error.issues.slice(0, 10).map((issue) => {
    const path = issue.path.map((key) => (typeof key === 'number' ? `[${key}]` : `.${String(key)}`)).join('');
    return `${path.replace(/^\./, '') || '(root)'}: ${issue.message}`;
  });
  const more = result.error.issues.length > 10 ? ` (and ${result.error.issues.length - 10} more)` : '';
  throw new PopulationError(`${source} is not a valid fixture population: ${issues.join('; ')}${more}`);
}

/** Reads, validates and indexes a population file. */
export async function loadPopulation(file: string): Promise<PopulationIndex> {
  let document: unknown;
  try {
    document = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    // A JSON syntax error quotes the text around it, which may be personal data: keep only the kind.
    const reason = error instanceof SyntaxError ? 'not valid JSON' : 'not readable';
    throw new PopulationError(`population file ${file} is ${reason}`);
  }
  return indexPopulation(parsePopulation(document, `population file ${file}`));
}

/** An index over a population already in memory (e.g. one built by a test factory). */
export function indexPopulation(population: FixturePopulation): PopulationIndex {
  const persons = [...population.persons];
  const hetuIndex = new Map<string, FixturePerson>();
  const municipalityIndex = new Map<string, FixturePerson[]>();
  persons.forEach((person, position) => {
    if (hetuIndex.has(person.hetu)) {
      throw new PopulationError(`population persons[${position}] repeats the hetu of an earlier person`);
    }
    hetuIndex.set(person.hetu, person);
    const residents = municipalityIndex.get(person.homeMunicipality) ?? [];
    residents.push(person);
    municipalityIndex.set(person.homeMunicipality, residents);
  });
  for (const residents of municipalityIndex.values()) residents.sort((a, b) => byCode(a.hetu, b.hetu));

  return {
    persons,
    byHetu: (hetu) => hetuIndex.get(hetu),
    inMunicipality: (municipality) => municipalityIndex.get(municipality) ?? [],
    kelmuList(municipality, date) {
      if (!ISO_DATE.test(date)) throw new RangeError('kelmuList: date must be YYYY-MM-DD');
      const rows: KelmuRow[] = [];
      for (const person of persons) {
        for (const record of person.kela) {
          if (kelaListMunicipality(person, record) !== municipality) continue;
          if (!isActive(record, date)) continue;
          rows.push({
            hetu: person.hetu,
            lastName: person.lastName,
            firstNames: person.firstNames,
            benefit: record.benefit,
            temporary: record.temporary,
            from: record.from,
            to: record.to,
          });
        }
      }
      return rows.sort((a, b) => byCode(a.hetu, b.hetu) || byCode(a.benefit, b.benefit) || byCode(a.from, b.from));
    },
    umaProtectionList(municipality) {
      return (municipalityIndex.get(municipality) ?? []).filter(
        (person) =>
          person.residence !== null &&
          (person.residence.ground === 'international-protection' || person.residence.traffickingVictim),
      );
    },
  };
}

/** A population in memory or already indexed, as `create<System>Mock` accepts it. */
export const asPopulationIndex = (population: FixturePopulation | PopulationIndex): PopulationIndex =>
  'byHetu' in population ? population : indexPopulation(population);

/** A benefit is active on D when from ≤ D and (to is empty or D ≤ to) (docs/DESIGN.md "Outreach rules", rule 2). */
export const isActive = (period: { from: string; to: string | null }, date: string): boolean =>
  period.from <= date && (period.to === null || date <= period.to);
