/**
 * The VTJ change poller's logic (functions/vtj-change-poller/poll-changes.ts) against small
 * in-memory fakes of its collaborators: a change feed that pages like VTJmutpa, a cursor store with
 * conditional writes, a follow list, and a publisher that remembers what it sent.
 */
import { createHash } from 'node:crypto';
import { hashInShard, shardHashRange } from '#lib/follow-list';
import { describe, expect, it } from 'vitest';
import { containsHetuShape, makeHetu } from '#contracts/hetu';
import { parseEnvelope, subjectOf } from '#contracts/messages/registry';
import { buildDeathChange, buildMoveChange, buildTurvakieltoChange, VTJ_MUTPA_BATCH, type MuutoksetResponse, type Muutos } from '#contracts/vtj/changes';
import { XRoadFault } from '#contracts/xroad/errors';
import {
  childShards,
  pageEvents,
  pollChanges,
  type ChangeFeed,
  type CursorStore,
  type PersonEventEnvelope,
  type PollDeps,
  type ShardCursor,
} from '#functions/vtj-change-poller/poll-changes';

const VAASA = '905';
const HELSINKI = '091';
const FIRST_KEY = 500;
const TODAY = new Date('2026-03-10T06:00:00.000Z');

let serial = 200;
const person = (): string => makeHetu('1988-07-21', serial++);

/** `count` distinct valid codes, 800 per birth date from `firstBirthDate` on. */
const manyPeople = (count: number, firstBirthDate: string): string[] =>
  Array.from({ length: count }, (_, i) => {
    const born = new Date(`${firstBirthDate}T00:00:00Z`);
    born.setUTCDate(born.getUTCDate() + Math.floor(i / 800));
    return makeHetu(born.toISOString().slice(0, 10), 2 + (i % 800));
  });

/** VTJmutpa in memory: a log of changes with keys; pages end after `pageSize` changes of the listed people. */
class FakeFeed implements ChangeFeed {
  readonly log: { key: number; change: Muutos }[] = [];
  readonly requests: { key: number; hetulista: readonly string[] }[] = [];
  /** Errors thrown by `changes`, by the number of the call (from 1). */
  readonly faults = new Map<number, Error>();
  /** A key to answer instead of the real one (a misbehaving service). */
  stuckAt: number | undefined;

  constructor(private readonly pageSize = 100) {}

  append(...changes: Muutos[]): void {
    for (const change of changes) this.log.push({ key: (this.log.at(-1)?.key ?? FIRST_KEY) + 1, change });
  }

  async startKey(date: string): Promise<number> {
    const first = this.log.find((entry) => entry.change.muutospv.slice(0, 10) >= date);
    return first ? first.key - 1 : (this.log.at(-1)?.key ?? FIRST_KEY);
  }

  async changes(key: number, hetulista: readonly string[]): Promise<MuutoksetResponse> {
    this.requests.push({ key, hetulista });
    const fault = this.faults.get(this.requests.length);
    if (fault) throw fault;
    const wanted = new Set(hetulista);
    const muutokset: Muutos[] = [];
    let last = key;
    for (const entry of this.log.filter((e) => e.key > key)) {
      if (muutokset.length >= this.pageSize) break;
      last = entry.key;
      if (wanted.has(entry.change.henkilotunnus)) muutokset.push(entry.change);
    }
    const newest = this.log.at(-1)?.key ?? FIRST_KEY;
    if (this.stuckAt !== undefined) return { viimeisinKirjausavain: this.stuckAt, ajanTasalla: false, muutokset };
    return { viimeisinKirjausavain: last, ajanTasalla: last >= newest, muutokset };
  }
}

/** A cursor table: one key per municipality and shard, moved only from the value it holds. */
class FakeCursors implements CursorStore {
  /** By municipality for the root shard, `<municipality>#<shard>` for the others. */
  readonly keys = new Map<string, number>();
  readonly frozen = new Set<string>();
  readonly moves: { municipality: string; from: number | undefined; to: number; shard?: string }[] = [];
  /** Errors thrown by the next calls to `advance` (a crash between publishing and moving the key). */
  readonly failures: Error[] = [];
  /** Errors thrown by `split` after it froze the shard and stored this many children (a crash mid-split). */
  crashSplitAfterChildren: number | undefined;
  /** Runs just before a move: what another poller does at that moment. */
  beforeMove: ((municipality: string) => void) | undefined;

  private id = (municipality: string, shard: string) => (shard === '' ? municipality : `${municipality}#${shard}`);

  async read(municipality: string, shard = ''): Promise<number | undefined> {
    return this.keys.get(this.id(municipality, shard));
  }

  async advance(municipality: string, from: number | undefined, to: number, shard = ''): Promise<boolean> {
    const failure = this.failures.shift();
    if (failure) throw failure;
    this.beforeMove?.(municipality);
    const id = this.id(municipality, shard);
    if (this.keys.get(id) !== from || this.frozen.has(id)) return false;
    this.keys.set(id, to);
    this.moves.push({ municipality, from, to, ...(shard === '' ? {} : { shard }) });
    return true;
  }

  async shards(municipality: string): Promise<ShardCursor[]> {
    return [...this.keys]
      .filter(([id]) => id === municipality || id.startsWith(`${municipality}#`))
      .map(([id, key]) => ({ shard: id === municipality ? '' : id.slice(municipality.length + 1), key, split: this.frozen.has(id) }));
  }

  async split(municipality: string, shard: string, key: number): Promise<boolean> {
    const id = this.id(municipality, shard);
    if (this.keys.get(id) !== key) return false;
    this.frozen.add(id);
    let stored = 0;
    for (const child of childShards(shard)) {
      if (this.crashSplitAfterChildren !== undefined && stored === this.crashSplitAfterChildren) {
        this.crashSplitAfterChildren = undefined;
        throw new Error('the process died mid-split');
      }
      const childId = this.id(municipality, child);
      if (!this.keys.has(childId)) this.keys.set(childId, key);
      stored++;
    }
    return true;
  }
}

class FakePublisher {
  readonly sent: PersonEventEnvelope[] = [];
  readonly failures: Error[] = [];

  readonly publish = async (events: readonly PersonEventEnvelope[]): Promise<void> => {
    const failure = this.failures.shift();
    if (failure) throw failure;
    this.sent.push(...events);
  };

  /** What the next hop keeps after dropping the ids it has seen: every distinct message once. */
  distinct(): PersonEventEnvelope[] {
    return [...new Map(this.sent.map((e) => [e.messageId, e])).values()];
  }
}

/** Stands in for the keyed hash a follow list is sharded by. */
const hashes = new Map<string, string>();
const fakeHash = (hetu: string): string => {
  let hash = hashes.get(hetu);
  if (hash === undefined) hashes.set(hetu, (hash = createHash('sha256').update(hetu).digest('hex')));
  return hash;
};

const setup = (init: { pageSize?: number; follows?: Record<string, string[]>; failingFollowLists?: readonly string[] } = {}) => {
  const failingFollowLists = new Set(init.failingFollowLists ?? []);
  const feed = new FakeFeed(init.pageSize);
  const cursors = new FakeCursors();
  const publisher = new FakePublisher();
  const follows = init.follows ?? {};
  let now = TODAY;
  const deps: PollDeps = {
    cursors,
    feed,
    followed: async (municipality, shard = '') => {
      if (failingFollowLists.has(municipality)) throw new Error('the follow list could not be read');
      return (follows[municipality] ?? []).filter((hetu) => hashInShard(fakeHash(hetu), shard));
    },
    publish: publisher.publish,
    clock: () => now,
  };
  const poll = (municipalities: readonly string[] = [VAASA], deadline = TODAY.getTime() + 60_000) =>
    pollChanges(deps, { municipalities, deadline });
  return { feed, cursors, publisher, deps, poll, setNow: (date: Date) => (now = date) };
};

const moveIn = (hetu: string, on: string) => buildMoveChange({ hetu, from: '049', to: VAASA, on, changedAt: `${on}T08:00:00.000Z` });
const moveOut = (hetu: string, on: string) => buildMoveChange({ hetu, from: VAASA, to: HELSINKI, on, changedAt: `${on}T09:00:00.000Z` });

describe('VTJ change poller', () => {
  it('starts at the key of the day on its first poll and stores it, reading nothing recorded before', async () => {
    const amina = person();
    const { feed, cursors, publisher, poll } = setup({ follows: { [VAASA]: [amina] } });
    feed.append(moveIn(amina, '2026-03-01'));

    const first = await poll();
    expect(first.municipalities).toEqual([
      { municipality: VAASA, outcome: 'up-to-date', pages: 1, events: 0, fromKey: null, toKey: FIRST_KEY + 1, shards: 1 },
    ]);
    expect(cursors.moves[0]).toEqual({ municipality: VAASA, from: undefined, to: FIRST_KEY + 1 });
    expect(publisher.sent).toEqual([]);
  });

  it('emits each change once, as canonical person events in feed order, and moves the key past them', async () => {
    const [amina, bilal, chen] = [person(), person(), person()];
    const stranger = person();
    const { feed, cursors, publisher, poll } = setup({ follows: { [VAASA]: [amina, bilal, chen] } });
    await poll();
    feed.append(
      moveIn(amina, '2026-03-11'),
      moveOut(bilal, '2026-03-12'),
      moveIn(stranger, '2026-03-12'),
      buildTurvakieltoChange({ hetu: chen, active: true, changedAt: '2026-03-12T10:00:00.000Z' }),
      buildDeathChange({ hetu: amina, dateOfDeath: '2026-03-13', changedAt: '2026-03-13T10:00:00.000Z' }),
    );

    const result = await poll();
    expect(result.events).toBe(4);
    expect(publisher.sent.map((e) => [e.type, e.payload.hetu])).toEqual([
      ['person.moved-in.v1', amina],
      ['person.moved-out.v1', bilal],
      ['person.changed.v1', chen],
      ['person.changed.v1', amina],
    ]);
    expect(cursors.keys.get(VAASA)).toBe(FIRST_KEY + 5);
    for (const envelope of publisher.sent) {
      expect(parseEnvelope(envelope)).toMatchObject({ ok: true });
      expect(envelope).toMatchObject({ causationId: null, source: 'vtj', target: 'hub', municipality: VAASA, occurredAt: envelope.payload.changedAt });
      expect(subjectOf(envelope)).toBe(envelope.payload.hetu);
    }

    const again = await poll();
    expect(again.municipalities[0]).toMatchObject({ outcome: 'up-to-date', events: 0, fromKey: FIRST_KEY + 5, toKey: FIRST_KEY + 5 });
    expect(publisher.sent).toHaveLength(4);
  });

  it('reads page after page until VTJ is up to date, moving the key after each page', async () => {
    const followed = [person(), person()];
    const { feed, cursors, publisher, poll } = setup({ pageSize: 2, follows: { [VAASA]: followed } });
    await poll();
    for (let day = 11; day <= 15; day++) feed.append(moveIn(followed[day % 2]!, `2026-03-${day}`));

    const result = await poll();
    expect(result.municipalities[0]).toMatchObject({ outcome: 'up-to-date', pages: 3, events: 5 });
    expect(cursors.moves.slice(1).map((m) => m.to)).toEqual([FIRST_KEY + 2, FIRST_KEY + 4, FIRST_KEY + 5]);
    expect(new Set(publisher.sent.map((e) => e.messageId)).size).toBe(5);
  });

  it('sends the same ids again after a crash between publishing a page and moving the key, so the next hop drops them', async () => {
    const [amina, bilal] = [person(), person()];
    const { feed, cursors, publisher, poll } = setup({ pageSize: 1, follows: { [VAASA]: [amina, bilal] } });
    await poll();
    feed.append(moveIn(amina, '2026-03-11'), moveIn(bilal, '2026-03-12'));
    cursors.failures.push(new Error('the process died'));

    const crashed = await poll();
    expect(crashed.municipalities[0]).toMatchObject({ outcome: 'failed', events: 1, toKey: FIRST_KEY });
    expect(cursors.keys.get(VAASA)).toBe(FIRST_KEY);

    await poll();
    expect(publisher.sent.map((e) => e.payload.hetu)).toEqual([amina, amina, bilal]);
    expect(publisher.sent[0]).toEqual(publisher.sent[1]);
    expect(publisher.distinct().map((e) => e.payload.hetu)).toEqual([amina, bilal]);
    expect(cursors.keys.get(VAASA)).toBe(FIRST_KEY + 2);
  });

  it('leaves the key where it was when publishing fails, and the next poll sends the page', async () => {
    const amina = person();
    const { feed, cursors, publisher, poll } = setup({ follows: { [VAASA]: [amina] } });
    await poll();
    feed.append(moveIn(amina, '2026-03-11'));
    publisher.failures.push(new Error('SQS is unavailable'));

    const failed = await poll();
    expect(failed.municipalities[0]).toMatchObject({ outcome: 'failed', events: 0, failure: { kind: 'transient' } });
    expect(cursors.keys.get(VAASA)).toBe(FIRST_KEY);
    await poll();
    expect(publisher.sent.map((e) => e.type)).toEqual(['person.moved-in.v1']);
    expect(cursors.keys.get(VAASA)).toBe(FIRST_KEY + 1);
  });

  it('keeps the key after the last whole page when VTJ fails mid-way, and catches up on the next poll', async () => {
    const followed = [person(), person(), person()];
    const { feed, cursors, publisher, poll } = setup({ pageSize: 1, follows: { [VAASA]: followed } });
    await poll();
    feed.append(...followed.map((hetu, i) => moveIn(hetu, `2026-03-1${i + 1}`)));
    // The first page is read, the second answers 503.
    feed.faults.set(feed.requests.length + 2, new XRoadFault({ faultCode: 'Server.ServerProxy.ServiceFailed', source: 'http', httpStatus: 503, service: 'VTJmutpa' }));

    const failed = await poll();
    expect(failed.municipalities[0]).toMatchObject({
      outcome: 'failed',
      pages: 1,
      events: 1,
      toKey: FIRST_KEY + 1,
      failure: { kind: 'transient', code: 'XRoadFault:Server.ServerProxy.ServiceFailed' },
    });
    expect(cursors.keys.get(VAASA)).toBe(FIRST_KEY + 1);

    const caughtUp = await poll();
    expect(caughtUp.municipalities[0]).toMatchObject({ outcome: 'up-to-date', events: 2 });
    expect(publisher.sent.map((e) => e.payload.hetu)).toEqual(followed);
  });

  it('stops when another poller moved the key first, without moving it a second time', async () => {
    const amina = person();
    const { feed, cursors, publisher, poll } = setup({ follows: { [VAASA]: [amina] } });
    await poll();
    feed.append(moveIn(amina, '2026-03-11'));
    // The other poller read the same page and moved the key just before this one.
    cursors.beforeMove = (municipality) => {
      cursors.keys.set(municipality, FIRST_KEY + 1);
      cursors.beforeMove = undefined;
    };

    const result = await poll();
    expect(result.municipalities[0]).toMatchObject({ outcome: 'superseded', events: 1 });
    expect(cursors.moves).toHaveLength(1);
    expect(cursors.keys.get(VAASA)).toBe(FIRST_KEY + 1);
    // Both pollers made the same envelope from the same page: the next hop keeps one.
    expect(publisher.sent[0]!.messageId).toBe(pageEvents(VAASA, FIRST_KEY, await feed.changes(FIRST_KEY, [amina]))[0]!.messageId);
  });

  it('makes the same envelopes from the same page, and different ids for another municipality or page', async () => {
    const amina = person();
    const feed = new FakeFeed();
    feed.append(moveIn(amina, '2026-03-11'), buildDeathChange({ hetu: amina, dateOfDeath: '2026-03-12', changedAt: '2026-03-12T10:00:00.000Z' }));
    const page = await feed.changes(FIRST_KEY, [amina]);
    expect(pageEvents(VAASA, FIRST_KEY, page)).toEqual(pageEvents(VAASA, FIRST_KEY, structuredClone(page)));
    const ids = (municipality: string, key: number) => pageEvents(municipality, key, page).map((e) => e.messageId);
    const all = [...ids(VAASA, FIRST_KEY), ...ids(HELSINKI, FIRST_KEY), ...ids(VAASA, FIRST_KEY + 1)];
    expect(new Set(all).size).toBe(all.length);
    for (const envelope of pageEvents(VAASA, FIRST_KEY, page)) expect(envelope.correlationId).not.toBe(envelope.messageId);
  });

  it('stores the start key but asks VTJ nothing while a municipality follows nobody', async () => {
    const { feed, cursors, poll } = setup();
    const result = await poll();
    expect(result.municipalities[0]).toMatchObject({ outcome: 'nobody-followed', pages: 0, toKey: FIRST_KEY });
    expect(cursors.keys.get(VAASA)).toBe(FIRST_KEY);
    expect(feed.requests).toEqual([]);
  });

  it('polls every municipality with its own key and list, and one that fails does not stop the others', async () => {
    const [amina, bilal] = [person(), person()];
    const { feed, cursors, publisher, poll } = setup({ follows: { [VAASA]: [amina], [HELSINKI]: [bilal], '837': [person()] }, failingFollowLists: ['837'] });
    await poll([VAASA, HELSINKI, '837']);
    feed.append(moveOut(amina, '2026-03-11'), buildMoveChange({ hetu: bilal, from: VAASA, to: HELSINKI, on: '2026-03-12' }));

    const result = await poll([VAASA, HELSINKI, '837']);
    expect(result.municipalities.map((m) => [m.municipality, m.outcome, m.events])).toEqual([
      [VAASA, 'up-to-date', 1],
      [HELSINKI, 'up-to-date', 1],
      ['837', 'failed', 0],
    ]);
    expect(result.municipalities[2]!.failure).toMatchObject({ kind: 'transient' });
    expect(publisher.sent.map((e) => [e.municipality, e.type])).toEqual([
      [VAASA, 'person.moved-out.v1'],
      [HELSINKI, 'person.moved-in.v1'],
    ]);
    expect(cursors.keys.get(VAASA)).toBe(FIRST_KEY + 2);
    expect(cursors.keys.get(HELSINKI)).toBe(FIRST_KEY + 2);
  });

  describe('follow lists of any size', () => {
    it('reads a shard as the leading bits of the keyed hash', () => {
      expect(hashInShard('a3f0', '')).toBe(true);
      expect(hashInShard('a3f0', '1010')).toBe(true);
      expect(hashInShard('a3f0', '101000')).toBe(true);
      expect(hashInShard('a3f0', '101001')).toBe(false);
      expect(hashInShard('a3f0', '0')).toBe(false);
    });

    it('reads a shard as one range of sort keys that holds exactly the hashes beginning with its bits', () => {
      expect(shardHashRange('')).toEqual({ from: '', to: '~' });
      expect(shardHashRange('101')).toEqual({ from: 'a', to: 'b~' });
      expect(shardHashRange('010111')).toEqual({ from: '5c', to: '5f~' });
      const hashes = Array.from({ length: 2000 }, (_, i) => createHash('sha256').update(String(i)).digest('hex'));
      for (const shard of ['', '0', '1', '011', '1010', '10100', '0101110', '11111111', '000000001']) {
        const { from, to } = shardHashRange(shard);
        const inRange = hashes.filter((hash) => hash >= from && hash <= to);
        expect(inRange, shard).toEqual(hashes.filter((hash) => hashInShard(hash, shard)));
      }
    });

    it('follows 20,000 people in requests VTJmutpa accepts, and delivers every change exactly once across stops, a crash mid-split and restarts', async () => {
      const followed = manyPeople(20_000, '1960-01-01');
      const strangers = manyPeople(300, '1999-01-01');
      const { feed, cursors, publisher, deps, setNow } = setup({ pageSize: 40, follows: { [VAASA]: followed } });
      // Each request to VTJ takes a second of (virtual) time, so a poll with a short deadline stops part-way.
      let now = TODAY.getTime();
      const changes = feed.changes.bind(feed);
      feed.changes = async (key, hetulista) => {
        now += 1000;
        setNow(new Date(now));
        return changes(key, hetulista);
      };
      const pollFor = (seconds: number) => pollChanges(deps, { municipalities: [VAASA], deadline: now + seconds * 1000 });

      // The first poll stores the start key and splits the list, but dies having stored one of the two halves.
      cursors.crashSplitAfterChildren = 1;
      expect((await pollFor(600)).municipalities[0]).toMatchObject({ outcome: 'failed' });
      // Changes of 3,000 followed people (some twice) and of people nobody follows, interleaved.
      const changed = followed.filter((_, i) => i % 7 === 0).slice(0, 3000);
      const appended: Muutos[] = [];
      changed.forEach((hetu, i) => {
        appended.push(moveOut(hetu, `2026-04-${String(1 + (i % 28)).padStart(2, '0')}`));
        if (i % 10 === 0) appended.push(buildDeathChange({ hetu, dateOfDeath: '2026-05-02', changedAt: `2026-05-03T10:${String(i % 60).padStart(2, '0')}:00.000Z` }));
        if (i % 10 === 0) appended.push(moveIn(strangers[i % strangers.length]!, '2026-04-15'));
      });
      feed.append(...appended);

      const outcomes: string[] = [];
      for (let restart = 0; restart < 20; restart++) {
        const result = await pollFor(90);
        outcomes.push(result.municipalities[0]!.outcome);
        if (result.municipalities[0]!.outcome === 'up-to-date') break;
      }
      expect(outcomes).toContain('more-waiting');
      expect(outcomes.at(-1)).toBe('up-to-date');

      // Later changes are read from where each shard stands.
      const later = changed.slice(0, 200).map((hetu) => buildTurvakieltoChange({ hetu, active: true, changedAt: '2026-06-01T10:00:00.000Z' }));
      feed.append(...later);
      expect((await pollFor(600)).municipalities[0]).toMatchObject({ outcome: 'up-to-date', shards: 64 });

      expect(Math.max(...feed.requests.map((r) => r.hetulista.length))).toBeLessThanOrEqual(VTJ_MUTPA_BATCH);
      const distinct = publisher.distinct();
      const expected = [...appended, ...later].filter((c) => !strangers.includes(c.henkilotunnus));
      const key = (hetu: string, at: string) => `${hetu}@${at}`;
      const delivered = distinct.map((e) => key(e.payload.hetu, e.payload.changedAt));
      expect(new Set(delivered).size, 'a change was delivered twice under different ids').toBe(delivered.length);
      expect(new Set(delivered)).toEqual(new Set(expected.map((c) => key(c.henkilotunnus, c.muutospv))));
      expect(distinct.some((e) => strangers.includes(e.payload.hetu))).toBe(false);
    });

    it('splits a shard that outgrows one request in two, each half starting at its key, and asks nothing of the frozen parent', async () => {
      const followed = Array.from({ length: VTJ_MUTPA_BATCH + 1 }, () => person());
      const { feed, cursors, poll } = setup({ follows: { [VAASA]: followed } });
      await poll();
      expect((await cursors.shards(VAASA)).map((s) => [s.shard, s.key, s.split])).toEqual([
        ['', FIRST_KEY, true],
        ['0', FIRST_KEY, false],
        ['1', FIRST_KEY, false],
      ]);
      expect(childShards('01')).toEqual(['010', '011']);
      expect(feed.requests.every((r) => r.hetulista.length <= VTJ_MUTPA_BATCH)).toBe(true);
      expect(new Set(feed.requests.flatMap((r) => r.hetulista)).size).toBe(followed.length);
      expect(await cursors.advance(VAASA, FIRST_KEY, FIRST_KEY + 1)).toBe(false);
    });
  });

  it('starts no page once the deadline is near, leaving the rest for the next poll', async () => {
    const amina = person();
    const { feed, cursors, poll, setNow } = setup({ follows: { [VAASA]: [amina] } });
    await poll();
    feed.append(moveIn(amina, '2026-03-11'));
    setNow(new Date(TODAY.getTime() + 59_500));
    const result = await poll();
    expect(result.municipalities[0]).toMatchObject({ outcome: 'more-waiting', pages: 0 });
    expect(cursors.keys.get(VAASA)).toBe(FIRST_KEY);
  });

  it('fails, without looping, when VTJ says more is waiting but does not move its key', async () => {
    const amina = person();
    const { feed, cursors, poll } = setup({ follows: { [VAASA]: [amina] } });
    await poll();
    feed.stuckAt = FIRST_KEY;
    const result = await poll();
    expect(result.municipalities[0]).toMatchObject({ outcome: 'failed', pages: 1, failure: { code: 'feed-not-advancing' } });
    expect(cursors.keys.get(VAASA)).toBe(FIRST_KEY);
  });

  it('names no personal identity code in a failure, even when VTJ answers a change that breaks the contract', async () => {
    const amina = person();
    const { feed, poll } = setup({ follows: { [VAASA]: [amina] } });
    await poll();
    // A corrected identity code that is not one: the change maps to no valid canonical event.
    feed.append({
      muutospv: '2026-03-12T10:00:00.000Z',
      henkilotunnus: amina,
      tietoryhmat: [
        { tietoryhma: 'HENKILOTUNNUS_KORJAUS', muutosattribuutti: 'LISATTY', voimassaolo: 'AKTIIVI', muutettuHenkilotunnus: amina, aktiivinenHenkilotunnus: '131052-308X' },
      ],
    });
    const result = await poll();
    expect(result.municipalities[0]!.failure).toMatchObject({ kind: 'permanent', code: 'VtjContractError:schema' });
    expect(result.municipalities[0]!.failure!.reason).toContain('activeHetu');
    expect(containsHetuShape(JSON.stringify(result))).toBe(false);
  });
});
