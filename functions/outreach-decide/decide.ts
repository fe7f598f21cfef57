/**
 * Decides the candidates of a batch: each completed lookup by the outreach rules on the facts its
 * slip carries (`judgeSlip`, asking for another register when the rules still need one), each failed
 * one as UNRESOLVED; then one counter write per run tells whether the run is complete. Of the
 * candidates' items the batch reads only whether they already have an outcome.
 */
import type { Envelope } from '#contracts/envelope';
import type { LookupCompletedV1, LookupFailedV1 } from '#contracts/messages/lookup';
import type { HopApi } from '#lib/batch/sqs-handler';
import { PermanentError } from '#lib/errors';
import { askNext, judgeSlip } from '#functions/outreach/slip';
import type { CandidateOutcome, RunStore } from '#functions/outreach/run-store';
import { runComplete } from '#functions/outreach/run-store';
import { decidedEvent } from '#functions/outreach/completion';

export interface DecideBatch {
  readonly store: RunStore;
  /** `<runId>|<key>` -> the candidate's outcome so far, for each candidate the batch names that its run has. */
  readonly candidates: ReadonlyMap<string, CandidateOutcome>;
  /** Per run: how the batch moved its counters. */
  readonly counts: Map<string, { decided: number; unresolved: number }>;
}

type LookupAnswer = Envelope<LookupCompletedV1> | Envelope<LookupFailedV1>;

const candidateOf = (message: LookupAnswer): { runId: string; key: string } => {
  const { runId, candidate } = message.payload.context;
  if (typeof runId !== 'string' || typeof candidate !== 'string' || runId !== message.correlationId) {
    throw new PermanentError('no-candidate', 'the lookup does not name a candidate of its run');
  }
  return { runId, key: candidate };
};

export const prepareDecisions = async (store: RunStore, messages: readonly LookupAnswer[]): Promise<DecideBatch> => {
  const byRun = new Map<string, string[]>();
  for (const message of messages) {
    // A message that names no candidate fails alone, in `decideOne`; it must not fail the batch here.
    const { runId, key } = (() => {
      try {
        return candidateOf(message);
      } catch {
        return { runId: undefined, key: undefined };
      }
    })();
    if (runId && key) byRun.set(runId, [...(byRun.get(runId) ?? []), key]);
  }
  const candidates = new Map<string, CandidateOutcome>();
  for (const [runId, keys] of byRun) for (const [key, item] of await store.candidateOutcomes(runId, keys)) candidates.set(`${runId}|${key}`, item);
  return { store, candidates, counts: new Map() };
};

const tally = (batch: DecideBatch, runId: string, delta: { decided?: number; unresolved?: number }) => {
  const counts = batch.counts.get(runId) ?? { decided: 0, unresolved: 0 };
  counts.decided += delta.decided ?? 0;
  counts.unresolved += delta.unresolved ?? 0;
  batch.counts.set(runId, counts);
};

/**
 * The hop's outcome is a function of the message alone (the same lookup gives the same decision),
 * so that two deliveries of one message handled at once seal the same audit record; whether this
 * delivery's write applied only decides whether it counts.
 */
export const decideOne = async (message: LookupAnswer, hop: HopApi, batch: DecideBatch): Promise<void> => {
  const { runId, key } = candidateOf(message);
  const candidate = batch.candidates.get(`${runId}|${key}`);
  if (!candidate) throw new PermanentError('unknown-candidate', 'the lookup names a candidate its run does not have');

  if (message.type === 'lookup.failed.v1') {
    hop.setOutcome('unresolved');
    if (candidate.outcome) return;
    const { applied } = await batch.store.decide(runId, key, 'UNRESOLVED');
    if (applied) tally(batch, runId, { unresolved: 1 });
    return;
  }

  // One register at a time, only while the rules still need one: nobody is asked about a person
  // the answers so far already decide (docs/DESIGN.md "Personal data").
  const verdict = judgeSlip(message as Envelope<LookupCompletedV1>);
  if ('next' in verdict) {
    if (!candidate.outcome || candidate.outcome === 'UNRESOLVED') askNext(hop, message as Envelope<LookupCompletedV1>, verdict.next);
    return hop.setOutcome(`needs-${verdict.next}`);
  }
  const { decision } = verdict;
  const outcome = decision.kind === 'target' ? 'target' : decision.code;
  hop.setOutcome(`decided-${outcome}`);
  if (candidate.outcome && candidate.outcome !== 'UNRESOLVED') return;
  const { applied, previous } = await batch.store.decide(runId, key, outcome, decision.kind === 'target' ? decision.target : undefined);
  if (applied) tally(batch, runId, { decided: 1, unresolved: previous === 'UNRESOLVED' ? -1 : 0 });
};

export const completeDecisions = async (batch: DecideBatch, emitFor: (correlationId: string) => HopApi['emit'] | undefined): Promise<void> => {
  for (const [runId, delta] of batch.counts) {
    const run = await batch.store.count(runId, delta);
    if (!runComplete(run)) continue;
    emitFor(runId)?.('outreach-results', 'outreach.run.decided.v1', decidedEvent(run), { key: `decided-${run.decided}-${run.unresolved}` });
  }
};
