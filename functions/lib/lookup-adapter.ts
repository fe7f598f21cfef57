/**
 * A lookup adapter: the routing slip's step for one national system. It asks its system about the
 * person, adds the canonical answer to the slip's results and passes the slip on — to the next
 * system's queue, or, when it was the last step, to the requester's `replyTo` queue.
 *
 * Which system is next is not this module's choice: by default the slip's own `steps`, otherwise
 * the `nextSteps` the adapter's handler wires in (the outreach rules' choice for an outreach
 * candidate, `functions/outreach/slip.ts`). This module knows no domain.
 */
import type { Envelope } from '#contracts/envelope';
import type { LookupRequestedV1, LookupResultsV1, LookupSystem } from '#contracts/messages/lookup';
import { functionSpec, lookupQueues, type FunctionName, type QueueName } from '#infra/topology';
import { createSqsHandler } from '#lib/batch/sqs-handler';
import { PermanentError } from '#lib/errors';
import { throughBreaker } from '#lib/breaker/guard';
import { breakerFor } from '#lib/breaker/system';
import { pacedNow } from '#lib/xroad';

export interface AskOptions {
  /** Epoch milliseconds by which the call must have ended. */
  readonly deadline: number;
}

export type Ask<S extends LookupSystem> = (hetu: string, asOf: string, options: AskOptions) => Promise<NonNullable<LookupResultsV1[S]>>;

/** The systems still to ask after this step, given the slip as it arrived and the results with this step's answer. */
export type NextSteps = (lookup: Envelope<LookupRequestedV1>, results: LookupResultsV1) => LookupSystem[];

/** The slip's own choice: the steps it names after this one. */
export const slipSteps: NextSteps = (lookup) => lookup.payload.steps.slice(1);

/** The slip after this step: where it goes next and what it carries. */
export const nextHop = <S extends LookupSystem>(
  system: S,
  name: FunctionName,
  lookup: Envelope<LookupRequestedV1>,
  answer: NonNullable<LookupResultsV1[S]>,
  nextSteps: NextSteps = slipSteps,
): { queue: QueueName; completed: boolean; payload: LookupRequestedV1 } => {
  const [step] = lookup.payload.steps;
  if (step !== system) throw new PermanentError('misrouted', `a lookup whose next step is ${step} reached the ${system} adapter`);
  const results = { ...lookup.payload.results, [system]: answer };
  const rest = nextSteps(lookup, results);
  const payload = { ...lookup.payload, steps: rest, results };
  const [next] = rest;
  if (next) return { queue: lookupQueues[next], completed: false, payload };
  const replyTo = lookup.payload.replyTo as QueueName;
  if (!(functionSpec(name).sends as readonly string[]).includes(replyTo)) {
    throw new PermanentError('reply-not-allowed', `${name} may not deliver to queue ${lookup.payload.replyTo}`);
  }
  return { queue: replyTo, completed: true, payload };
};

/**
 * While its register is paced (its limiter holds requests back for their slots), a lookup's answer
 * goes on once it comes, with those of its batch that come within this; a batch's answers come an
 * interval or more apart then. Unpaced, the batch's answers go on together when it is done, in one
 * request per queue: sent one by one, a loaded machine's batches went out in several, and the
 * zero-latency benchmark counted 1.7 SQS requests a candidate against 1.5.
 */
export const SEND_WITHIN_MS = 20;

export const createLookupAdapter = <S extends LookupSystem>(system: S, name: FunctionName, ask: Ask<S>, nextSteps: NextSteps = slipSteps) =>
  createSqsHandler({
    name,
    accepts: ['lookup.requested.v1'],
    sendEarly: { windowMs: SEND_WITHIN_MS, when: () => pacedNow(system) },
    handle: async (lookup, hop) => {
      // While the system's breaker is open the slip waits on this queue, re-sent with a delay.
      const passage = await throughBreaker(
        breakerFor(system),
        hop,
        () => ask(lookup.payload.hetu, lookup.payload.asOf, { deadline: hop.deadline }),
        (wait) => hop.emit(lookupQueues[system], 'lookup.requested.v1', lookup.payload, { target: system, key: 'deferred', ...wait }),
      );
      if (!passage.answered) return;
      const answer = passage.value;
      const { queue, completed, payload } = nextHop(system, name, lookup, answer, nextSteps);
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
