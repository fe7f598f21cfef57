/**
 * What UMA says about the persons of a batch of cost rows, for the compensation rules
 * (contracts/claims/eligibility.ts `PersonFacts`): each person with a valid HETU once, then the
 * family members UMA links them to (rule 2 counts a family member's permit), once each. A
 * malformed HETU is not asked about: the rules refuse its row `INVALID_HETU`.
 */
import { parseHetu } from '#contracts/hetu';
import type { ResidenceV1 } from '#contracts/canonical/residence';
import type { PersonFacts } from '#contracts/claims/eligibility';

export type AskResidence = (hetu: string) => Promise<ResidenceV1>;

/** Calls in flight at once: enough to hide the way there; the system's rate limiter paces the starts. */
const IN_FLIGHT = 4;

const askAll = async (ask: AskResidence, hetus: readonly string[], into: Map<string, ResidenceV1>): Promise<void> => {
  const queue = hetus.filter((hetu) => !into.has(hetu));
  const worker = async (): Promise<void> => {
    for (let hetu = queue.shift(); hetu !== undefined; hetu = queue.shift()) into.set(hetu, await ask(hetu));
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, queue.length) }, worker));
};

/** UMA's answers for the rows' persons and their linked family; `factsOf(hetu)` as the rules read it. */
export async function lookUpPersons(ask: AskResidence, hetus: readonly (string | null)[]): Promise<(hetu: string) => PersonFacts> {
  const asked = new Map<string, ResidenceV1>();
  const persons = [...new Set(hetus.filter((h): h is string => h !== null && parseHetu(h).ok))];
  await askAll(ask, persons, asked);
  const family = [...new Set(persons.flatMap((h) => (asked.get(h)?.found ? asked.get(h)!.familyLinks.map((link) => link.hetu) : [])))].filter((h) => parseHetu(h).ok);
  await askAll(ask, family, asked);
  return (hetu) => {
    const residence = asked.get(hetu) ?? null;
    const links = residence?.found ? residence.familyLinks : [];
    return { residence, family: links.flatMap((link) => (asked.has(link.hetu) ? [asked.get(link.hetu)!] : [])) };
  };
}
