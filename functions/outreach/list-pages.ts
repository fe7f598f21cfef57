/**
 * A run's list pages as the splitter keeps them, and the run's candidates made of them (pure, no I/O).
 *
 * The splitter writes each page's people as one item (`run-store.ts`); when both lists are whole,
 * the fan-out merges every page into the candidates once. The merge is what one UpdateItem per person
 * and page did before (`ADD sources`, one `kela#<benefit>#<from>` attribute per benefit): one
 * candidate per key, its sources the union, its Kela benefits one per benefit and start day, a later
 * page's row over an earlier one's.
 */
import { kelaBenefitOf, type KelaBenefit } from '#contracts/kelmu/mapper';
import type { SourceList } from '#functions/outreach/run-store';

/** A person as a list page gives them: the code as listed, and what the rules read of their Kela rows there. */
export interface ListedPerson {
  readonly hetu: string;
  readonly kelaRows: readonly KelaBenefit[];
}

/** A page's people by candidate key (the keyed hash of the code as listed). */
export type PagePeople = Readonly<Record<string, ListedPerson>>;

/** A stored page, or part of one, as the merge reads it. */
export interface StoredPage {
  readonly source: SourceList;
  readonly people: PagePeople;
}

export interface MergedCandidate {
  readonly key: string;
  readonly hetu: string;
  readonly sources: SourceList[];
  readonly kelaRows: KelaBenefit[];
}

/**
 * Bytes of people one page item may hold. DynamoDB refuses an item over 400 KB; a person is
 * measured as JSON (UTF-8), which for these strings, booleans and maps is more than DynamoDB
 * counts, and the rest of the budget is the margin.
 */
export const PAGE_ITEM_BUDGET = 300_000;

/** Names of a candidate item's Kela benefits begin so. */
export const KELA_PREFIX = 'kela#';

/** The name of one of a candidate's Kela benefits on its item: one per benefit and start day. */
export const kelaAttribute = (row: Pick<KelaBenefit, 'benefit' | 'from'>): string => `${KELA_PREFIX}${row.benefit}#${row.from}`;

const sizeOf = (key: string, person: ListedPerson): number => Buffer.byteLength(JSON.stringify([key, person]), 'utf8');

/**
 * A page's people in parts that each fit one item: one part as a rule (a page of 500 people
 * with two benefits each is about 150 KB). Deterministic, so a page split again gives the same parts.
 * A person alone over the budget still gets a part (a page cannot hold thousands of one person's rows).
 */
export const pageParts = (people: ReadonlyMap<string, ListedPerson>, budget = PAGE_ITEM_BUDGET): PagePeople[] => {
  const parts: Record<string, ListedPerson>[] = [];
  let current: Record<string, ListedPerson> = {};
  let size = 0;
  for (const [key, person] of [...people].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const bytes = sizeOf(key, person);
    if (size > 0 && size + bytes > budget) {
      parts.push(current);
      current = {};
      size = 0;
    }
    current[key] = person;
    size += bytes;
  }
  if (size > 0 || parts.length === 0) parts.push(current);
  return parts;
};

/** The run's candidates from all its stored pages, in the pages' order (a later page's Kela row wins). */
export const mergePages = (pages: Iterable<StoredPage>): MergedCandidate[] => {
  const merged = new Map<string, { hetu: string; sources: Set<SourceList>; kela: Map<string, KelaBenefit> }>();
  for (const page of pages) {
    for (const [key, person] of Object.entries(page.people)) {
      const candidate = merged.get(key) ?? { hetu: person.hetu, sources: new Set<SourceList>(), kela: new Map<string, KelaBenefit>() };
      candidate.sources.add(page.source);
      for (const row of person.kelaRows) candidate.kela.set(kelaAttribute(row), kelaBenefitOf(row));
      merged.set(key, candidate);
    }
  }
  return [...merged].map(([key, { hetu, sources, kela }]) => ({ key, hetu, sources: [...sources].sort(), kelaRows: [...kela.values()] }));
};
