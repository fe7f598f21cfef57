/**
 * The VTJ change poller: for each municipality the hub serves, read VTJ's change feed (VTJmutpa)
 * for the people the municipality follows, from its stored key (`viimeisinKirjausavain`) page by
 * page until VTJ says it is up to date (`ajanTasalla`), and emit every change as canonical person
 * events (`person.moved-in.v1`, `person.moved-out.v1`, `person.changed.v1`).
 *
 * Each change is emitted exactly once — across crashes, restarts and a second poller — without
 * multi-item transactions:
 * 1. an event's id is a function of (municipality, the key its page was read from, the change's
 *    place in the page, the event type), so reading a page again makes the same ids;
 * 2. a page's events are published before the key moves past them, so a crash in between sends
 *    the same ids again, and the next hop drops them as duplicates (its dedupe step);
 * 3. the key moves only by a conditional write from the value the page was read at, so of two
 *    pollers that read the same page only one moves it; the other stops.
 * The first poll of a municipality asks VTJ for the key of the day (`kirjausavain/{date}`) and
 * stores it before reading any page, so following starts then and a crash does not move the start.
 *
 * Nothing here touches AWS: the collaborators (cursor store, follow list, feed, publisher) are
 * passed in; functions/vtj-change-poller/handler.ts wires the real ones.
 */
import type { Envelope } from '#contracts/envelope';
import type { PersonChangeEventV1 } from '#contracts/canonical/person';
import { buildEnvelope, type PayloadOf } from '#contracts/messages/registry';
import { mapVtjChangesByRecord, VTJ_MUTPA_BATCH, type MuutoksetResponse } from '#contracts/vtj/changes';
import { classifyError, PermanentError, type Failure } from '#lib/errors';
import { deterministicUuid } from '#lib/ids';

/** The stage name in the audit log and in the ids of the events. */
export const POLLER_STAGE = 'vtj-change-poller';

/** A page is not started with less time than this left before the deadline. */
export const MIN_PAGE_MS = 1000;

export interface CursorStore {
  /** The key to ask with next, or undefined before the municipality's first poll. */
  read(municipality: string): Promise<number | undefined>;
  /** Moves the key from `from` (undefined: none stored yet) to `to`; false when another poller moved it first. */
  advance(municipality: string, from: number | undefined, to: number): Promise<boolean>;
}

export interface FeedCallOptions {
  /** Epoch milliseconds by which the call must have ended. */
  readonly deadline: number;
}

/** VTJ's change interface, as the poller reads it. */
export interface ChangeFeed {
  /** The key to start from to read the changes recorded on or after `date` (YYYY-MM-DD). */
  startKey(date: string, options: FeedCallOptions): Promise<number>;
  /** One page of the changes after `key` of the people in `hetulista`. */
  changes(key: number, hetulista: readonly string[], options: FeedCallOptions): Promise<MuutoksetResponse>;
}

export type PersonEventType = 'person.moved-in.v1' | 'person.moved-out.v1' | 'person.changed.v1';
export type PersonEventEnvelope = Envelope<PayloadOf<PersonEventType>>;

export interface PollDeps {
  readonly cursors: CursorStore;
  /** The codes a municipality follows (the `hetulista` of its requests). */
  readonly followed: (municipality: string) => Promise<readonly string[]>;
  readonly feed: ChangeFeed;
  /** Sends one page's events, each with its audit record; throws unless every one was accepted. */
  readonly publish: (events: readonly PersonEventEnvelope[]) => Promise<void>;
  readonly clock?: () => Date;
}

export interface PollOptions {
  readonly municipalities: readonly string[];
  /** Epoch milliseconds by which the last call to VTJ must have ended. */
  readonly deadline: number;
}

/**
 * - `up-to-date`: read until VTJ said so;
 * - `more-waiting`: stopped at the deadline, the next poll goes on from the stored key;
 * - `nobody-followed`: the follow list is empty, nothing to ask (the start key is stored all the same);
 * - `superseded`: another poller moved the key first and reads on from there;
 * - `failed`: an error stopped it; the key stays after the last page whose events were all sent.
 */
export type PollOutcome = 'up-to-date' | 'more-waiting' | 'nobody-followed' | 'superseded' | 'failed';

export interface MunicipalityPoll {
  readonly municipality: string;
  readonly outcome: PollOutcome;
  readonly pages: number;
  readonly events: number;
  /** The key stored when the poll began (null: first poll). */
  readonly fromKey: number | null;
  /** The key stored when it ended, as far as this poll knows (null: none could be stored). */
  readonly toKey: number | null;
  /** Code and one line, never personal data. */
  readonly failure?: Failure;
}

export interface PollResult {
  readonly municipalities: readonly MunicipalityPoll[];
  readonly events: number;
}

const MESSAGE_TYPES = {
  'person.moved-in': 'person.moved-in.v1',
  'person.moved-out': 'person.moved-out.v1',
  'person.changed': 'person.changed.v1',
} as const satisfies Record<PersonChangeEventV1['type'], PersonEventType>;

/** Id of the event of `type` made by the change at `index` of the page read from `key`. */
export const personEventId = (municipality: string, key: number, index: number, type: PersonChangeEventV1['type']): string =>
  deterministicUuid(POLLER_STAGE, municipality, String(key), String(index), type);

/**
 * The envelopes of one page, in feed order. Every field is a function of the page, so the same
 * page makes the same envelopes: `occurredAt` is when VTJ recorded the change, and each event
 * starts its own correlation (what it causes downstream is one business matter).
 */
export const pageEvents = (municipality: string, key: number, answer: MuutoksetResponse): PersonEventEnvelope[] =>
  mapVtjChangesByRecord(answer, municipality).flatMap(({ index, events }) =>
    events.map((event) => {
      const messageId = personEventId(municipality, key, index, event.type);
      return buildEnvelope<PersonEventType>(MESSAGE_TYPES[event.type], event, {
        messageId,
        correlationId: deterministicUuid(messageId, 'correlation'),
        causationId: null,
        source: 'vtj',
        target: 'hub',
        municipality,
        occurredAt: event.changedAt,
      });
    }),
  );

const isoDay = (date: Date): string => date.toISOString().slice(0, 10);

interface Progress {
  fromKey: number | null;
  key: number | null;
  pages: number;
  events: number;
}

const pollMunicipality = async (municipality: string, deps: PollDeps, deadline: number, progress: Progress): Promise<PollOutcome> => {
  const clock = deps.clock ?? (() => new Date());
  let key = await deps.cursors.read(municipality);
  progress.fromKey = key ?? null;
  if (key === undefined) {
    const start = await deps.feed.startKey(isoDay(clock()), { deadline });
    // Another poller that stored a start first wins; this one goes on from its key.
    key = (await deps.cursors.advance(municipality, undefined, start)) ? start : await deps.cursors.read(municipality);
    if (key === undefined) throw new Error('the cursor was neither stored nor found');
  }
  progress.key = key;

  const hetulista = await deps.followed(municipality);
  if (hetulista.length === 0) return 'nobody-followed';
  if (hetulista.length > VTJ_MUTPA_BATCH) {
    // One key per municipality is exact only while one request carries the whole list: VTJ may
    // end the pages of two lists at different keys (contracts/vtj/README.md, "How koto-hub polls").
    throw new PermanentError(
      'follow-list-too-long',
      `municipality ${municipality} follows ${hetulista.length} people; one VTJmutpa request carries at most ${VTJ_MUTPA_BATCH}`,
    );
  }

  for (;;) {
    if (deadline - clock().getTime() < MIN_PAGE_MS) return 'more-waiting';
    const answer = await deps.feed.changes(key, hetulista, { deadline });
    progress.pages++;
    const next = answer.viimeisinKirjausavain;
    if (next < key || (next === key && !answer.ajanTasalla)) {
      throw new PermanentError('feed-not-advancing', `VTJmutpa answered key ${next} to a request from key ${key} without being up to date`);
    }
    const events = pageEvents(municipality, key, answer);
    if (events.length > 0) await deps.publish(events);
    progress.events += events.length;
    if (next !== key) {
      if (!(await deps.cursors.advance(municipality, key, next))) return 'superseded';
      key = next;
      progress.key = key;
    }
    if (answer.ajanTasalla) return 'up-to-date';
  }
};

/** Polls each municipality in turn; a failure of one is recorded and the others are polled all the same. */
export const pollChanges = async (deps: PollDeps, options: PollOptions): Promise<PollResult> => {
  const municipalities: MunicipalityPoll[] = [];
  for (const municipality of options.municipalities) {
    const progress: Progress = { fromKey: null, key: null, pages: 0, events: 0 };
    let outcome: PollOutcome;
    let failure: Failure | undefined;
    try {
      outcome = await pollMunicipality(municipality, deps, options.deadline, progress);
    } catch (error) {
      outcome = 'failed';
      failure = classifyError(error);
    }
    municipalities.push({
      municipality,
      outcome,
      pages: progress.pages,
      events: progress.events,
      fromKey: progress.fromKey,
      toKey: progress.key,
      ...(failure ? { failure } : {}),
    });
  }
  return { municipalities, events: municipalities.reduce((sum, m) => sum + m.events, 0) };
};
