/**
 * The one check that the hub's log lines hold no personal data: no HETU-shaped text
 * (`containsHetuShape`, contracts/hetu.ts), none of the HETUs, names or addresses the test put
 * through the hub, and nothing the logger's scrubber had to hide (functions/lib/pii.ts). Personal
 * data is kept out of a log line where the line is written; the scrubber is the last line of
 * defence, so a line that needed it fails too.
 */
import { expect } from 'vitest';
import { containsHetuShape } from '#contracts/hetu';
import type { FixturePerson } from '#contracts/population';
import { REDACTED, REDACTED_HETU } from '#lib/pii';

export interface PersonalData {
  /** HETUs the test put through the hub: in no form (upper or lower case, with or without the century sign). */
  readonly hetus?: readonly string[];
  /** First and last names of the persons the test put through the hub, each as a whole word. */
  readonly names?: readonly string[];
  /** Their street addresses. */
  readonly addresses?: readonly string[];
}

/** What identifies the persons of a fixture population: their HETUs, names (one word each) and street addresses. */
export const personalDataOf = (persons: readonly FixturePerson[]): Required<PersonalData> => ({
  hetus: persons.map((p) => p.hetu),
  names: [...new Set(persons.flatMap((p) => [...p.firstNames.split(/\s+/), p.lastName]).filter(Boolean))],
  addresses: [...new Set(persons.flatMap((p) => (p.address ? [p.address.street] : [])))],
});

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Any of `words`, not as part of a longer word; undefined when there are none. */
const wholeWords = (words: readonly string[], flags = 'u'): RegExp | undefined =>
  words.length === 0 ? undefined : new RegExp(`(?<![\\p{L}\\p{M}\\p{N}])(?:${words.map(escape).join('|')})(?![\\p{L}\\p{M}\\p{N}])`, flags);

/**
 * Fails, listing the offending line numbers and what each holds (never the data itself), when any
 * line holds personal data; and when there are no lines at all, which would pass for the wrong reason.
 */
export const expectNoPersonalDataIn = (lines: readonly string[], { hetus = [], names = [], addresses = [] }: PersonalData = {}): void => {
  expect(lines.length, 'there are no log lines to check').toBeGreaterThan(0);
  const hetuForms = wholeWords(hetus.flatMap((hetu) => [hetu, hetu.slice(0, 6) + hetu.slice(7)]), 'iu');
  const nameWords = wholeWords(names);
  const addressWords = wholeWords(addresses, 'iu');
  const problems: string[] = [];
  lines.forEach((line, i) => {
    const found = [
      containsHetuShape(line) && 'a HETU-shaped text',
      hetuForms?.test(line) && 'a HETU the test used',
      nameWords?.test(line) && "a person's name",
      addressWords?.test(line) && "a person's address",
      line.includes(REDACTED_HETU) && 'a HETU the scrubber had to hide',
      line.includes(REDACTED) && 'something the scrubber had to hide',
    ].filter((what): what is string => typeof what === 'string');
    if (found.length > 0) problems.push(`log line ${i + 1}: ${found.join(', ')}`);
  });
  expect(problems, 'log lines with personal data').toEqual([]);
};
