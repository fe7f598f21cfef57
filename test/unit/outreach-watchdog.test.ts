import { describe, expect, it } from 'vitest';
import type { OutreachRunDecidedV1, OutreachRunStalledV1 } from '#contracts/messages/outreach';
import type { RunItem } from '#functions/outreach/run-store';
import { watchRuns } from '#functions/outreach-watchdog/watch-runs';

const NOW = Date.parse('2026-11-01T12:00:00Z');
const minutesAgo = (m: number) => new Date(NOW - m * 60_000).toISOString();

const run = (overrides: Partial<RunItem> = {}): RunItem => ({
  runId: 'run-1',
  municipality: '905',
  asOf: '2026-11-01',
  phase: 'deciding',
  pages: { kelmu: { total: 2, received: { '1': true, '2': true } }, uma: { total: 1, received: { '1': true } } },
  expected: 10,
  decided: 7,
  unresolved: 1,
  startedAt: minutesAgo(60),
  updatedAt: minutesAgo(30),
  ...overrides,
});

/** A store holding the given runs; `reconcile` returns what counting the candidates would give. */
const storeOf = (runs: RunItem[], reconciled: Partial<Record<string, Partial<RunItem>>> = {}) => ({
  openRuns: async () => runs.map((r) => r.runId),
  getRun: async (id: string) => runs.find((r) => r.runId === id),
  reconcile: async (id: string) => ({ ...runs.find((r) => r.runId === id)!, ...reconciled[id] }),
});

const watch = async (runs: RunItem[], reconciled = {}) => {
  const decided: OutreachRunDecidedV1[] = [];
  const stalled: OutreachRunStalledV1[] = [];
  const result = await watchRuns({
    store: storeOf(runs, reconciled),
    now: () => NOW,
    stallSeconds: 900,
    decided: async (_run, event) => void decided.push(event),
    stalled: async (_run, event) => void stalled.push(event),
  });
  return { result, decided, stalled };
};

describe('the outreach watchdog', () => {
  it('leaves a run alone that made progress within the stall time', async () => {
    const { result, stalled, decided } = await watch([run({ updatedAt: minutesAgo(5) })]);
    expect(result).toEqual({ open: 1, stalled: 0, completed: 0 });
    expect([stalled, decided]).toEqual([[], []]);
  });

  it('raises a stall naming the outstanding candidates and how long the run has been idle', async () => {
    const { stalled } = await watch([run()]);
    expect(stalled).toEqual([
      expect.objectContaining({ phase: 'deciding', expected: 10, decided: 7, unresolved: 1, outstanding: 2, idleSeconds: 1800 }),
    ]);
    expect(stalled[0]!.where).toEqual({ 'kelmu-list-pages-missing': 0, 'uma-list-pages-missing': 0, 'candidates-without-outcome': 2 });
  });

  it('closes a run whose counters fell behind its candidates instead of calling it stalled', async () => {
    const { decided, stalled, result } = await watch([run()], { 'run-1': { decided: 9, unresolved: 1 } });
    expect(stalled).toEqual([]);
    expect(decided).toEqual([{ asOf: '2026-11-01', expected: 10, decided: 9, unresolved: 1 }]);
    expect(result.completed).toBe(1);
  });

  it('names the missing list pages of a run stalled while fetching its lists', async () => {
    const fetching = run({
      phase: 'fetching-lists',
      expected: null,
      decided: 0,
      unresolved: 0,
      pages: { kelmu: { total: 3, received: { '1': true } }, uma: { total: null, received: {} } },
    });
    const { stalled } = await watch([fetching]);
    expect(stalled[0]).toMatchObject({ phase: 'fetching-lists', outstanding: null, where: { 'kelmu-list-pages-missing': 2, 'uma-list-pages-missing': 1 } });
  });
});
