/**
 * The outreach watchdog: a run with no progress for `stallSeconds` is looked at. Its counters are
 * reconciled with its candidates (a crash between a decision and its counter leaves them behind);
 * a run that turns out complete is closed with its decided event; one that is still missing
 * answers raises `outreach.run.stalled.v1` naming how many candidates are outstanding and where.
 */
import type { OutreachRunDecidedV1, OutreachRunStalledV1 } from '#contracts/messages/outreach';
import { listsComplete, runComplete, type RunItem, type RunStore } from '#functions/outreach/run-store';
import { decidedEvent } from '#functions/outreach/completion';

export interface WatchDeps {
  readonly store: Pick<RunStore, 'openRuns' | 'getRun' | 'reconcile'>;
  readonly now: () => number;
  readonly stallSeconds: number;
  readonly decided: (run: RunItem, event: OutreachRunDecidedV1) => Promise<void>;
  readonly stalled: (run: RunItem, event: OutreachRunStalledV1) => Promise<void>;
}

export interface WatchResult {
  readonly open: number;
  readonly stalled: number;
  readonly completed: number;
}

const missingPages = (run: RunItem, source: 'kelmu' | 'uma'): number => {
  const { total, received } = run.pages[source];
  return total === null ? 1 : Math.max(0, Math.max(1, total) - Object.keys(received).length);
};

const phaseOf = (run: RunItem): OutreachRunStalledV1['phase'] =>
  !listsComplete(run) ? 'fetching-lists' : run.expected === null ? 'starting-lookups' : 'deciding';

export const watchRuns = async (deps: WatchDeps): Promise<WatchResult> => {
  let stalled = 0;
  let completed = 0;
  const open = await deps.store.openRuns();
  for (const runId of open) {
    const seen = await deps.store.getRun(runId);
    if (!seen || seen.phase === 'delivered') continue;
    const idleSeconds = Math.floor((deps.now() - Date.parse(seen.updatedAt)) / 1000);
    if (idleSeconds < deps.stallSeconds) continue;
    const run = seen.expected === null ? seen : await deps.store.reconcile(runId);
    if (runComplete(run)) {
      await deps.decided(run, decidedEvent(run));
      completed++;
      continue;
    }
    const outstanding = run.expected === null ? null : run.expected - run.decided - run.unresolved;
    await deps.stalled(run, {
      asOf: run.asOf,
      phase: phaseOf(run),
      expected: run.expected,
      decided: run.decided,
      unresolved: run.unresolved,
      outstanding,
      idleSeconds,
      where: {
        'kelmu-list-pages-missing': missingPages(run, 'kelmu'),
        'uma-list-pages-missing': missingPages(run, 'uma'),
        ...(outstanding === null ? {} : { 'candidates-without-outcome': outstanding }),
      },
    });
    stalled++;
  }
  return { open: open.length, stalled, completed };
};
