/**
 * The VTJ change poller through the real embedded runtime: the VTJ mock behind the local X-Road
 * security server, the cursor in dynalite's files, the events on local-aws-sqs. Changes delivered
 * across two polls and a restart of the runtime (same data folder, same mocks) are each emitted
 * exactly once; a VTJ fault leaves the cursor where it was and the next poll catches up.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Envelope } from '#contracts/envelope';
import { isValidHetu, makeHetu } from '#contracts/hetu';
import type { PersonChangeEventV1 } from '#contracts/canonical/person';
import { buildDeathChange, buildMoveChange, buildTurvakieltoChange, mapVtjChanges, type Muutos } from '#contracts/vtj/changes';
import { auditKey } from '#lib/audit/key';
import { verifyChain } from '#ops/audit/verify';
import { followListDeps, followPersons } from '#lib/follow-list';
import { startMocks, type Mocks } from '#mocks/start-mocks';
import { loadPopulation } from '#mocks/population-index';
import type { PollResult } from '#functions/vtj-change-poller/poll-changes';
import { startTestHub, type TestHub } from '../support/hub.ts';
import { takeQueued } from '../support/take-queued.ts';
import { localXRoadPki } from '../support/security-server.ts';
import { expectNoPersonalDataIn } from '../support/personal-data.ts';

const POPULATION = 'mocks/population/sample.json';
const POLLER = 'vtj-change-poller';
const VAASA = '905';
const HELSINKI = '091';

interface Received {
  readonly envelope: Envelope<PersonChangeEventV1>;
  readonly parentHop: string | undefined;
  readonly parentDigest: string | undefined;
}

let mocks: Mocks;
let dataDir: string;
let hub: TestHub;
/** Followed people of the sample population, by municipality. */
let follows: Record<string, string[]>;
/** Every change appended to the VTJ mock by this file, in the order VTJ recorded them. */
const appended: Muutos[] = [];
/** Every event taken off `person-events` by this file. */
const received: Received[] = [];

const start = () => startTestHub({ dataDir, mocks, functions: [POLLER], scheduleSeconds: 0 });

const trigger = async (): Promise<PollResult> => (await hub.trigger(POLLER)) as PollResult;

const append = (...changes: Muutos[]) => {
  mocks.vtj.appendChange(...changes);
  appended.push(...changes);
};

/** Takes the `count` events a poll reported from `person-events` (test/support/take-queued.ts). */
const takeEvents = async (count: number): Promise<Received[]> => {
  const got = (await takeQueued(hub, 'person-events', count)).map((m) => ({
    envelope: JSON.parse(m.Body!) as Envelope<PersonChangeEventV1>,
    parentHop: m.MessageAttributes?.['koto.parentHop']?.StringValue,
    parentDigest: m.MessageAttributes?.['koto.parentDigest']?.StringValue,
  }));
  received.push(...got);
  return got;
};

/** The events VTJ's changes so far make for the followed people, by the contract's own mapper. */
const expectedEvents = (): string[] =>
  Object.entries(follows).flatMap(([municipality, hetus]) => {
    const muutokset = appended.filter((change) => hetus.includes(change.henkilotunnus));
    return mapVtjChanges({ viimeisinKirjausavain: 0, ajanTasalla: true, muutokset }, municipality).map(describeEvent);
  });

const describeEvent = (event: PersonChangeEventV1): string => `${event.municipality} ${event.type} ${event.hetu} ${event.changedAt}`;

const cursorOf = async (municipality: string) =>
  (await hub.scan('correlation')).find((item) => item.pk === `VTJ-MUTPA#${municipality}` && item.sk === 'CURSOR')?.viimeisinKirjausavain;

beforeAll(async () => {
  const population = await loadPopulation(POPULATION);
  const living = (municipality: string) =>
    population.persons.filter((p) => p.homeMunicipality === municipality && p.dateOfDeath === null && isValidHetu(p.hetu)).map((p) => p.hetu);
  follows = { [VAASA]: living(VAASA).slice(0, 4), [HELSINKI]: living(HELSINKI).slice(0, 2) };
  mocks = await startMocks(POPULATION, (await localXRoadPki()).identity);
  dataDir = mkdtempSync(join(tmpdir(), 'koto-hub-vtj-poller-'));
  hub = await start();
  for (const [municipality, hetus] of Object.entries(follows)) await followPersons(municipality, hetus, followListDeps());
});

afterAll(async () => {
  await hub?.stop();
  await mocks?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('VTJ change poller through the embedded runtime', () => {
  it('emits every change exactly once across two polls and a restart of the runtime, and nothing when nothing changed', async () => {
    const [a, b, c, d] = follows[VAASA]!;
    const [h1, h2] = follows[HELSINKI]!;
    // Someone nobody follows: VTJ does not answer about them at all.
    const stranger = makeHetu('1990-01-01', 898);

    // The first poll finds where the feed stands today and keeps that as its start.
    const first = await trigger();
    expect(first.events).toBe(0);
    expect(first.municipalities.map((m) => [m.municipality, m.outcome])).toEqual([
      [VAASA, 'up-to-date'],
      [HELSINKI, 'up-to-date'],
      ['837', 'nobody-followed'],
    ]);
    expect(await takeEvents(0)).toEqual([]);

    append(
      buildMoveChange({ hetu: a!, from: '049', to: VAASA, on: '2026-03-01', changedAt: '2026-03-02T08:00:00.000Z' }),
      buildTurvakieltoChange({ hetu: b!, active: true, changedAt: '2026-03-02T09:00:00.000Z' }),
      // Followed by both municipalities' lists: a moved-out for Vaasa, a moved-in for Helsinki.
      buildMoveChange({ hetu: h1!, from: VAASA, to: HELSINKI, on: '2026-03-03', changedAt: '2026-03-03T08:00:00.000Z' }),
    );
    follows[VAASA]!.push(h1!);
    await followPersons(VAASA, [h1!], followListDeps());
    append(buildDeathChange({ hetu: stranger, dateOfDeath: '2026-03-03', changedAt: '2026-03-03T10:00:00.000Z' }));
    const second = await trigger();
    const afterSecond = await takeEvents(second.events);
    // Vaasa: a moved in, b's turvakielto, h1 moved out; Helsinki: h1 moved in.
    expect(afterSecond).toHaveLength(4);
    expect(second.events).toBe(4);
    expect(afterSecond.map((r) => describeEvent(r.envelope.payload)).sort()).toEqual(expectedEvents().sort());

    append(
      buildMoveChange({ hetu: c!, from: VAASA, to: '200', on: '2026-03-05', changedAt: '2026-03-05T08:00:00.000Z' }),
      buildDeathChange({ hetu: h2!, dateOfDeath: '2026-03-06', changedAt: '2026-03-06T10:00:00.000Z' }),
    );
    const third = await trigger();
    expect(third.events).toBe(2);
    expect(await takeEvents(third.events)).toHaveLength(2);
    const keyBeforeRestart = await cursorOf(VAASA);
    expect(keyBeforeRestart).toBe(mocks.vtj.changes().at(-1)!.key);

    // A new runtime on the same data folder, with the same VTJ: the cursor comes back from dynalite's files.
    await hub.stop();
    append(buildMoveChange({ hetu: d!, from: '049', to: VAASA, on: '2026-03-08', changedAt: '2026-03-08T08:00:00.000Z' }));
    hub = await start();
    expect(await cursorOf(VAASA)).toBe(keyBeforeRestart);
    const afterRestart = await trigger();
    expect(afterRestart.municipalities.find((m) => m.municipality === VAASA)).toMatchObject({ fromKey: keyBeforeRestart, events: 1 });
    expect((await takeEvents(afterRestart.events)).map((r) => r.envelope.type)).toEqual(['person.moved-in.v1']);

    const idle = await trigger();
    expect(idle.events).toBe(0);
    expect(await takeEvents(0)).toEqual([]);

    // Overall: every change VTJ recorded for a followed person, once; no id twice.
    expect(received).toHaveLength(7);
    expect(received.map((r) => describeEvent(r.envelope.payload)).sort()).toEqual(expectedEvents().sort());
    expect(new Set(received.map((r) => r.envelope.messageId)).size).toBe(received.length);
    expect(received.some((r) => r.envelope.payload.hetu === stranger)).toBe(false);

    const status = await hub.status();
    expect(status.functions.find((f) => f.name === POLLER)).toMatchObject({ invocations: 2, errors: 0 });
  });

  it('gives each event a root audit record, linked from the message, with the person only as a keyed hash', async () => {
    const key = await auditKey();
    for (const { envelope, parentHop, parentDigest } of received) {
      const records = await hub.auditOf(envelope.correlationId);
      expect(records).toHaveLength(1);
      const [record] = records;
      expect(record).toMatchObject({
        hop: `${envelope.messageId}#${POLLER}`,
        stage: POLLER,
        outcome: 'emitted',
        parentHop: null,
        parentDigest: null,
        source: 'vtj',
        municipality: envelope.municipality,
      });
      expect(record!.subjectHash).toMatch(/^[0-9a-f]{64}$/);
      expect(JSON.stringify(record)).not.toContain(envelope.payload.hetu);
      expect({ parentHop, parentDigest }).toEqual({ parentHop: record!.hop, parentDigest: record!.digest });
      expect(verifyChain(records, key).ok).toBe(true);
    }
  });

  it('leaves the cursor where it was when VTJ answers 503, and the next poll catches up', async () => {
    const [a] = follows[VAASA]!;
    const before = await cursorOf(VAASA);
    append(buildTurvakieltoChange({ hetu: a!, active: false, changedAt: '2026-03-09T08:00:00.000Z' }));
    mocks.vtj.faults.set([{ route: 'vtj.muutokset', effect: { kind: 'status', status: 503 } }]);

    await expect(trigger()).rejects.toThrow(/VTJ change poll failed for 905 \(XRoadFault:[^)]*\), 091/);
    expect(await cursorOf(VAASA)).toBe(before);
    expect(await takeEvents(0)).toEqual([]);

    mocks.vtj.faults.clear();
    const recovered = await trigger();
    expect(recovered.municipalities.find((m) => m.municipality === VAASA)).toMatchObject({ outcome: 'up-to-date', events: 1 });
    expect((await takeEvents(1)).map((r) => [r.envelope.type, r.envelope.payload.hetu])).toEqual([['person.changed.v1', a]]);
    expect(await cursorOf(VAASA)).toBe(mocks.vtj.changes().at(-1)!.key);
    expect((await hub.status()).functions.find((f) => f.name === POLLER)).toMatchObject({ errors: 1 });
  });

  it('writes no personal identity code into any log line (and never needed the scrubber to hide one)', () => {
    const lines = hub.logLines();
    expect(lines.some((line) => line.includes('vtj changes polled'))).toBe(true);
    expectNoPersonalDataIn(lines);
  });
});
