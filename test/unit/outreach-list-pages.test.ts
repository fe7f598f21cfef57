import { describe, expect, it } from 'vitest';
import type { KelaBenefit } from '#contracts/kelmu/mapper';
import { mergePages, pageParts, PAGE_ITEM_BUDGET, type ListedPerson, type StoredPage } from '#functions/outreach/list-pages';

const basic = (from: string, overrides: Partial<KelaBenefit> = {}): KelaBenefit => ({ benefit: 'basic-social-assistance', temporary: false, from, to: null, ...overrides });
const homeCare = (from: string): KelaBenefit => ({ benefit: 'child-home-care-allowance', temporary: false, from, to: '2026-12-31' });

const page = (source: StoredPage['source'], people: Record<string, ListedPerson>): StoredPage => ({ source, people });
const byKey = (candidates: ReturnType<typeof mergePages>) => Object.fromEntries(candidates.map((c) => [c.key, c]));

describe('the candidates merged from a run’s list pages', () => {
  it('makes one candidate of a person on both lists, with both sources, and keeps a person on one list to that list', () => {
    const merged = byKey(
      mergePages([
        page('kelmu', { both: { hetu: '010190-123A', kelaRows: [basic('2026-10-01')] }, kela: { hetu: '020290-2345', kelaRows: [homeCare('2026-09-01')] } }),
        page('uma', { both: { hetu: '010190-123A', kelaRows: [] }, uma: { hetu: '030390-345B', kelaRows: [] } }),
      ]),
    );
    expect(Object.keys(merged).sort()).toEqual(['both', 'kela', 'uma']);
    expect(merged.both).toEqual({ key: 'both', hetu: '010190-123A', sources: ['kelmu', 'uma'], kelaRows: [basic('2026-10-01')] });
    expect(merged.kela).toEqual({ key: 'kela', hetu: '020290-2345', sources: ['kelmu'], kelaRows: [homeCare('2026-09-01')] });
    expect(merged.uma).toEqual({ key: 'uma', hetu: '030390-345B', sources: ['uma'], kelaRows: [] });
  });

  it('gives the sources in the same order whichever list’s page came first', () => {
    const [first] = mergePages([page('uma', { p: { hetu: '010190-123A', kelaRows: [] } }), page('kelmu', { p: { hetu: '010190-123A', kelaRows: [basic('2026-10-01')] } })]);
    expect(first!.sources).toEqual(['kelmu', 'uma']);
  });

  it('keeps both benefits of a person listed on two Kelmu pages, one benefit on each', () => {
    const [person] = mergePages([
      page('kelmu', { p: { hetu: '010190-123A', kelaRows: [basic('2026-10-01')] } }),
      page('kelmu', { p: { hetu: '010190-123A', kelaRows: [homeCare('2026-08-01')] } }),
    ]);
    expect(person!.sources).toEqual(['kelmu']);
    expect(person!.kelaRows).toEqual([basic('2026-10-01'), homeCare('2026-08-01')]);
  });

  it('keeps the same benefit from the same day once, the later page’s row, and the same benefit from another day beside it', () => {
    const [person] = mergePages([
      page('kelmu', { p: { hetu: '010190-123A', kelaRows: [basic('2026-10-01', { to: '2026-10-31' }), basic('2026-10-01', { to: '2026-11-30' })] } }),
      page('kelmu', { p: { hetu: '010190-123A', kelaRows: [basic('2026-10-01', { temporary: true, to: '2026-12-31' }), basic('2026-07-01')] } }),
    ]);
    expect(person!.kelaRows).toEqual([basic('2026-10-01', { temporary: true, to: '2026-12-31' }), basic('2026-07-01')]);
  });

  it('keeps of a Kela row only what the rules read, whatever else a stored page holds', () => {
    const row = { ...basic('2026-10-01'), firstNames: 'Maija', lastName: 'Meikäläinen' } as KelaBenefit;
    const [person] = mergePages([page('kelmu', { p: { hetu: '010190-123A', kelaRows: [row] } })]);
    expect(person!.kelaRows).toEqual([basic('2026-10-01')]);
    expect(JSON.stringify(person)).not.toContain('Maija');
  });

  it('makes a malformed code a candidate too, kept exactly as listed (the rules quarantine it)', () => {
    const [person] = mergePages([page('uma', { bad: { hetu: '311399-ABC!', kelaRows: [] } })]);
    expect(person).toEqual({ key: 'bad', hetu: '311399-ABC!', sources: ['uma'], kelaRows: [] });
  });

  it('makes no candidate of no pages, or of pages with nobody on them', () => {
    expect(mergePages([])).toEqual([]);
    expect(mergePages([page('kelmu', {}), page('uma', {})])).toEqual([]);
  });
});

describe('a list page’s people in parts that fit an item', () => {
  const people = (count: number, rows = 1): Map<string, ListedPerson> =>
    new Map(
      Array.from({ length: count }, (_, i) => [
        `key-${String(i).padStart(4, '0')}`,
        { hetu: `0101${String(i % 100).padStart(2, '0')}-123A`, kelaRows: Array.from({ length: rows }, (_, r) => basic(`2026-${String((r % 12) + 1).padStart(2, '0')}-01`)) },
      ]),
    );
  const bytes = (part: object) => Buffer.byteLength(JSON.stringify(part), 'utf8');

  it('keeps a page of the largest size the lists allow, each person with two benefits, in one part well under the item limit', () => {
    const parts = pageParts(people(500, 2));
    expect(parts).toHaveLength(1);
    expect(Object.keys(parts[0]!)).toHaveLength(500);
    expect(bytes(parts[0]!)).toBeLessThan(PAGE_ITEM_BUDGET);
  });

  it('splits a page over the budget into parts each under it, every person in exactly one part', () => {
    const all = people(120, 3);
    const budget = 5_000;
    const parts = pageParts(all, budget);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(bytes(part)).toBeLessThanOrEqual(budget);
    const keys = parts.flatMap((part) => Object.keys(part));
    expect(keys.sort()).toEqual([...all.keys()].sort());
    // Merged again, the parts give the page's people.
    expect(mergePages(parts.map((part) => page('kelmu', part))).map((c) => [c.key, c.hetu, c.kelaRows])).toEqual(
      [...all].map(([key, p]) => [key, p.hetu, p.kelaRows]),
    );
  });

  it('splits the same page the same way every time, whatever order its people came in (a page split again writes the same items)', () => {
    const all = people(120, 3);
    const reversed = new Map([...all].reverse());
    expect(pageParts(reversed, 5_000)).toEqual(pageParts(all, 5_000));
  });

  it('gives a person over the budget on their own a part of their own rather than none', () => {
    const parts = pageParts(new Map([...people(2, 1), ['key-big', { hetu: '010190-123A', kelaRows: Array.from({ length: 40 }, (_, i) => basic(`${2000 + i}-01-01`)) }]]), 1_000);
    expect(parts.map((part) => Object.keys(part))).toEqual([['key-0000', 'key-0001'], ['key-big']]);
  });

  it('gives an empty page one empty part', () => {
    expect(pageParts(new Map())).toEqual([{}]);
  });
});
