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
 *   pseudonym; the hop's outcome). A Task that is not valid FHIR (or not readable as an answer) is
 *   set aside on its own, a dead letter of the adapter's queue with the validator's finding as its
 *   reason (`refusedLetter`), while the rest of the read is delivered; read again unchanged it is not
 *   set aside again, and a new version of it is read as new. Redriving the dead letter reads the
 *   request again (`wellbeing.task.refused.v1` is a read like a poll, at the time of the read that
 *   set it aside): the Task is delivered if the county corrected it, set aside anew if it did not.
 *
 * Once: the state (who has been answered) is saved with what was delivered and for which poll, under
 * the process's version; a redelivered poll sends the same messages again (same ids, the inbox keeps
 * them once), and a second poll finds them delivered.
 */
import type { Envelope } from '#contracts/envelope';
import {
  setAsideReasons,
  type WellbeingRepliesPollV1,
  type WellbeingRepliesSetAsideV1,
  type WellbeingTaskRefusedV1,
} from '#contracts/messages/wellbeing';
import type { CountyEndpointV1 } from '#contracts/wellbeing/endpoint';
import type { Json } from '#contracts/wellbeing/fhir/common';
import { PermanentError, TransientError } from '#lib/errors';
import { prepareWellbeingRequest, type WellbeingRequest } from '#functions/wellbeing/prepare';
import { takeReplies, type Refused, type ReplyMessage, type SetAside } from '#functions/wellbeing/replies';
import type { StoredProcess, WellbeingStore } from '#functions/wellbeing/store';

export interface AdapterDeps {
  readonly store: WellbeingStore;
  readonly endpoints: readonly CountyEndpointV1[];
  readonly key: () => Promise<Uint8Array>;
}

const noProcess = () =>
  new PermanentError('wellbeing-no-process', 'the request has no process in the correlation table (never taken, or expired)');

/** The stored process of a message's request, which must be the message's municipality's. */
async function processFor(message: Pick<Envelope, 'correlationId' | 'municipality'>, store: Pick<WellbeingStore, 'get'>): Promise<StoredProcess> {
  const stored = await store.get(message.correlationId);
  if (!stored) throw noProcess();
  if (stored.process.municipality !== message.municipality) {
    throw new PermanentError('wellbeing-request-id-taken', `the request ${message.correlationId} is another municipality's; nothing of it is sent or read for this message`);
  }
  return stored;
}

const endpointOf = (county: string, endpoints: readonly CountyEndpointV1[]): CountyEndpointV1 => {
  const endpoint = endpoints.find((e) => e.county === county);
  if (!endpoint) throw new PermanentError('wellbeing-county-not-configured', `the wellbeing services county '${county}' has no FHIR endpoint configured any more`);
  return endpoint;
};

/** The transaction of a request taken by the intake, and where it goes. */
export async function transactionOf(request: WellbeingRequest, deps: AdapterDeps): Promise<{ endpoint: CountyEndpointV1; transaction: Json }> {
  const stored = await processFor(request, deps.store);
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
      /** Tasks refused and to be set aside now, each a dead letter of its own. */
      readonly refused: readonly Refused[];
      /** Tasks refused before and read again unchanged: not set aside again. */
      readonly stillRefused: number;
      readonly closed: boolean;
    };

/** A read of a request's replies: the reply poller's poll, or a refused Task's dead letter redriven (a recheck of it). */
export type RepliesRead = Envelope<WellbeingRepliesPollV1> | Envelope<WellbeingTaskRefusedV1>;

const isRecheck = (read: RepliesRead): read is Envelope<WellbeingTaskRefusedV1> => read.type === 'wellbeing.task.refused.v1';

const sameDigests = (a: readonly string[] = [], b: readonly string[] = []) => a.length === b.length && a.every((digest) => b.includes(digest));

/**
 * Reads and matches the replies of the read's request. `readTasks` makes the county call (through
 * the breaker: `undefined` when it deferred the message).
 */
export async function pollReplies(
  read: RepliesRead,
  deps: AdapterDeps,
  readTasks: (endpoint: CountyEndpointV1) => Promise<readonly unknown[] | undefined>,
): Promise<PollResult> {
  const stored = await processFor(read, deps.store);
  const { process, state, version } = stored;
  if (stored.replay?.messageId === read.messageId) {
    const { messages, refused = [] } = stored.replay;
    return { outcome: 'replayed', county: process.county, kind: process.kind, deliver: messages as ReplyMessage[], setAside: [], refused, stillRefused: 0, closed: false };
  }
  const tasks = await readTasks(endpointOf(process.county, deps.endpoints));
  if (tasks === undefined) return { outcome: 'deferred' };
  const entries = await deps.store.entriesOf(process.requestId);
  const taken = takeReplies(process, entries, state, tasks, read.payload.polledAt, isRecheck(read) ? read.payload.task.digest : undefined);
  if (taken.deliver.length > 0 || taken.refused.length > 0 || !sameDigests(state.refused, taken.state.refused)) {
    const replay = { messageId: read.messageId, messages: taken.deliver, ...(taken.refused.length > 0 ? { refused: taken.refused } : {}) };
    const saved = await deps.store.saveState(process.requestId, version, taken.state, replay);
    if (!saved) throw new TransientError('wellbeing-state-changed', 'the request was changed by another hop while its replies were read; read again');
  }
  const answeredAll = process.pseudonyms.every((p) => taken.state.delivered.includes(p));
  if (answeredAll) await deps.store.close(process.requestId);
  const { deliver, setAside, refused, stillRefused } = taken;
  return { outcome: 'read', county: process.county, kind: process.kind, deliver, setAside, refused, stillRefused, closed: answeredAll };
}

/**
 * The dead letter of one refused Task: the payload its redrive reads the request again with, and
 * the reason the operators see — the county, the request, the Task's id and version, and the
 * validator's finding (element paths and rule keys, never a value, a pseudonym or a person).
 */
export function refusedLetter(
  result: Extract<PollResult, { outcome: 'read' | 'replayed' }>,
  refused: Refused,
  read: Pick<RepliesRead, 'correlationId' | 'payload'>,
): { payload: WellbeingTaskRefusedV1; failure: { code: Refused['code']; reason: string } } {
  const { id, versionId } = refused.task;
  const task = `Task ${id ?? '(no valid id)'}${versionId ? ` version ${versionId}` : ''}`;
  return {
    payload: { county: result.county as WellbeingTaskRefusedV1['county'], requestKind: result.kind, polledAt: read.payload.polledAt, code: refused.code, task: refused.task },
    failure: {
      code: refused.code,
      reason: `the county '${result.county}' answered the ${result.kind} request ${read.correlationId} with ${task}, set aside: ${refused.reason}`,
    },
  };
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
