/**
 * The county's replies to one request process, and its deadline, as plain functions (#12 steps 3
 * and 4): what the flow's reply poller and overdue schedule will call with the Tasks read back from
 * the county and the process state kept in the correlation table.
 *
 * - A Task is matched to the process by its `groupIdentifier` (the request) and `identifier` (the
 *   pseudonym), never by the county's server ids; the municipality gets the answer with its own
 *   person reference in place of the pseudonym.
 * - A Task of another request, or about a pseudonym the request does not know, is **unmatched**:
 *   never delivered, reported to the operators.
 * - A Task already delivered is a **duplicate** and changes nothing; so does one that arrives after
 *   the deadline (**late**: the municipality already has the overdue event and decides without it;
 *   the operators see it).
 * - A Task that is not valid FHIR for the request-task profile, or one the hub cannot read, is
 *   **refused** with the validator's findings (element paths and rule keys, never values), on its
 *   own: the rest of the read is taken as if it were not there, and the caller sets it aside as a
 *   dead letter with that reason. The state remembers the digests of the Tasks refused at the last
 *   read, so the same Task read again unchanged is not refused a second time (unless the read is the
 *   recheck of that very one, a redriven dead letter); a new version of it reads as new.
 */
import { createHash } from 'node:crypto';
import type { ConsultationAnsweredV1, ConsultationOverdueV1, CooperationAcceptedV1, CooperationDeclinedV1, CooperationOverdueV1 } from '#contracts/messages/wellbeing';
import { consultationAnswerOf } from '#contracts/wellbeing/fhir/consultation';
import { cooperationReplyOf } from '#contracts/wellbeing/fhir/cooperation';
import { TaskReadError, type RequestTask } from '#contracts/wellbeing/fhir/task';
import { FhirInvalid } from '#contracts/wellbeing/fhir/validate';
import type { PseudonymEntry } from '#contracts/wellbeing/pseudonym';
import { issueText } from '#contracts/issues';
import { messageTypes } from '#contracts/messages/registry';
import type { WellbeingProcess } from '#functions/wellbeing/prepare';

/** What the hub has done for a process so far (kept with it in the correlation table). */
export interface ProcessState {
  /** Pseudonyms whose answer was delivered. */
  readonly delivered: readonly string[];
  readonly overdueRaised: boolean;
  /** Digests of the Tasks refused at the last read (absent: none), each already set aside once. */
  readonly refused?: readonly string[];
}

export const NEW_PROCESS_STATE: ProcessState = Object.freeze({ delivered: [], overdueRaised: false });

export type ReplyMessage =
  | { readonly type: 'wellbeing.consultation.answered.v1'; readonly payload: ConsultationAnsweredV1 }
  | { readonly type: 'wellbeing.cooperation.accepted.v1'; readonly payload: CooperationAcceptedV1 }
  | { readonly type: 'wellbeing.cooperation.declined.v1'; readonly payload: CooperationDeclinedV1 };

export type OverdueMessage =
  | { readonly type: 'wellbeing.consultation.overdue.v1'; readonly payload: ConsultationOverdueV1 }
  | { readonly type: 'wellbeing.cooperation.overdue.v1'; readonly payload: CooperationOverdueV1 };

/** A reply not delivered, and why: for the operators, naming no person (a pseudonym at most). */
export interface SetAside {
  readonly why: 'unmatched' | 'duplicate' | 'late';
  readonly pseudonym: string;
}

/** A Task refused: `reason` is the validator's or reader's finding, paths and rules only. */
export interface Refused {
  readonly code: 'fhir-invalid' | 'task-unreadable';
  readonly reason: string;
  /** The county's id of the Task and its version, when well-formed, and the digest of the Task as read. */
  readonly task: { readonly id?: string; readonly versionId?: string; readonly digest: string };
}

export interface RepliesTaken {
  /** For the municipality's inbox. */
  readonly deliver: readonly ReplyMessage[];
  readonly setAside: readonly SetAside[];
  /** Refused Tasks to set aside now: new ones (and the one rechecked, if still the same). */
  readonly refused: readonly Refused[];
  /** Refused Tasks read again unchanged, already set aside: not again. */
  readonly stillRefused: number;
  readonly state: ProcessState;
}

/**
 * The digest of a Task as read: what "the same Task" means. It covers the whole Task, so a new
 * version (`meta.versionId`, `meta.lastUpdated`) or any change is another; a server returns one
 * stored version the same way every time.
 */
export const taskDigest = (raw: unknown): string => createHash('sha256').update(JSON.stringify(raw) ?? 'undefined').digest('hex');

/** An id as FHIR R4 allows it (`[A-Za-z0-9\-\.]{1,64}`): anything else is left out rather than echoed. */
const fhirIdOf = (value: unknown): string | undefined => (typeof value === 'string' && /^[A-Za-z0-9.-]{1,64}$/.test(value) ? value : undefined);

const refusedTask = (raw: unknown): Refused['task'] => {
  const { id, meta } = (typeof raw === 'object' && raw !== null ? raw : {}) as { id?: unknown; meta?: { versionId?: unknown } };
  const [taskId, versionId] = [fhirIdOf(id), fhirIdOf(meta?.versionId)];
  return { ...(taskId ? { id: taskId } : {}), ...(versionId ? { versionId } : {}), digest: taskDigest(raw) };
};

/** Why a reply does not fit its message's contract (field paths and rules, never values), or undefined. */
function misfitOf(message: ReplyMessage): string | undefined {
  const checked = messageTypes[message.type].payload.safeParse(message.payload);
  return checked.success ? undefined : `the answer does not fit ${message.type}: ${issueText(checked.error)}`;
}

type Reading =
  | { readonly task: RequestTask; readonly message: ((personRef: string) => ReplyMessage) | 'consultation-answer'; readonly answer?: ConsultationAnsweredV1['people'][number] }
  | { readonly task: RequestTask; readonly message: 'pending' };

/** One Task read for the process's kind; throws `FhirInvalid` or `TaskReadError`. */
function read(process: WellbeingProcess, raw: unknown, now: string): Reading {
  if (process.kind === 'consultation') {
    const { task, answer } = consultationAnswerOf(raw);
    return answer ? { task, message: 'consultation-answer', answer: { personRef: '', ...answer.answer } } : { task, message: 'pending' };
  }
  const { task, reply } = cooperationReplyOf(raw);
  const at = task.lastModified ?? now;
  switch (reply.outcome) {
    case 'pending':
      return { task, message: 'pending' };
    case 'accepted':
      return {
        task,
        message: (personRef) => ({
          type: 'wellbeing.cooperation.accepted.v1',
          payload: { county: process.county, personRef, acceptedAt: at, responsible: reply.responsible },
        }),
      };
    case 'declined':
      return {
        task,
        message: (personRef) => ({
          type: 'wellbeing.cooperation.declined.v1',
          payload: {
            county: process.county,
            personRef,
            declinedAt: at,
            reason: reply.reason,
            ...(reply.explanation ? { explanation: reply.explanation } : {}),
          },
        }),
      };
  }
}

/**
 * Takes the Tasks read back for a process at `now` (an ISO timestamp of the hub's clock). A
 * consultation's new answers are delivered together, one message; each cooperation reply is one.
 * `recheck` is the digest of a refused Task whose dead letter was redriven: refused again if it is
 * still there, unchanged.
 */
export function takeReplies(
  process: WellbeingProcess,
  entries: readonly PseudonymEntry[],
  state: ProcessState,
  tasks: readonly unknown[],
  now: string,
  recheck?: string,
): RepliesTaken {
  const personRefOf = new Map(entries.filter((e) => e.requestId === process.requestId).map((e) => [e.pseudonym, e.personRef]));
  const delivered = new Set(state.delivered);
  const late = state.overdueRaised || Date.parse(now) >= Date.parse(process.dueAt);
  const deliver: ReplyMessage[] = [];
  const setAside: SetAside[] = [];
  const refused: Refused[] = [];
  const refusedBefore = new Set(state.refused ?? []);
  const refusedNow: string[] = [];
  let stillRefused = 0;
  const answers: ConsultationAnsweredV1['people'] = [];
  let answeredAt = '';

  const refuse = (raw: unknown, code: Refused['code'], reason: string) => {
    const task = refusedTask(raw);
    refusedNow.push(task.digest);
    if (refusedBefore.has(task.digest) && task.digest !== recheck) stillRefused += 1;
    else refused.push({ code, reason, task });
  };

  for (const raw of tasks) {
    let reading: Reading;
    try {
      reading = read(process, raw, now);
    } catch (error) {
      if (!(error instanceof FhirInvalid) && !(error instanceof TaskReadError)) throw error;
      refuse(raw, error instanceof FhirInvalid ? 'fhir-invalid' : 'task-unreadable', error.message);
      continue;
    }
    const { task } = reading;
    const personRef = task.requestId === process.requestId ? personRefOf.get(task.pseudonym) : undefined;
    if (personRef === undefined) {
      setAside.push({ why: 'unmatched', pseudonym: task.pseudonym });
      continue;
    }
    if (reading.message === 'pending') continue;
    if (delivered.has(task.pseudonym)) {
      setAside.push({ why: 'duplicate', pseudonym: task.pseudonym });
      continue;
    }
    if (late) {
      setAside.push({ why: 'late', pseudonym: task.pseudonym });
      continue;
    }
    // Valid FHIR can still be no answer the municipality's contract takes (a text over its length, a
    // phone number in another form, a date without a time): set aside like an unreadable Task, before
    // anything is marked delivered, so the rest of the read is delivered and this one can be redriven.
    const message: ReplyMessage =
      reading.message === 'consultation-answer'
        ? {
            type: 'wellbeing.consultation.answered.v1',
            payload: { county: process.county, answeredAt: task.lastModified ?? now, people: [{ ...reading.answer!, personRef }] },
          }
        : reading.message(personRef);
    const misfit = misfitOf(message);
    if (misfit) {
      refuse(raw, 'task-unreadable', misfit);
      continue;
    }
    delivered.add(task.pseudonym);
    if (message.type === 'wellbeing.consultation.answered.v1') {
      answers.push(...message.payload.people);
      if (message.payload.answeredAt > answeredAt) answeredAt = message.payload.answeredAt;
    } else {
      deliver.push(message);
    }
  }
  if (answers.length > 0) {
    answers.sort((a, b) => a.personRef.localeCompare(b.personRef));
    deliver.push({ type: 'wellbeing.consultation.answered.v1', payload: { county: process.county, answeredAt, people: answers } });
  }
  const { refused: _before, ...rest } = state;
  return {
    deliver,
    setAside,
    refused,
    stillRefused,
    state: { ...rest, delivered: [...delivered], ...(refusedNow.length > 0 ? { refused: [...new Set(refusedNow)].sort() } : {}) },
  };
}

/**
 * The overdue event of a process at `now`, once: when the deadline has passed and someone is still
 * unanswered. For the municipality's inbox and the operators' queue alike.
 */
export function overdueOf(
  process: WellbeingProcess,
  entries: readonly PseudonymEntry[],
  state: ProcessState,
  now: string,
): { message: OverdueMessage; state: ProcessState } | undefined {
  if (state.overdueRaised || Date.parse(now) < Date.parse(process.dueAt)) return undefined;
  const delivered = new Set(state.delivered);
  const unanswered = entries
    .filter((e) => e.requestId === process.requestId && !delivered.has(e.pseudonym))
    .map((e) => e.personRef)
    .sort();
  if (unanswered.length === 0) return undefined;
  const { county, requestedAt, dueAt } = process;
  const message: OverdueMessage =
    process.kind === 'consultation'
      ? { type: 'wellbeing.consultation.overdue.v1', payload: { county, requestedAt, dueAt, unanswered } }
      : { type: 'wellbeing.cooperation.overdue.v1', payload: { county, personRef: unanswered[0]!, requestedAt, dueAt } };
  return { message, state: { ...state, overdueRaised: true } };
}
