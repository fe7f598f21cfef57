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
 * Follow lists of any size. One VTJmutpa request carries at most `VTJ_MUTPA_BATCH` codes, and one key
 * is exact only for one list: VTJ may end the pages of two lists at different keys. So a
 * municipality's follow list is split into shards by the keyed hash of the code (a prefix of its bits:
 * the root shard `''` holds everyone), each read with a key of its own. A shard that outgrows one
 * request is split in two, each half starting at the parent's key, so no change is missed; the
 * parent is frozen first and never read again, so none is read twice. A shard's events carry the
 * shard in their ids (the root's ids are as they always were).
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

/** The longest shard prefix: a shard is split at most this many times deep (2^20 shards of 500). */
export const MAX_SHARD_DEPTH = 20;

/** A page is not started with less time than this left before the deadline. */
export const MIN_PAGE_MS = 1000;

/** A shard of a municipality's follow list: the codes whose keyed hash starts with the bits `shard` (`0`/`1`). */
export interface ShardCursor {
  readonly shard: string;
  readonly key: number;
  /** Split into its two halves: frozen, never read again. */
  readonly split: boolean;
}

export interface CursorStore {
  /** The key to ask with next, or undefined before the municipality's first poll. */
  read(municipality: string, shard?: string): Promise<number | undefined>;
  /**
   * Moves the key of a shard (default the root `''`) from `from` (undefined: none stored yet) to
   * `to`; false when another poller moved it first, or the shard has been split.
   */
  advance(municipality: string, from: number | undefined, to: number, shard?: string): Promise<boolean>;
  /** Every shard stored for the municipality, split or not. */
  shards(municipality: string): Promise<readonly ShardCursor[]>;
  /**
   * Freezes the shard at `key` and stores its two children at that key (those not stored yet: a split
   * interrupted by a crash is finished by calling it again). False when the shard's key is no
   * longer `key` (another poller moved it).
   */
  split(municipality: string, shard: string, key: number): Promise<boolean>;
}

/** The two halves of a shard. */
export const childShards = (shard: string): string[] => [`${shard}0`, `${shard}1`];

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
  /**
   * The codes of a shard of the municipality's follow list (default the root: everyone); it may stop
   * once it has found more than `upTo`, which tells the poller to split the shard.
   */
  readonly followed: (municipality: string, shard: string, upTo: number) => Promise<readonly string[]>;
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
  /** The oldest key of the shards read when the poll began (null: first poll). */
  readonly fromKey: number | null;
  /** The oldest key of the shards read when it ended, as far as this poll knows (null: none could be stored). */
  readonly toKey: number | null;
  /** How many shards of the follow list were read (one until the list outgrows one request). */
  readonly shards: number;
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

/** Id of the event of `type` made by the change at `index` of the page read from `key` for a shard. */
export const personEventId = (municipality: string, key: number, index: number, type: PersonChangeEventV1['type'], shard = ''): string =>
  shard === ''
    ? deterministicUuid(POLLER_STAGE, municipality, String(key), String(index), type)
    : deterministicUuid(POLLER_STAGE, municipality, `shard:${shard}`, String(key), String(index), type);

/**
 * The envelopes of one page, in feed order. Every field is a function of the page, so the same
 * page makes the same envelopes: `occurredAt` is when VTJ recorded the change, and each event
 * starts its own correlation (what it causes downstream is one business matter).
 */
export const pageEvents = (municipality: string, key: number, answer: MuutoksetResponse, shard = ''): PersonEventEnvelope[] =>
  mapVtjChangesByRecord(answer, municipality).flatMap(({ index, events }) =>
    events.map((event) => {
      const messageId = personEventId(municipality, key, index, event.type, shard);
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
  shards: number;
  /** Where each shard read so far stands. */
  readonly shardKeys: Map<string, number>;
}

/** The oldest key of the shards read so far (where the municipality as a whole stands). */
const oldestKey = (progress: Progress): number | null =>
  progress.shardKeys.size > 0 ? Math.min(...progress.shardKeys.values()) : progress.key;

type ShardOutcome = 'up-to-date' | 'more-waiting' | 'superseded';

/** The shards to read, furthest behind first: every stored shard not split, after finishing any split a crash interrupted. */
const leafShards = async (municipality: string, cursors: CursorStore): Promise<ShardCursor[]> => {
  const stored = await cursors.shards(municipality);
  const known = new Set(stored.map((s) => s.shard));
  const leaves = stored.filter((s) => !s.split);
  for (const parent of stored.filter((s) => s.split)) {
    const missing = childShards(parent.shard).filter((child) => !known.has(child));
    if (missing.length === 0) continue;
    await cursors.split(municipality, parent.shard, parent.key);
    leaves.push(...missing.map((shard) => ({ shard, key: parent.key, split: false })));
  }
  // The shard furthest behind first: a poll stopped by its deadline leaves the others for the next.
  return leaves.sort((a, b) => a.key - b.key || a.shard.localeCompare(b.shard));
};

const pollShard = async (
  municipality: string,
  leaf: ShardCursor,
  hetulista: readonly string[],
  deps: PollDeps,
  deadline: number,
  progress: Progress,
): Promise<ShardOutcome> => {
  const clock = deps.clock ?? (() => new Date());
  let key = leaf.key;
  for (;;) {
    if (deadline - clock().getTime() < MIN_PAGE_MS) return 'more-waiting';
    const answer = await deps.feed.changes(key, hetulista, { deadline });
    progress.pages++;
    const next = answer.viimeisinKirjausavain;
    if (next < key || (next === key && !answer.ajanTasalla)) {
      throw new PermanentError('feed-not-advancing', `VTJmutpa answered key ${next} to a request from key ${key} without being up to date`);
    }
    const events = pageEvents(municipality, key, answer, leaf.shard);
    if (events.length > 0) await deps.publish(events);
    progress.events += events.length;
    if (next !== key) {
      if (!(await deps.cursors.advance(municipality, key, next, leaf.shard))) return 'superseded';
      key = next;
      progress.shardKeys.set(leaf.shard, key);
    }
    if (answer.ajanTasalla) return 'up-to-date';
  }
};

const pollMunicipality = async (municipality: string, deps: PollDeps, deadline: number, progress: Progress): Promise<PollOutcome> => {
  const clock = deps.clock ?? (() => new Date());
  let rootKey = await deps.cursors.read(municipality);
  const firstPoll = rootKey === undefined;
  if (rootKey === undefined) {
    const start = await deps.feed.startKey(isoDay(clock()), { deadline });
    // Another poller that stored a start first wins; this one goes on from its key.
    rootKey = (await deps.cursors.advance(municipality, undefined, start)) ? start : await deps.cursors.read(municipality);
    if (rootKey === undefined) throw new Error('the cursor was neither stored nor found');
  }

  const work = await leafShards(municipality, deps.cursors);
  const startKey = work.length > 0 ? Math.min(...work.map((leaf) => leaf.key)) : rootKey;
  progress.fromKey = firstPoll ? null : startKey;
  progress.key = startKey;
  let followedAnyone = false;
  let waiting = false;
  let superseded = false;
  while (work.length > 0) {
    const leaf = work.shift()!;
    const hetulista = await deps.followed(municipality, leaf.shard, VTJ_MUTPA_BATCH);
    if (hetulista.length > VTJ_MUTPA_BATCH) {
      // 2^20 shards of 500 hold more people than Finland has: a list still too long there is broken.
      if (leaf.shard.length >= MAX_SHARD_DEPTH) {
        throw new PermanentError('follow-list-too-long', `shard ${leaf.shard} of municipality ${municipality} still holds over ${VTJ_MUTPA_BATCH} people`);
      }
      // Too many for one request: its children, each at this shard's key, take over.
      if (!(await deps.cursors.split(municipality, leaf.shard, leaf.key))) {
        superseded = true;
        continue;
      }
      work.unshift(...childShards(leaf.shard).map((shard) => ({ shard, key: leaf.key, split: false })));
      continue;
    }
    if (hetulista.length === 0) continue;
    followedAnyone = true;
    progress.shards++;
    progress.shardKeys.set(leaf.shard, leaf.key);
    const outcome = await pollShard(municipality, leaf, hetulista, deps, deadline, progress);
    if (outcome === 'superseded') superseded = true;
    if (outcome === 'more-waiting') {
      waiting = true;
      break;
    }
  }
  if (!followedAnyone) return 'nobody-followed';
  return waiting ? 'more-waiting' : superseded ? 'superseded' : 'up-to-date';
};

/** Polls each municipality in turn; a failure of one is recorded and the others are polled all the same. */
export const pollChanges = async (deps: PollDeps, options: PollOptions): Promise<PollResult> => {
  const municipalities: MunicipalityPoll[] = [];
  for (const municipality of options.municipalities) {
    const progress: Progress = { fromKey: null, key: null, pages: 0, events: 0, shards: 0, shardKeys: new Map() };
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
      toKey: oldestKey(progress),
      shards: progress.shards,
      ...(failure ? { failure } : {}),
    });
  }
  return { municipalities, events: municipalities.reduce((sum, m) => sum + m.events, 0) };
};
