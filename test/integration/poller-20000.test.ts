/**
 * Issue #11's acceptance for follow lists of any size, on the real embedded runtime: one
 * municipality follows 20,000 people (the follow list in dynalite's files, or DynamoDB Local's),
 * the VTJ mock behind the stand-in security server records changes for a few thousand of them
 * (some twice) and for people nobody follows, and the poller is triggered with the runtime stopped
 * and started again on the same data folder between polls, once in the middle of catching up.
 *
 * Time is the test's: the scheduler's clock runs ahead of the wall clock when the test says so.
 * Each answer of VTJmutpa takes eight seconds of it while `slowVtj` is on (a latency fault waiting
 * on that clock, which passes at once), so a poll reaches its deadline after a few pages with no
 * real waiting; a jump of thirty days lets a follow lapse.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Envelope } from '#contracts/envelope';
import { makeHetu } from '#contracts/hetu';
import type { PersonChangeEventV1 } from '#contracts/canonical/person';
import { buildDeathChange, buildMoveChange, buildTurvakieltoChange, mapVtjChanges, VTJ_MUTPA_BATCH, type Muutos } from '#contracts/vtj/changes';
import { FOLLOW_DAYS, followListDeps, followPersons } from '#lib/follow-list';
import { wallClock, type RunnerClock } from '#infra/local/runner';
import type { MockClock } from '#mocks/framework/clock';
import { startMocks, type Mocks } from '#mocks/start-mocks';
import { localXRoadPki } from '../support/security-server.ts';
import type { MunicipalityPoll, PollResult } from '#functions/vtj-change-poller/poll-changes';
import { startTestHub, WAIT_FACTOR, type TestHub } from '../support/hub.ts';
import { takeQueued } from '../support/take-queued.ts';

const POPULATION = 'mocks/population/sample.json';
const POLLER = 'vtj-change-poller';
const VAASA = '905';
const FOLLOWED = 20_000;
const DAY_MS = 86_400_000;

/** How far the scheduler's clock is ahead of the wall clock. */
let ahead = 0;
const hubTime: RunnerClock = { now: () => Date.now() + ahead, sleep: wallClock.sleep };
/** The VTJ mock's latencies: they take the hub's time, at once. */
const vtjTime: MockClock = {
  now: hubTime.now,
  sleep: async (ms) => {
    ahead += ms;
  },
};

let mocks: Mocks;
let dataDir: string;
let hub: TestHub;
const followed: string[] = [];
/** Followed long ago and never again: lapses once the clock moves on a month. */
let lapsing: string;
/** Every change appended to the VTJ mock, with whether its person was followed when VTJ recorded it. */
const appended: { readonly change: Muutos; readonly followed: boolean }[] = [];
/** Every event taken off `person-events`. */
const received: Envelope<PersonChangeEventV1>[] = [];

/** People born on consecutive days, a run of individual numbers each: `count` valid, distinct codes. */
const people = (count: number, firstBirthDay: string): string[] => {
  const first = Date.parse(`${firstBirthDay}T00:00:00Z`);
  return Array.from({ length: count }, (_, i) =>
    makeHetu(new Date(first + (i % 3000) * DAY_MS).toISOString().slice(0, 10), 2 + Math.floor(i / 3000)),
  );
};

const start = () => startTestHub({ dataDir, mocks, functions: [POLLER], scheduleSeconds: 0, scheduleClock: hubTime });

const restart = async () => {
  await hub.stop();
  hub = await start();
};

const poll = async (): Promise<MunicipalityPoll> => {
  const result = (await hub.trigger(POLLER)) as PollResult;
  return result.municipalities.find((m) => m.municipality === VAASA)!;
};

const slowVtj = () => mocks.vtj.faults.set([{ route: 'vtj.muutokset', effect: { kind: 'latency', ms: 8_000 } }]);

let minute = 0;
/** A distinct `changedAt` for each change: a change is told apart by its person and this. */
const nextChangedAt = () => new Date(Date.parse('2026-04-01T06:00:00Z') + minute++ * 60_000).toISOString();

const change = (hetu: string, i: number): Muutos => {
  const changedAt = nextChangedAt();
  const on = changedAt.slice(0, 10);
  switch (i % 4) {
    case 0:
      return buildMoveChange({ hetu, from: '049', to: VAASA, on, changedAt });
    case 1:
      return buildMoveChange({ hetu, from: VAASA, to: '091', on, changedAt });
    case 2:
      return buildTurvakieltoChange({ hetu, active: true, changedAt });
    default:
      return buildDeathChange({ hetu, dateOfDeath: on, changedAt });
  }
};

const append = (changes: readonly Muutos[], following: ReadonlySet<string>) => {
  mocks.vtj.appendChange(...changes);
  appended.push(...changes.map((c) => ({ change: c, followed: following.has(c.henkilotunnus) })));
};

/** Takes the `count` events a poll reported from `person-events` (test/support/take-queued.ts). */
const takeEvents = async (count: number): Promise<Envelope<PersonChangeEventV1>[]> => {
  const got = (await takeQueued(hub, 'person-events', count)).map((m) => JSON.parse(m.Body!) as Envelope<PersonChangeEventV1>);
  received.push(...got);
  return got;
};

const describeEvent = (event: PersonChangeEventV1): string => `${event.type} ${event.hetu} ${event.changedAt}`;

/** The events of every change VTJ recorded for a person then followed, by the contract's own mapper. */
const expectedEvents = (): string[] =>
  mapVtjChanges({ viimeisinKirjausavain: 0, ajanTasalla: true, muutokset: appended.filter((a) => a.followed).map((a) => a.change) }, VAASA)
    .map(describeEvent)
    .sort();

beforeAll(async () => {
  mocks = await startMocks(POPULATION, (await localXRoadPki()).identity, 1, { vtj: { timing: vtjTime } });
  dataDir = mkdtempSync(join(tmpdir(), 'koto-hub-poller-20000-'));
  hub = await start();
  followed.push(...people(FOLLOWED, '1950-01-01'));
  lapsing = followed.at(-1)!;
  const deps = { ...followListDeps(), now: () => new Date(hubTime.now()) };
  // The way the flows follow people: a page of them at a time.
  for (let i = 0; i < FOLLOWED - 1; i += 1000) await followPersons(VAASA, followed.slice(i, Math.min(i + 1000, FOLLOWED - 1)), deps);
  await followPersons(VAASA, [lapsing], { ...deps, now: () => new Date(hubTime.now() - (FOLLOW_DAYS - 10) * DAY_MS) });
}, 120_000 * WAIT_FACTOR);

afterAll(async () => {
  await hub?.stop();
  await mocks?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('the VTJ change poller with 20,000 followed people, across restarts of the embedded runtime', () => {
  it('delivers every change of a followed person exactly once, nothing of strangers, in requests of at most 500 codes, and drops a lapsed follow', async () => {
    const following = new Set(followed);
    const strangers = people(400, '1999-01-01');

    // The first poll stores the key of the day and splits the list into shards VTJmutpa accepts.
    expect(await poll()).toMatchObject({ outcome: 'up-to-date', events: 0, shards: 64 });
    expect(await takeEvents(0)).toEqual([]);

    // 2,500 followed people changed, one in five twice, the lapsing one among them; strangers in between.
    const changed = [...followed.filter((_, i) => i % 8 === 3).slice(0, 2499), lapsing];
    const first: Muutos[] = [];
    changed.forEach((hetu, i) => {
      first.push(change(hetu, i));
      if (i % 5 === 0) first.push(change(hetu, i + 1));
      if (i % 10 === 0) first.push(change(strangers[(i / 10) % strangers.length]!, i));
    });
    append(first, following);

    // Stopped and started again between polls; VTJ's answers now take so long that one poll cannot finish.
    await restart();
    slowVtj();
    const stopped = await poll();
    expect(stopped.outcome).toBe('more-waiting');
    expect(stopped.events).toBeGreaterThan(0);
    expect(stopped.events).toBeLessThan(expectedEvents().length);
    await takeEvents(stopped.events);

    // Stopped in the middle of catching up, started again: the next poll goes on from each shard's key.
    await restart();
    mocks.vtj.faults.clear();
    const caughtUp = await poll();
    expect(caughtUp).toMatchObject({ outcome: 'up-to-date', shards: 64 });
    await takeEvents(caughtUp.events);
    expect(received.map((e) => describeEvent(e.payload)).sort()).toEqual(expectedEvents());

    // A month later: the lapsing follow is gone; later changes, of people changed before and not.
    ahead += 30 * DAY_MS;
    following.delete(lapsing);
    const asked = mocks.vtj.changeRequests().length;
    const later = [...changed.slice(0, 300), ...followed.filter((_, i) => i % 8 === 5).slice(0, 300), lapsing].map((hetu, i) => change(hetu, i));
    append([...later, ...strangers.slice(0, 50).map((hetu, i) => change(hetu, i))], following);
    await restart();
    const month = await poll();
    expect(month).toMatchObject({ outcome: 'up-to-date', events: mapVtjChanges({ viimeisinKirjausavain: 0, ajanTasalla: true, muutokset: later.slice(0, -1) }, VAASA).length });
    await takeEvents(month.events);
    const askedSince = mocks.vtj.changeRequests().slice(asked);
    expect(askedSince.length).toBeGreaterThanOrEqual(64);
    expect(askedSince.some((r) => r.hetulista.includes(lapsing))).toBe(false);
    expect(askedSince.reduce((sum, r) => sum + r.hetulista.length, 0)).toBeGreaterThanOrEqual(FOLLOWED - 1);

    // Nothing new: nothing sent.
    expect(await poll()).toMatchObject({ outcome: 'up-to-date', events: 0 });
    expect(await takeEvents(0)).toEqual([]);

    // Overall: each change of a person followed when VTJ recorded it, once, under one id; no stranger.
    expect(received.map((e) => describeEvent(e.payload)).sort()).toEqual(expectedEvents());
    expect(new Set(received.map((e) => e.messageId)).size).toBe(received.length);
    expect(received.some((e) => strangers.includes(e.payload.hetu))).toBe(false);
    // At the mock: every request within VTJmutpa's limit, and the lapsed person asked about before the lapse.
    const requests = mocks.vtj.changeRequests();
    expect(Math.max(...requests.map((r) => r.hetulista.length))).toBeLessThanOrEqual(VTJ_MUTPA_BATCH);
    expect(requests.slice(0, asked).some((r) => r.hetulista.includes(lapsing))).toBe(true);
    expect((await hub.status()).functions.find((f) => f.name === POLLER)).toMatchObject({ errors: 0, timeouts: 0 });
  }, 150_000 * WAIT_FACTOR);
});
