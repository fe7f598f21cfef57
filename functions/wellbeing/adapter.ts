/**
 * The county adapter's two jobs (docs/DESIGN.md "Wellbeing services counties"), each one call to the
 * county's FHIR server, over X-Road or directly, behind the counties' rate limit and that county's
 * own breaker (the handler's):
 *
 * - **Send** a request: the transaction is built again from the request and its stored process (the
 *   time it was taken), so it is the very one the intake checked, byte for byte; the county's
 *   conditional creates make a re-sent one create nothing.
 * - **Read the replies** of a request (`wellbeing.replies.poll.v1`, from the reply poller): the
 *   request's Tasks are matched by `takeReplies` at the poll's time, the new answers delivered to the
 *   municipality on its own person references, duplicates, late and unmatched Tasks set aside for the
 *   operators (an event on their queue by reason and count, naming no one; a log line with the
 *   pseudonym; the hop's outcome), and a Task that is not
 *   valid FHIR refuses the whole read with the validator's finding, the dead letter's reason: nothing
 *   of that read is delivered until the county corrects it.
 *
 * Once: the state (who has been answered) is saved with what was delivered and for which poll, under
 * the process's version; a redelivered poll sends the same messages again (same ids, the inbox keeps
 * them once), and a second poll finds them delivered.
 */
import type { Envelope } from '#contracts/envelope';
import { setAsideReasons, type WellbeingRepliesPollV1, type WellbeingRepliesSetAsideV1 } from '#contracts/messages/wellbeing';
import type { CountyEndpointV1 } from '#contracts/wellbeing/endpoint';
import type { Json } from '#contracts/wellbeing/fhir/common';
import { PermanentError, TransientError } from '#lib/errors';
import { prepareWellbeingRequest, type WellbeingRequest } from '#functions/wellbeing/prepare';
import { takeReplies, type ReplyMessage, type SetAside } from '#functions/wellbeing/replies';
import type { WellbeingStore } from '#functions/wellbeing/store';

export interface AdapterDeps {
  readonly store: WellbeingStore;
  readonly endpoints: readonly CountyEndpointV1[];
  readonly key: () => Promise<Uint8Array>;
}

const noProcess = () =>
  new PermanentError('wellbeing-no-process', 'the request has no process in the correlation table (never taken, or expired)');

const endpointOf = (county: string, endpoints: readonly CountyEndpointV1[]): CountyEndpointV1 => {
  const endpoint = endpoints.find((e) => e.county === county);
  if (!endpoint) throw new PermanentError('wellbeing-county-not-configured', `the wellbeing services county '${county}' has no FHIR endpoint configured any more`);
  return endpoint;
};

/** The transaction of a request taken by the intake, and where it goes. */
export async function transactionOf(request: WellbeingRequest, deps: AdapterDeps): Promise<{ endpoint: CountyEndpointV1; transaction: Json }> {
  const stored = await deps.store.get(request.correlationId);
  if (!stored) throw noProcess();
  const { endpoint, transaction, process } = prepareWellbeingRequest(request, deps.endpoints, await deps.key(), stored.process.requestedAt);
  // A pseudonym key rotated since the intake would send people the hub cannot map back.
  if (process.pseudonyms.join() !== stored.process.pseudonyms.join()) {
    throw new PermanentError('wellbeing-key-changed', 'the pseudonym key changed after the request was taken; the request must be sent again by the municipality');
  }
  return { endpoint, transaction };
}

export type PollResult =
  | { readonly outcome: 'deferred' }
  | {
      readonly outcome: 'replayed' | 'read';
      readonly county: string;
      readonly kind: 'consultation' | 'cooperation';
      readonly deliver: readonly ReplyMessage[];
      readonly setAside: readonly SetAside[];
      readonly closed: boolean;
    };

/**
 * Reads and matches the replies of the poll's request. `readTasks` makes the county call (through
 * the breaker: `undefined` when it deferred the message).
 */
export async function pollReplies(
  poll: Envelope<WellbeingRepliesPollV1>,
  deps: AdapterDeps,
  readTasks: (endpoint: CountyEndpointV1) => Promise<readonly unknown[] | undefined>,
): Promise<PollResult> {
  const stored = await deps.store.get(poll.correlationId);
  if (!stored) throw noProcess();
  if (stored.replay?.messageId === poll.messageId) {
    return { outcome: 'replayed', county: stored.process.county, kind: stored.process.kind, deliver: stored.replay.messages as ReplyMessage[], setAside: [], closed: false };
  }
  const { process, state, version } = stored;
  const tasks = await readTasks(endpointOf(process.county, deps.endpoints));
  if (tasks === undefined) return { outcome: 'deferred' };
  const entries = await deps.store.entriesOf(process.requestId);
  const taken = takeReplies(process, entries, state, tasks, poll.payload.polledAt);
  if (taken.refused.length > 0) {
    const reasons = [...new Set(taken.refused.map((r) => r.reason))].join('; ');
    throw new PermanentError(taken.refused[0]!.code, `the county's answer to the ${process.kind} is refused: ${reasons}`);
  }
  if (taken.deliver.length > 0) {
    const saved = await deps.store.saveState(process.requestId, version, taken.state, { messageId: poll.messageId, messages: taken.deliver });
    if (!saved) throw new TransientError('wellbeing-state-changed', 'the request was changed by another hop while its replies were read; read again');
  }
  const answeredAll = process.pseudonyms.every((p) => taken.state.delivered.includes(p));
  if (answeredAll) await deps.store.close(process.requestId);
  return { outcome: 'read', county: process.county, kind: process.kind, deliver: taken.deliver, setAside: taken.setAside, closed: answeredAll };
}

/**
 * The operators' event of a read that set answers aside: per reason, how many, in a fixed order;
 * codes only (the pseudonyms stay in the hub's log). None when nothing was set aside.
 */
export function setAsideEvent(result: PollResult, polledAt: string): WellbeingRepliesSetAsideV1 | undefined {
  if (result.outcome === 'deferred' || result.setAside.length === 0) return undefined;
  const setAside = setAsideReasons
    .map((why) => ({ why, count: result.setAside.filter((s) => s.why === why).length }))
    .filter((reason) => reason.count > 0);
  return { county: result.county, requestKind: result.kind, polledAt, setAside };
}
