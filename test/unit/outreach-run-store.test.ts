/** The run store's list pages and the candidates written from them, on dynalite (or DynamoDB Local with KOTO_DYNAMODB). */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchWriteCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { KelaBenefit } from '#contracts/kelmu/mapper';
import { localTableName } from '#infra/local/dynamodb';
import type { ListedPerson } from '#functions/outreach/list-pages';
import { RunStore, type CandidateItem } from '#functions/outreach/run-store';
import { startBareDynamo, withSend, type BareDynamo } from '../support/bare-dynamo.ts';
import { runItemsIn } from '../support/outreach-runs.ts';

const NOW = Date.parse('2026-11-01T12:00:00Z');
/** The first fan-out writing the candidates, and how old its claim may grow before another takes over. */
const WRITER = 'fanout-1';
const STALE_MS = 60_000;
const table = localTableName('correlation');
const basic = (from: string): KelaBenefit => ({ benefit: 'basic-social-assistance', temporary: false, from, to: null });
const homeCare = (from: string): KelaBenefit => ({ benefit: 'child-home-care-allowance', temporary: true, from, to: '2026-12-31' });

let dynamo: BareDynamo;
let store: RunStore;
beforeAll(async () => {
  dynamo = await startBareDynamo();
  store = new RunStore(dynamo.documents, table, () => new Date(NOW));
});
afterAll(async () => dynamo?.close());

const itemsOf = (runId: string, prefix: string): Promise<Record<string, unknown>[]> => runItemsIn(dynamo.documents, runId, prefix);

const allCandidates = async (runId: string): Promise<CandidateItem[]> => {
  const out: CandidateItem[] = [];
  let after: string | null = null;
  do {
    const page = await store.candidatesPage(runId, after, 100);
    out.push(...page.items);
    after = page.next;
  } while (after);
  return out;
};

const people = (entries: [string, ListedPerson][]) => new Map(entries);
const numbered = (from: number, count: number, kelaRows: KelaBenefit[] = []): [string, ListedPerson][] =>
  Array.from({ length: count }, (_, i) => [`key-${String(from + i).padStart(4, '0')}`, { hetu: `code-${from + i}`, kelaRows }]);

/** A run whose lists are in: Kelmu in two pages (a person on both, with a benefit on each), UMA in one. */
const runWithPages = async (): Promise<string> => {
  const runId = randomUUID();
  await store.createRun(runId, '905', '2026-11-01', randomUUID(), 200);
  await store.putPage(runId, 'kelmu', 1, people([...numbered(0, 40, [basic('2026-10-01')]), ['key-both', { hetu: 'code-both', kelaRows: [basic('2026-10-01')] }]]));
  await store.putPage(runId, 'kelmu', 2, people([...numbered(40, 20, [homeCare('2026-09-01')]), ['key-both', { hetu: 'code-both', kelaRows: [homeCare('2026-09-01')] }]]));
  await store.putPage(runId, 'uma', 1, people([...numbered(100, 10), ['key-both', { hetu: 'code-both', kelaRows: [] }], ['key-bad', { hetu: '311399-ABC!', kelaRows: [] }]]));
  return runId;
};

describe('a run’s list pages in the run’s state', () => {
  it('keeps each page as one item of its people, with the run’s expiry; a page put again leaves the same item', async () => {
    const runId = await runWithPages();
    const pages = await itemsOf(runId, 'PAGE#');
    expect(pages.map((p) => p.sk)).toEqual(['PAGE#kelmu#1', 'PAGE#kelmu#2', 'PAGE#uma#1']);
    const first = pages[0]!;
    expect(first).toMatchObject({ source: 'kelmu', page: 1, expiresAt: Math.floor(NOW / 1000) + 90 * 86_400 });
    expect(Object.keys(first.people as object)).toHaveLength(41);
    expect((first.people as Record<string, unknown>)['key-both']).toEqual({ hetu: 'code-both', kelaRows: [basic('2026-10-01')] });
    // No candidate yet: they are written once both lists are in.
    expect(await itemsOf(runId, 'CAND#')).toEqual([]);

    await store.putPage(runId, 'kelmu', 1, people([...numbered(0, 40, [basic('2026-10-01')]), ['key-both', { hetu: 'code-both', kelaRows: [basic('2026-10-01')] }]]));
    expect(await itemsOf(runId, 'PAGE#')).toEqual(pages);
  });

  it('writes a page too large for one item in parts, each under DynamoDB’s item limit, read back whole', async () => {
    const runId = randomUUID();
    await store.createRun(runId, '905', '2026-11-01', randomUUID(), 500);
    // 500 people with twelve benefits each: about 460 KB as JSON, more than one item holds.
    const rows = Array.from({ length: 12 }, (_, i) => basic(`2026-${String(i + 1).padStart(2, '0')}-01`));
    const big = people(numbered(0, 500, rows).map(([key, person]) => [`${key}-${'0'.repeat(56)}`, person]));
    await store.putPage(runId, 'kelmu', 1, big);
    const parts = await itemsOf(runId, 'PAGE#');
    expect(parts.map((p) => p.sk)).toEqual(['PAGE#kelmu#1#1', 'PAGE#kelmu#1#2']);
    expect(parts.flatMap((p) => Object.keys(p.people as object)).sort()).toEqual([...big.keys()].sort());
    expect((await store.listPages(runId)).flatMap((p) => Object.keys(p.people))).toHaveLength(500);
  });
});

describe('the candidates written from the pages, once', () => {
  it('writes one candidate per person of every page, sources and benefits merged, in the shape the run reads, and marks the run', async () => {
    const runId = await runWithPages();
    const written = await store.writeCandidatesOnce(runId, WRITER, STALE_MS);
    expect(written).toEqual({ candidates: 72, pages: ['PAGE#kelmu#1', 'PAGE#kelmu#2', 'PAGE#uma#1'] });

    const candidates = await allCandidates(runId);
    expect(candidates).toHaveLength(72);
    const byKey = new Map(candidates.map((c) => [c.key, c]));
    const both = byKey.get('key-both')!;
    expect({ ...both, kelaRows: [...both.kelaRows].sort((a, b) => a.benefit.localeCompare(b.benefit)) }).toEqual({
      key: 'key-both',
      hetu: 'code-both',
      sources: ['kelmu', 'uma'],
      kelaRows: [basic('2026-10-01'), homeCare('2026-09-01')],
    });
    expect(byKey.get('key-0003')).toEqual({ key: 'key-0003', hetu: 'code-3', sources: ['kelmu'], kelaRows: [basic('2026-10-01')] });
    expect(byKey.get('key-0100')).toEqual({ key: 'key-0100', hetu: 'code-100', sources: ['uma'], kelaRows: [] });
    expect(byKey.get('key-bad')).toEqual({ key: 'key-bad', hetu: '311399-ABC!', sources: ['uma'], kelaRows: [] });
    // The item itself: one attribute per benefit, as the run's other readers (and the audit of old runs) know it.
    const [item] = (await itemsOf(runId, 'CAND#key-both')) as Record<string, unknown>[];
    expect(Object.keys(item!).filter((name) => name.startsWith('kela#')).sort()).toEqual(['kela#basic-social-assistance#2026-10-01', 'kela#child-home-care-allowance#2026-09-01']);
    expect(item!.expiresAt).toBe(Math.floor(NOW / 1000) + 90 * 86_400);
    expect(await store.getRun(runId)).toMatchObject({ candidatesWritten: true });
    expect((await store.candidateOutcomes(runId, ['key-both', 'key-0050', 'nobody'])).size).toBe(2);
  });

  it('erases no outcome when the first fan-out comes again after decisions (recovery in deciding): nothing is written', async () => {
    const runId = await runWithPages();
    await store.writeCandidatesOnce(runId, WRITER, STALE_MS);
    expect((await store.decide(runId, 'key-both', 'NOT_RESIDENT')).applied).toBe(true);
    expect((await store.decide(runId, 'key-bad', 'INVALID_HETU')).applied).toBe(true);
    const before = await itemsOf(runId, 'CAND#');
    // A page delivered again late changes nothing either.
    await store.putPage(runId, 'uma', 1, people([['key-both', { hetu: 'code-both', kelaRows: [] }]]));

    expect(await store.writeCandidatesOnce(runId, WRITER, STALE_MS)).toBeUndefined();
    expect(await itemsOf(runId, 'CAND#')).toEqual(before);
    expect(await store.candidateOutcomes(runId, ['key-both', 'key-bad'])).toEqual(
      new Map([
        ['key-both', { key: 'key-both', outcome: 'NOT_RESIDENT' }],
        ['key-bad', { key: 'key-bad', outcome: 'INVALID_HETU' }],
      ]),
    );
  });

  it('writes the same candidates again when it stopped after the writes and before marking the run', async () => {
    const runId = await runWithPages();
    let failFlag = true;
    const crashing = withSend(dynamo.documents, (command) => {
      if (failFlag && command instanceof UpdateCommand && command.input.UpdateExpression?.includes('#written')) {
        failFlag = false;
        return Promise.reject(new Error('the process stopped'));
      }
      return dynamo.documents.send(command as QueryCommand);
    });
    const interrupted = new RunStore(crashing, table, () => new Date(NOW));
    await expect(interrupted.writeCandidatesOnce(runId, WRITER, STALE_MS)).rejects.toThrow('the process stopped');
    const first = await itemsOf(runId, 'CAND#');
    expect(first).toHaveLength(72);
    expect((await store.getRun(runId))?.candidatesWritten).toBeUndefined();

    expect(await interrupted.writeCandidatesOnce(runId, WRITER, STALE_MS)).toMatchObject({ candidates: 72 });
    expect(await itemsOf(runId, 'CAND#')).toEqual(first);
    expect(await store.getRun(runId)).toMatchObject({ candidatesWritten: true });
  });

  it('lets one first fan-out write at a time: another comes back later, and takes over a claim older than the fan-out’s timeout', async () => {
    const runId = await runWithPages();
    let stopWrites = true;
    const stopping = withSend(dynamo.documents, (command) =>
      stopWrites && command instanceof BatchWriteCommand ? Promise.reject(new Error('the process stopped')) : dynamo.documents.send(command as QueryCommand),
    );
    // The first stops after claiming, before any candidate is written.
    await expect(new RunStore(stopping, table, () => new Date(NOW)).writeCandidatesOnce(runId, WRITER, STALE_MS)).rejects.toThrow('the process stopped');
    stopWrites = false;

    // A second fan-out of the run within the timeout writes nothing and comes back.
    await expect(store.writeCandidatesOnce(runId, 'fanout-2', STALE_MS)).rejects.toMatchObject({ name: 'TransientError', code: 'candidates-being-written' });
    expect(await itemsOf(runId, 'CAND#')).toEqual([]);
    // Past it, the first's invocation has ended: the second takes over and writes them.
    const later = new RunStore(dynamo.documents, table, () => new Date(NOW + STALE_MS + 1));
    expect(await later.writeCandidatesOnce(runId, 'fanout-2', STALE_MS)).toMatchObject({ candidates: 72 });
    // The first, come back, finds them written and writes nothing.
    expect(await store.writeCandidatesOnce(runId, WRITER, STALE_MS)).toBeUndefined();
  });

  it('deletes the pages once the candidates are written, and leaves the candidates', async () => {
    const runId = await runWithPages();
    const written = await store.writeCandidatesOnce(runId, WRITER, STALE_MS);
    await store.deletePages(runId, written!.pages);
    expect(await itemsOf(runId, 'PAGE#')).toEqual([]);
    expect(await allCandidates(runId)).toHaveLength(72);
  });

  it('writes nothing for a run that has none, or that does not exist', async () => {
    const runId = randomUUID();
    await store.createRun(runId, '905', '2026-11-01', randomUUID(), 200);
    expect(await store.writeCandidatesOnce(runId, WRITER, STALE_MS)).toEqual({ candidates: 0, pages: [] });
    expect(await store.getRun(runId)).toMatchObject({ candidatesWritten: true });
    expect(await store.writeCandidatesOnce(randomUUID(), WRITER, STALE_MS)).toBeUndefined();
  });
});
