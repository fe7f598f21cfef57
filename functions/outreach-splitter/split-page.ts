/**
 * Splits a page of a source list into candidates: one per distinct code (a person with two Kela
 * benefits, or on both lists, is one candidate), with what the rules read of the person's Kela rows
 * (benefit, temporary flag, period; not the names).
 * A malformed code is a candidate too: the rules quarantine it as INVALID_HETU.
 */
import type { KelmuListPageV1, UmaProtectionListPageV1 } from '#contracts/messages/lists';
import { kelaBenefitOf, type KelaBenefit } from '#contracts/kelmu/mapper';
import type { SourceList } from '#functions/outreach/run-store';

export interface SplitPage {
  readonly source: SourceList;
  readonly page: number;
  readonly totalPages: number;
  /** Code as listed -> the Kela benefits of the person on this page. */
  readonly people: ReadonlyMap<string, KelaBenefit[]>;
}

/** The code as a list gives it, trimmed; the rules decide whether it is valid. */
const asListed = (hetu: string): string => hetu.trim().toUpperCase();

export const splitKelmuPage = (page: KelmuListPageV1): SplitPage => {
  const people = new Map<string, KelaBenefit[]>();
  for (const row of page.rows) people.set(asListed(row.hetu), [...(people.get(asListed(row.hetu)) ?? []), kelaBenefitOf(row)]);
  return { source: 'kelmu', page: page.page, totalPages: page.pages, people };
};

export const splitUmaPage = (page: UmaProtectionListPageV1): SplitPage => ({
  source: 'uma',
  page: page.page,
  totalPages: page.total === 0 ? 0 : Math.ceil(page.total / page.pageSize),
  people: new Map(page.recipients.map((r) => [asListed(r.hetu), []])),
});
