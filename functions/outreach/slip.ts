/**
 * An outreach candidate's lookup slip (docs/DESIGN.md "Adapters behind their own queues"): the facts
 * the outreach rules read from it, and the one place that decides which register it asks next.
 *
 * - The lookup adapters get `outreachNextSteps` from their handlers' wiring and after each answer
 *   send the slip to the register the rules still need, or to its requester.
 * - `outreach-decide` and `outreach-single-decide` judge a completed slip with `judgeSlip`: the
 *   decision, or (for a slip that completed without the rules steering it) the register still
 *   needed, which `askNext` sends the slip on to.
 *
 * All three read the candidate from the slip alone (`candidateOfSlip`): its municipality, its
 * Kela benefits and the registers' answers so far; never again from a table.
 */
import type { Envelope } from '#contracts/envelope';
import type { LookupCompletedV1, LookupSystem } from '#contracts/messages/lookup';
import { lookupQueues } from '#infra/topology';
import type { HopApi } from '#lib/batch/sqs-handler';
import type { NextSteps } from '#lib/lookup-adapter';
import { decideCandidate, lookupsNeeded, type OutreachCandidate, type OutreachDecision } from '#functions/outreach/rules';

/** What the rules read of a slip, requested or completed. */
export type SlipFacts = Pick<LookupCompletedV1, 'hetu' | 'asOf' | 'results' | 'rules'>;

/** The candidate as its slip knows it; `municipality` is the envelope's, for a slip without the rules' facts. */
export const candidateOfSlip = (municipality: string, slip: SlipFacts): OutreachCandidate => ({
  municipality: slip.rules?.municipality ?? municipality,
  asOf: slip.asOf,
  hetu: slip.hetu,
  kelaRows: slip.rules?.kelaRows ?? [],
  vtj: slip.results.vtj,
  residence: slip.results.uma,
  integration: slip.results.datastore,
});

/**
 * The register the slip must ask next, if any: the first lookup the rules still need (VTJ, UMA,
 * the data store, each only while the answers so far leave the candidate undecided).
 */
export const nextRegister = (municipality: string, slip: SlipFacts): LookupSystem | undefined =>
  lookupsNeeded(candidateOfSlip(municipality, slip))[0];

/**
 * The lookup adapters' choice after a step: a slip with the rules' facts goes to the register the
 * rules still need (none: to its requester); any other slip follows the steps it names.
 */
export const outreachNextSteps: NextSteps = (lookup, results) => {
  if (!lookup.payload.rules) return lookup.payload.steps.slice(1);
  const next = nextRegister(lookup.municipality, { ...lookup.payload, results });
  return next ? [next] : [];
};

export type SlipVerdict = { readonly next: LookupSystem } | { readonly decision: OutreachDecision };

/**
 * A completed slip by the rules: the decision, or the register still needed. The adapters already
 * asked every register the rules need, so `next` comes only for a slip that completed without the
 * rules steering it (its requester named the steps, or it was on its way when a rule changed).
 */
export const judgeSlip = (slip: Envelope<LookupCompletedV1>): SlipVerdict => {
  const candidate = candidateOfSlip(slip.municipality, slip.payload);
  const [next] = lookupsNeeded(candidate);
  return next ? { next } : { decision: decideCandidate(candidate) };
};

/** Sends a completed slip on to the register still needed, one step, answered to the same requester. */
export const askNext = (hop: HopApi, slip: Envelope<LookupCompletedV1>, next: LookupSystem): void => {
  hop.emit(lookupQueues[next], 'lookup.requested.v1', { ...slip.payload, steps: [next] }, { target: next, key: 'more' });
};
