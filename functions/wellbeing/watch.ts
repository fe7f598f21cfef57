/**
 * The wellbeing flow's two schedules (docs/DESIGN.md "Wellbeing services counties"), each at the
 * time its event carries (the scheduler's clock, so a test decides it):
 *
 * - **The reply poller** asks the county adapter to read the answers of every open request, one
 *   `wellbeing.replies.poll.v1` each. A request is read until everyone in it is answered (the
 *   adapter closes it) or until `LATE_READ_DAYS` after its deadline: its late answers are still
 *   recognised as late and shown to the operators, then nothing more is read.
 * - **The overdue watch** raises a request's overdue event at its deadline, once, to the
 *   municipality and to the operators' queue, naming who is unanswered. It reads the processes due
 *   on each of the last `OVERDUE_LOOKBACK_DAYS` days (the correlation table's day index, no scan).
 *   Once: the events' ids are derived from the request, so a second raise (a retried schedule, a
 *   crash before the state was saved) is the same message; the state is saved afterwards, and
 *   later runs raise nothing.
 */
import type { Envelope } from '#contracts/envelope';
import { buildEnvelope, type MessageType, type PayloadOf } from '#contracts/messages/registry';
import { deterministicUuid } from '#lib/ids';
import { overdueOf } from '#functions/wellbeing/replies';
import type { WellbeingStore } from '#functions/wellbeing/store';

export const REPLY_POLLER_STAGE = 'wellbeing-reply-poller';
export const OVERDUE_WATCH_STAGE = 'wellbeing-overdue-watch';

/** Days after its deadline a request's answers are still read (late ones recognised as late). */
export const LATE_READ_DAYS = 7;
/** Days back the overdue watch looks: a schedule missed for less than this still raises every event. */
export const OVERDUE_LOOKBACK_DAYS = 7;

const DAY_MS = 86_400_000;

/** A message the schedule starts: its own root, in the request's correlation. */
const rootMessage = <T extends MessageType>(type: T, payload: PayloadOf<T>, fields: { id: string; requestId: string; municipality: string; target: string; at: string }) =>
  buildEnvelope(type, payload, {
    messageId: fields.id,
    correlationId: fields.requestId,
    causationId: null,
    source: 'hub',
    target: fields.target,
    municipality: fields.municipality,
    occurredAt: fields.at,
  });

export interface PollerDeps {
  readonly store: Pick<WellbeingStore, 'openRequests' | 'close'>;
  /** Sends the polls (with their root audit records) to the county adapter's queue. */
  readonly send: (polls: readonly Envelope[]) => Promise<void>;
}

export async function pollOpenRequests(now: Date, deps: PollerDeps): Promise<{ polled: number; closed: number }> {
  const at = now.toISOString();
  const polls: Envelope[] = [];
  let closed = 0;
  for (const open of await deps.store.openRequests()) {
    if (now.getTime() > Date.parse(open.dueAt) + LATE_READ_DAYS * DAY_MS) {
      await deps.store.close(open.requestId);
      closed += 1;
      continue;
    }
    polls.push(
      rootMessage(
        'wellbeing.replies.poll.v1',
        { polledAt: at },
        { id: deterministicUuid(open.requestId, REPLY_POLLER_STAGE, at), requestId: open.requestId, municipality: open.municipality, target: 'hub', at },
      ),
    );
  }
  if (polls.length > 0) await deps.send(polls);
  return { polled: polls.length, closed };
}

export interface OverdueDeps {
  readonly store: Pick<WellbeingStore, 'dueOn' | 'get' | 'entriesOf' | 'saveState'>;
  /** Sends the events (with their root audit records): to the municipality's inbox, and to the operators' queue. */
  readonly raise: (toMunicipality: readonly Envelope[], toOperators: readonly Envelope[]) => Promise<void>;
}

export async function raiseOverdueRequests(now: Date, deps: OverdueDeps): Promise<number> {
  const at = now.toISOString();
  let raised = 0;
  for (let back = OVERDUE_LOOKBACK_DAYS; back >= 0; back -= 1) {
    const day = new Date(now.getTime() - back * DAY_MS).toISOString().slice(0, 10);
    for (const requestId of await deps.store.dueOn(day)) {
      const stored = await deps.store.get(requestId);
      if (!stored) continue;
      const overdue = overdueOf(stored.process, await deps.store.entriesOf(requestId), stored.state, at);
      if (!overdue) continue;
      const { municipality } = stored.process;
      const { type, payload } = overdue.message;
      const event = (id: string, target: string) => rootMessage(type, payload as never, { id, requestId, municipality, target, at: stored.process.dueAt });
      await deps.raise(
        [event(deterministicUuid(requestId, OVERDUE_WATCH_STAGE, 'municipality'), `municipality:${municipality}`)],
        [event(deterministicUuid(requestId, OVERDUE_WATCH_STAGE, 'operators'), 'hub')],
      );
      // A reply saved meanwhile: the next run reads the new state and raises the same events (kept once) or none.
      if (await deps.store.saveState(requestId, stored.version, overdue.state)) raised += 1;
    }
  }
  return raised;
}
