/**
 * Recovery from durable state: for each open run and each pending single candidate whose work is
 * lost (`waiting-for.ts`), the work is put back once — the list pages not in, the fan-out, the
 * lookups of the candidates without an outcome, the assembly — as root messages with their audit
 * records, like a schedule's. The watchdog runs it on its schedule (in AWS as on the embedded
 * runtime) and the embedded runtime once at start; an operator's `koto-hub runs resume` forces it.
 *
 * Once: a recovery first claims the stall (`claimRecovery`: a conditional write on the run's last
 * progress and last recovery), so of two looking at the same silence one puts the work back; its
 * messages have ids from the run and that silence, so a message put back twice is a duplicate the
 * next hop drops. What it puts back is handled by the same idempotent steps as the first time: a
 * page split again or a candidate decided again changes no item and no counter (a decision counts
 * only when its conditional write applies; the fan-out learns `expected` by counting afresh).
 */
import type { Envelope } from '#contracts/envelope';
import { buildEnvelope, type MessageType, type PayloadOf } from '#contracts/messages/registry';
import type { QueueName } from '#infra/topology';
import { deterministicUuid } from '#lib/ids';
import type { RunItem, RunStore } from '#functions/outreach/run-store';
import { decidedEvent } from '#functions/outreach/completion';
import { claimPendingRecovery, pendingCandidates, type CandidateDeps, type PendingItem } from '#functions/single-candidates/pending-candidate';
import { judgePending, judgeRun, type Judgement, type RunWait } from '#functions/outreach-recovery/waiting-for';

export const RECOVERY_STAGE = 'outreach-recovery';
/** Rows per list page of a run recorded before its page size was kept: the default of every requester. */
const DEFAULT_LIST_PAGE_SIZE = 200;

export interface RecoveryDeps {
  readonly store: Pick<RunStore, 'openRuns' | 'getRun' | 'reconcile' | 'claimRecovery' | 'advanceFrom' | 'closeRun'>;
  /** The correlation table as the single candidates use it. */
  readonly pending: Pick<CandidateDeps, 'db' | 'table'>;
  /** Municipalities whose pending candidates are looked after. */
  readonly municipalities: readonly string[];
  /** Epoch milliseconds now. */
  readonly now: () => number;
  /** The queues were just created empty (nothing can be in flight): every wait is lost at once. */
  readonly queuesAreNew?: boolean;
  /**
   * The registers whose breaker is not closed. Their work waits on its queue by design (re-sent with a
   * delay until the next probe, for up to the breaker's hold): silence then is no loss, and putting
   * the lookups back would only ask the register twice once it answers.
   */
  readonly registersDown?: () => Promise<readonly string[]>;
  /** Sends root messages that start work again, with their audit records (`emitRoots`). */
  readonly send: (queue: QueueName, envelopes: readonly Envelope[]) => Promise<void>;
}

export type RunAction = 'put-back' | 'in-flight' | 'register-down' | 'claimed-elsewhere' | 'closed' | 'none';

export interface RunRecovery extends Judgement<RunWait> {
  readonly runId: string;
  readonly action: RunAction;
}

export interface RecoveryReport {
  readonly runs: readonly RunRecovery[];
  readonly singles: { readonly putBack: number; readonly inFlight: number };
}

const envelopeFor = <T extends MessageType>(
  type: T,
  payload: PayloadOf<T>,
  fields: { messageId: string; correlationId: string; municipality: string; target: string },
): Envelope => buildEnvelope(type, payload, { ...fields, causationId: null, source: 'hub' });

/** The messages that put a run's lost work back; ids from the run and the silence being ended. */
export const runMessages = (run: RunItem, wait: RunWait): { queue: QueueName; envelope: Envelope }[] => {
  const id = (what: string) => deterministicUuid(run.runId, RECOVERY_STAGE, what, run.updatedAt, run.recoveredAt ?? '');
  const base = { correlationId: run.runId, municipality: run.municipality };
  switch (wait.kind) {
    case 'list-pages':
      return wait.missing.map(({ source, from }) => {
        const page = { municipality: run.municipality, page: from, pageSize: run.listPageSize ?? DEFAULT_LIST_PAGE_SIZE, replyTo: 'outreach-candidates', context: { runId: run.runId } };
        return source === 'kelmu'
          ? { queue: 'kelmu-lists' as const, envelope: envelopeFor('kelmu.list.requested.v1', { ...page, date: run.asOf }, { ...base, messageId: id(`kelmu-${from}`), target: 'kelmu' }) }
          : { queue: 'uma-lists' as const, envelope: envelopeFor('uma.protection-list.requested.v1', page, { ...base, messageId: id(`uma-${from}`), target: 'uma' }) };
      });
    case 'fan-out':
    case 'decisions':
      // The fan-out walks every candidate again and starts a lookup for each without an outcome.
      return [{ queue: 'outreach-fanout', envelope: envelopeFor('outreach.run.fanout.v1', { asOf: run.asOf, after: null, counted: 0 }, { ...base, messageId: id('fanout'), target: 'hub' }) }];
    case 'assembly':
      return [{ queue: 'outreach-results', envelope: envelopeFor('outreach.run.decided.v1', decidedEvent(run), { ...base, messageId: id('decided'), target: 'hub' }) }];
    case 'nothing':
      return [];
  }
};

/** The lookup that decides a pending single candidate, as its intake sent it. */
export const pendingLookup = (candidate: PendingItem): Envelope =>
  envelopeFor(
    'lookup.requested.v1',
    {
      hetu: candidate.hetu,
      asOf: candidate.asOf,
      steps: ['vtj'],
      results: {},
      replyTo: 'single-decisions',
      rules: { municipality: candidate.municipality, kelaRows: [] },
      context: { origin: candidate.origin, candidate: candidate.key },
    },
    {
      messageId: deterministicUuid(candidate.messageId, RECOVERY_STAGE, candidate.key, candidate.recoveredAt ?? candidate.recordedAt),
      correlationId: candidate.correlationId,
      municipality: candidate.municipality,
      target: 'vtj',
    },
  );

const sendGrouped = async (deps: RecoveryDeps, messages: readonly { queue: QueueName; envelope: Envelope }[]): Promise<void> => {
  const byQueue = new Map<QueueName, Envelope[]>();
  for (const { queue, envelope } of messages) byQueue.set(queue, [...(byQueue.get(queue) ?? []), envelope]);
  for (const [queue, envelopes] of byQueue) await deps.send(queue, envelopes);
};

/**
 * Looks after one run: puts its work back when it is lost (or when `force`: an operator says so).
 * Undefined when the run does not exist.
 */
export const recoverRun = async (runId: string, deps: RecoveryDeps, force = false): Promise<RunRecovery | undefined> => {
  const seen = await deps.store.getRun(runId);
  if (!seen) return undefined;
  const options = { now: deps.now(), queuesAreNew: force || deps.queuesAreNew };
  if (seen.phase === 'delivered') {
    // Delivered and closed, or delivered by an assembly that stopped before closing it.
    await deps.store.closeRun(runId);
    return { runId, ...judgeRun(seen, options), action: 'closed' };
  }
  let judged = judgeRun(seen, options);
  if (!judged.lost) return { runId, ...judged, action: judged.wait.kind === 'nothing' ? 'none' : 'in-flight' };
  if (!force && waitsOnRegisters(judged.wait) && (await registersDown(deps)).length > 0) return { runId, ...judged, action: 'register-down' };
  // The counters may lag the candidates (a crash between a decision and its count): count afresh.
  const run = judged.wait.kind === 'decisions' ? { ...(await deps.store.reconcile(runId)), updatedAt: seen.updatedAt, recoveredAt: seen.recoveredAt } : seen;
  judged = judgeRun(run, options);
  if (!(await deps.store.claimRecovery(seen))) return { runId, ...judged, action: 'claimed-elsewhere' };
  if (judged.wait.kind === 'fan-out' && !judged.wait.moved) {
    const messages = runMessages(run, judged.wait);
    await deps.store.advanceFrom(runId, 'fetching-lists', 'starting-lookups', { fanoutBy: messages[0]!.envelope.messageId });
  }
  await sendGrouped(deps, runMessages(run, judged.wait));
  return { runId, ...judged, action: 'put-back' };
};

/** List pages and lookups go to the registers; the fan-out and the assembly do not. */
const waitsOnRegisters = (wait: RunWait): boolean => wait.kind === 'list-pages' || wait.kind === 'decisions';

const registersDown = async (deps: RecoveryDeps): Promise<readonly string[]> => (deps.registersDown ? deps.registersDown() : []);

/** Every open run and every pending single candidate of the served municipalities, looked after once. */
export const recoverOpenWork = async (deps: RecoveryDeps): Promise<RecoveryReport> => {
  const runs: RunRecovery[] = [];
  for (const runId of await deps.store.openRuns()) {
    const recovered = await recoverRun(runId, deps);
    if (recovered) runs.push(recovered);
  }
  let putBack = 0;
  let inFlight = 0;
  // A single candidate waits on VTJ's lookup: while a register is down its silence is the breaker's hold.
  const holding = (await registersDown(deps)).length > 0;
  for (const municipality of deps.municipalities) {
    const lost: PendingItem[] = [];
    for (const candidate of await pendingCandidates(municipality, deps.pending)) {
      if (holding || !judgePending(candidate, { now: deps.now(), queuesAreNew: deps.queuesAreNew }).lost) inFlight++;
      else if (await claimPendingRecovery(candidate, { ...deps.pending, now: () => new Date(deps.now()) })) lost.push(candidate);
    }
    if (lost.length) await deps.send('vtj-lookups', lost.map(pendingLookup));
    putBack += lost.length;
  }
  return { runs, singles: { putBack, inFlight } };
};
