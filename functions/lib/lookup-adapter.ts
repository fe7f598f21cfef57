/**
 * A lookup adapter: the routing slip's step for one national system. It asks its system about the
 * person, adds the canonical answer to the slip's results and passes the slip on — to the next
 * system's queue, or, when it was the last step, to the requester's `replyTo` queue.
 */
import type { Envelope } from '#contracts/envelope';
import type { LookupRequestedV1, LookupResultsV1, LookupSystem } from '#contracts/messages/lookup';
import { lookupsNeeded } from '#functions/outreach/rules';
import { functionSpec, lookupQueues, type FunctionName, type QueueName } from '#infra/topology';
import { createSqsHandler } from '#lib/batch/sqs-handler';
import { PermanentError } from '#lib/errors';

export interface AskOptions {
  /** Epoch milliseconds by which the call must have ended. */
  readonly deadline: number;
}

export type Ask<S extends LookupSystem> = (hetu: string, asOf: string, options: AskOptions) => Promise<NonNullable<LookupResultsV1[S]>>;

/** The systems still to ask after this step: the outreach rules' choice for an outreach slip, else the slip's own. */
const stepsAfter = (payload: LookupRequestedV1, results: LookupResultsV1): LookupSystem[] => {
  if (!payload.rules) return payload.steps.slice(1);
  const [next] = lookupsNeeded({
    municipality: payload.rules.municipality,
    asOf: payload.asOf,
    hetu: payload.hetu,
    kelaRows: payload.rules.kelaRows,
    vtj: results.vtj,
    residence: results.uma,
    integration: results.datastore,
  });
  return next ? [next] : [];
};

/** The slip after this step: where it goes next and what it carries. */
export const nextHop = <S extends LookupSystem>(
  system: S,
  name: FunctionName,
  lookup: Envelope<LookupRequestedV1>,
  answer: NonNullable<LookupResultsV1[S]>,
): { queue: QueueName; completed: boolean; payload: LookupRequestedV1 } => {
  const [step] = lookup.payload.steps;
  if (step !== system) throw new PermanentError('misrouted', `a lookup whose next step is ${step} reached the ${system} adapter`);
  const results = { ...lookup.payload.results, [system]: answer };
  const rest = stepsAfter(lookup.payload, results);
  const payload = { ...lookup.payload, steps: rest, results };
  const [next] = rest;
  if (next) return { queue: lookupQueues[next], completed: false, payload };
  const replyTo = lookup.payload.replyTo as QueueName;
  if (!(functionSpec(name).sends as readonly string[]).includes(replyTo)) {
    throw new PermanentError('reply-not-allowed', `${name} may not deliver to queue ${lookup.payload.replyTo}`);
  }
  return { queue: replyTo, completed: true, payload };
};

export const createLookupAdapter = <S extends LookupSystem>(system: S, name: FunctionName, ask: Ask<S>) =>
  createSqsHandler({
    name,
    accepts: ['lookup.requested.v1'],
    handle: async (lookup, hop) => {
      const answer = await ask(lookup.payload.hetu, lookup.payload.asOf, { deadline: hop.deadline });
      const { queue, completed, payload } = nextHop(system, name, lookup, answer);
      if (completed) {
        const { steps: _done, ...result } = payload;
        hop.emit(queue, 'lookup.completed.v1', result, { key: 'completed' });
      } else {
        hop.emit(queue, 'lookup.requested.v1', payload, { target: payload.steps[0], key: 'next' });
      }
    },
    onDeadLetter: (lookup, failure, emit) => {
      const { steps: _left, ...rest } = lookup.payload;
      const replyTo = lookup.payload.replyTo as QueueName;
      if (!(functionSpec(name).sends as readonly string[]).includes(replyTo)) return;
      emit(replyTo, 'lookup.failed.v1', { ...rest, failedStep: system, reason: `${failure.code}: ${failure.reason}`.slice(0, 600) }, { key: 'failed' });
    },
  });
