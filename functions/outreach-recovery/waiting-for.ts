/**
 * What an open run or an accepted single candidate is still waiting for, read from its state in
 * the correlation table alone (a run's truth is there, not on a queue), and whether that work is
 * still in flight or lost.
 *
 * "In flight, slow" and "lost" look the same in the table: no progress. They differ in how long
 * the silence lasts. A message the work waits on is either on its queue or being handled; while it
 * lives, SQS hands it over again each visibility timeout until maxReceiveCount, after which its
 * dead letter answers the requester (`lookup.failed.v1`) — progress either way. Behind a backlog it
 * may also wait up to the queue's `maxAgeSeconds`, the age at which the "oldest message" alarm
 * already calls it too old. So work is lost when its silence outlasts, for every queue it waits
 * on, every receive SQS allows plus that age (`lostAfterSeconds`). A runtime that has just created
 * its queues (the embedded runtime at start: local-aws-sqs keeps them in memory) has nothing in
 * flight at all: everything still waited for is lost, at once.
 */
import { queueSpec, type QueueName } from '#infra/topology';
import { listsComplete, runComplete, type RunItem, type SourceList } from '#functions/outreach/run-store';

export type RunWait =
  /** Pages of a source list not fetched, or fetched and not split into candidates (the same in the table). */
  | { readonly kind: 'list-pages'; readonly missing: readonly { readonly source: SourceList; readonly from: number; readonly count: number }[] }
  /** The lists are in; the lookups of the candidates are not all started (`moved`: the run is past `fetching-lists`). */
  | { readonly kind: 'fan-out'; readonly moved: boolean }
  /** Candidates without an outcome: their lookups or their decisions are outstanding. */
  | { readonly kind: 'decisions'; readonly outstanding: number }
  /** Every candidate has an outcome; the result is not delivered. */
  | { readonly kind: 'assembly' }
  /** Delivered or abandoned: nothing. */
  | { readonly kind: 'nothing' };

export type WaitKind = RunWait['kind'] | 'single-decision';

/** The queues whose messages carry each kind of waiting work. */
const queuesOf: Record<Exclude<WaitKind, 'nothing'>, readonly QueueName[]> = {
  'list-pages': ['kelmu-lists', 'uma-lists', 'outreach-candidates'],
  'fan-out': ['outreach-candidates', 'outreach-fanout'],
  decisions: ['outreach-fanout', 'vtj-lookups', 'uma-lookups', 'datastore-lookups', 'outreach-decisions'],
  assembly: ['outreach-decisions', 'outreach-results'],
  // Recorded pending by its intake, which sent its lookup in the same hop.
  'single-decision': ['vtj-lookups', 'uma-lookups', 'datastore-lookups', 'single-decisions'],
};

/** Seconds of silence after which waiting work counts as lost (see the module comment). */
export const lostAfterSeconds = (kind: WaitKind): number =>
  kind === 'nothing' ? Infinity : Math.max(...queuesOf[kind].map((queue) => {
    const spec = queueSpec(queue);
    return spec.visibilityTimeoutSeconds * spec.maxReceiveCount + spec.maxAgeSeconds;
  }));

const missingPages = (run: RunItem, source: SourceList): { source: SourceList; from: number; count: number } | undefined => {
  const { total, received } = run.pages[source];
  if (total === null) return { source, from: 1, count: 1 };
  const pages = Math.max(1, total);
  const absent = Array.from({ length: pages }, (_, i) => i + 1).filter((page) => !received[String(page)]);
  // Asked for again from the first gap: the adapter goes on to the list's end (a page split twice changes nothing).
  return absent.length ? { source, from: absent[0]!, count: absent.length } : undefined;
};

/** What the run waits for, by its item; `decisions` counts by the counters (reconcile them first when it matters). */
export const runWaitsFor = (run: RunItem): RunWait => {
  if (run.phase === 'delivered' || run.phase === 'abandoned') return { kind: 'nothing' };
  if (run.phase === 'fetching-lists') {
    const missing = (['kelmu', 'uma'] as const).flatMap((source) => missingPages(run, source) ?? []);
    return missing.length && !listsComplete(run) ? { kind: 'list-pages', missing } : { kind: 'fan-out', moved: false };
  }
  if (run.expected === null) return { kind: 'fan-out', moved: true };
  if (runComplete(run)) return { kind: 'assembly' };
  return { kind: 'decisions', outstanding: run.expected - run.decided - run.unresolved };
};

/** The last sign of life of a run: its last progress, or the last time its work was put back. */
export const lastActivity = (run: Pick<RunItem, 'updatedAt' | 'recoveredAt'>): string =>
  run.recoveredAt && run.recoveredAt > run.updatedAt ? run.recoveredAt : run.updatedAt;

export interface Judgement<W> {
  readonly wait: W;
  readonly idleSeconds: number;
  readonly lostAfterSeconds: number;
  /** Whether the work waited for is presumed lost and is to be put back. */
  readonly lost: boolean;
}

export interface JudgeOptions {
  /** Epoch milliseconds now (injected: tests drive it). */
  readonly now: number;
  /** The queues were created empty by this very runtime: nothing can be in flight. */
  readonly queuesAreNew?: boolean;
}

const judge = <W>(wait: W, kind: WaitKind, since: string, options: JudgeOptions): Judgement<W> => {
  const idleSeconds = Math.max(0, Math.floor((options.now - Date.parse(since)) / 1000));
  const limit = options.queuesAreNew ? 0 : lostAfterSeconds(kind);
  return { wait, idleSeconds, lostAfterSeconds: limit, lost: kind !== 'nothing' && idleSeconds >= limit };
};

/** A run's wait, its silence and whether its work is lost. */
export const judgeRun = (run: RunItem, options: JudgeOptions): Judgement<RunWait> => {
  const wait = runWaitsFor(run);
  return judge(wait, wait.kind, lastActivity(run), options);
};

/** What the table knows of a pending single candidate (a referral, a person who moved in). */
export interface PendingView {
  readonly status: string;
  readonly recordedAt: string;
  readonly recoveredAt?: string;
}

/** A pending single candidate waits for its decision from the moment it was recorded (or last put back). */
export const judgePending = (candidate: PendingView, options: JudgeOptions): Judgement<{ kind: 'single-decision' | 'nothing' }> => {
  const kind = candidate.status === 'pending' ? 'single-decision' : 'nothing';
  const since = candidate.recoveredAt && candidate.recoveredAt > candidate.recordedAt ? candidate.recoveredAt : candidate.recordedAt;
  return judge({ kind }, kind, since, options);
};

/** One line an operator reads: what the run waits for, without personal data. */
export const describeWait = (wait: RunWait): string => {
  switch (wait.kind) {
    case 'list-pages':
      return wait.missing.map((m) => `${m.count} ${m.source} list page${m.count === 1 ? '' : 's'} from page ${m.from}`).join(', ');
    case 'fan-out':
      return wait.moved ? 'lookups to start' : 'lists in, lookups not started';
    case 'decisions':
      return `${wait.outstanding} decision${wait.outstanding === 1 ? '' : 's'}`;
    case 'assembly':
      return 'assembly of the result';
    case 'nothing':
      return 'nothing';
  }
};
