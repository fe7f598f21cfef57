import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Envelope } from '#contracts/envelope';
import { localTableName } from '#infra/local/dynamodb';
import { queueSpec, type QueueName } from '#infra/topology';
import { RunStore, type RunItem } from '#functions/outreach/run-store';
import { recordPendingCandidate } from '#functions/single-candidates/pending-candidate';
import { recoverOpenWork, recoverRun, type RecoveryDeps } from '#functions/outreach-recovery/recover';
import { describeWait, judgePending, judgeRun, lostAfterSeconds, runWaitsFor } from '#functions/outreach-recovery/waiting-for';
import { outreachRegistersDown } from '#functions/outreach-recovery/deps';
import { startBareDynamo, type BareDynamo } from '../support/bare-dynamo.ts';
import { freshHetu } from '../support/envelopes.ts';

const NOW = Date.parse('2026-11-01T12:00:00Z');
const secondsAgo = (s: number, from = NOW) => new Date(from - s * 1000).toISOString();

const run = (overrides: Partial<RunItem> = {}): RunItem => ({
  runId: 'run-1',
  municipality: '905',
  asOf: '2026-11-01',
  phase: 'deciding',
  pages: { kelmu: { total: 2, received: { '1': true, '2': true } }, uma: { total: 1, received: { '1': true } } },
  expected: 10,
  decided: 7,
  unresolved: 1,
  startedAt: secondsAgo(3600),
  updatedAt: secondsAgo(60),
  ...overrides,
});

/** What the topology says a message on `queue` may take while alive: every receive, and the backlog age of its alarm. */
const aliveFor = (queue: QueueName) => queueSpec(queue).visibilityTimeoutSeconds * queueSpec(queue).maxReceiveCount + queueSpec(queue).maxAgeSeconds;

describe('what a run waits for', () => {
  it('names the first page of each list when no page has arrived', () => {
    const wait = runWaitsFor(run({ phase: 'fetching-lists', expected: null, pages: { kelmu: { total: null, received: {} }, uma: { total: null, received: {} } } }));
    expect(wait).toEqual({ kind: 'list-pages', missing: [{ source: 'kelmu', from: 1, count: 1 }, { source: 'uma', from: 1, count: 1 }] });
  });

  it('names the first gap of a list and how many pages are missing, and nothing of a list that is in', () => {
    const wait = runWaitsFor(
      run({ phase: 'fetching-lists', expected: null, pages: { kelmu: { total: 4, received: { '1': true, '3': true } }, uma: { total: 0, received: { '1': true } } } }),
    );
    expect(wait).toEqual({ kind: 'list-pages', missing: [{ source: 'kelmu', from: 2, count: 2 }] });
    expect(describeWait(wait)).toBe('2 kelmu list pages from page 2');
  });

  it('sees lists that are in while the run never moved on, and a fan-out that never ended', () => {
    expect(runWaitsFor(run({ phase: 'fetching-lists', expected: null }))).toEqual({ kind: 'fan-out', moved: false });
    expect(runWaitsFor(run({ phase: 'starting-lookups', expected: null }))).toEqual({ kind: 'fan-out', moved: true });
  });

  it('counts the decisions outstanding, then waits for the assembly, then for nothing', () => {
    expect(runWaitsFor(run())).toEqual({ kind: 'decisions', outstanding: 2 });
    expect(runWaitsFor(run({ decided: 9 }))).toEqual({ kind: 'assembly' });
    expect(runWaitsFor(run({ phase: 'delivered', decided: 9 }))).toEqual({ kind: 'nothing' });
    expect(runWaitsFor(run({ phase: 'abandoned' }))).toEqual({ kind: 'nothing' });
  });
});

describe('in flight or lost', () => {
  it('waits for lookups as long as their slowest queue may still hand a message over', () => {
    const limit = Math.max(...(['vtj-lookups', 'uma-lookups', 'datastore-lookups', 'outreach-decisions', 'outreach-fanout'] as const).map(aliveFor));
    expect(lostAfterSeconds('decisions')).toBe(limit);
    expect(judgeRun(run({ updatedAt: secondsAgo(limit - 1) }), { now: NOW })).toMatchObject({ lost: false, idleSeconds: limit - 1, lostAfterSeconds: limit });
    expect(judgeRun(run({ updatedAt: secondsAgo(limit) }), { now: NOW })).toMatchObject({ lost: true, idleSeconds: limit });
  });

  it('counts the silence from the last time the work was put back, when that is later than the last progress', () => {
    const limit = lostAfterSeconds('decisions');
    const judged = judgeRun(run({ updatedAt: secondsAgo(limit * 3), recoveredAt: secondsAgo(10) }), { now: NOW });
    expect(judged).toMatchObject({ lost: false, idleSeconds: 10 });
  });

  it('takes everything waited for as lost at once when the queues were just created empty', () => {
    expect(judgeRun(run({ updatedAt: secondsAgo(0) }), { now: NOW, queuesAreNew: true })).toMatchObject({ lost: true, lostAfterSeconds: 0 });
    expect(judgeRun(run({ phase: 'delivered', decided: 9 }), { now: NOW, queuesAreNew: true }).lost).toBe(false);
  });

  it('judges a pending single candidate by the time since it was recorded, and a decided one not at all', () => {
    const limit = lostAfterSeconds('single-decision');
    expect(limit).toBe(Math.max(...(['vtj-lookups', 'uma-lookups', 'datastore-lookups', 'single-decisions'] as const).map(aliveFor)));
    expect(judgePending({ status: 'pending', recordedAt: secondsAgo(limit - 1) }, { now: NOW }).lost).toBe(false);
    expect(judgePending({ status: 'pending', recordedAt: secondsAgo(limit) }, { now: NOW }).lost).toBe(true);
    expect(judgePending({ status: 'decided', recordedAt: secondsAgo(limit * 2) }, { now: NOW }).lost).toBe(false);
  });
});

describe('putting lost work back', () => {
  let dynamo: BareDynamo;
  let now = NOW;
  const table = localTableName('correlation');
  const [runLost, runLists, runMoved, runDecided, runAbandoned] = [randomUUID(), randomUUID(), randomUUID(), randomUUID(), randomUUID()];
  let store: RunStore;
  beforeAll(async () => {
    dynamo = await startBareDynamo();
    store = new RunStore(dynamo.documents, table, () => new Date(now));
  });
  afterAll(async () => dynamo?.close());

  const recovery = (sent: { queue: QueueName; envelope: Envelope }[], municipalities: string[] = []): RecoveryDeps => ({
    store,
    pending: { db: dynamo.documents, table },
    municipalities,
    now: () => now,
    send: async (queue, envelopes) => void sent.push(...envelopes.map((envelope) => ({ queue, envelope }))),
  });

  /** A run in `deciding` with three candidates, one decided; its counters lag (a crash before the count). */
  const decidingRun = async (runId: string) => {
    await store.createRun(runId, '905', '2026-11-01', randomUUID(), 50);
    await store.putPage(runId, 'kelmu', 1, new Map(['a', 'b', 'c'].map((key) => [key, { hetu: `code-${key}`, kelaRows: [] }])));
    await store.recordPage(runId, 'kelmu', 1, 1);
    await store.recordPage(runId, 'uma', 1, 0);
    await store.writeCandidatesOnce(runId, 'fanout', 60_000);
    await store.advance(runId, 'deciding', { expected: 3 });
    await store.decide(runId, 'a', 'NOT_RESIDENT');
  };

  it('leaves work alone while it may be in flight, and puts it back once when it is lost, counters untouched by the putting back', async () => {
    now = NOW;
    await decidingRun(runLost);
    const sent: { queue: QueueName; envelope: Envelope }[] = [];
    expect(await recoverRun(runLost, recovery(sent))).toMatchObject({ action: 'in-flight', wait: { kind: 'decisions', outstanding: 3 } });
    expect(sent).toEqual([]);

    now = NOW + lostAfterSeconds('decisions') * 1000;
    // Two recoveries see the same silence at once (the schedule overlapping a start, say): one puts it back.
    const [first, second] = await Promise.all([recoverRun(runLost, recovery(sent)), recoverRun(runLost, recovery(sent))]);
    expect([first!.action, second!.action].sort()).toEqual(['claimed-elsewhere', 'put-back']);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ queue: 'outreach-fanout', envelope: { type: 'outreach.run.fanout.v1', correlationId: runLost, payload: { after: null, counted: 0 } } });
    // The counters now say what the candidates say (one decided), and nothing was added for the putting back.
    expect(await store.getRun(runLost)).toMatchObject({ decided: 1, unresolved: 0, recoveries: 1, recoveredAt: new Date(now).toISOString() });
    // A decision that arrives twice (the lost lookup was only slow after all) applies once.
    expect((await store.decide(runLost, 'b', 'NOT_RESIDENT')).applied).toBe(true);
    expect((await store.decide(runLost, 'b', 'NOT_RESIDENT')).applied).toBe(false);

    // Right after, the put-back work is in flight: nothing more goes.
    expect(await recoverRun(runLost, recovery(sent))).toMatchObject({ action: 'in-flight' });
    expect(sent).toHaveLength(1);
  });

  it('does not count a register outage as loss: while a breaker is open the lookups wait on their queue, and go back once it closes', async () => {
    const runId = randomUUID();
    now = NOW;
    await decidingRun(runId);
    now = NOW + lostAfterSeconds('decisions') * 1000;
    const sent: { queue: QueueName; envelope: Envelope }[] = [];
    let down: string[] = ['vtj'];
    const deps = { ...recovery(sent), registersDown: async () => down };
    expect(await recoverRun(runId, deps)).toMatchObject({ action: 'register-down', lost: true, wait: { kind: 'decisions' } });
    expect(sent).toEqual([]);
    // An operator's resume still forces it.
    expect(await recoverRun(runId, deps, true)).toMatchObject({ action: 'put-back' });
    expect(sent).toHaveLength(1);
    down = [];
    now += lostAfterSeconds('decisions') * 1000;
    expect(await recoverRun(runId, deps)).toMatchObject({ action: 'put-back' });
    expect(sent).toHaveLength(2);
  });

  it('asks again for the first list page that is missing, with the page size the run asked with', async () => {
    now = NOW;
    await store.createRun(runLists, '091', '2026-11-01', randomUUID(), 25);
    await store.recordPage(runLists, 'uma', 1, 1);
    await store.recordPage(runLists, 'kelmu', 1, 3);
    const sent: { queue: QueueName; envelope: Envelope }[] = [];
    const recovered = await recoverRun(runLists, { ...recovery(sent), queuesAreNew: true });
    expect(recovered).toMatchObject({ action: 'put-back', wait: { kind: 'list-pages', missing: [{ source: 'kelmu', from: 2, count: 2 }] } });
    expect(sent).toEqual([
      {
        queue: 'kelmu-lists',
        envelope: expect.objectContaining({
          type: 'kelmu.list.requested.v1',
          correlationId: runLists,
          municipality: '091',
          payload: { municipality: '091', page: 2, pageSize: 25, replyTo: 'outreach-candidates', context: { runId: runLists }, date: '2026-11-01' },
        }),
      },
    ]);
  });

  it('moves a run whose lists are in on to its fan-out, and assembles a run whose candidates all have an outcome', async () => {
    now = NOW;
    await store.createRun(runMoved, '905', '2026-11-01', randomUUID(), 50);
    await store.recordPage(runMoved, 'kelmu', 1, 1);
    await store.recordPage(runMoved, 'uma', 1, 1);
    await decidingRun(runDecided);
    await store.decide(runDecided, 'b', 'NOT_RESIDENT');
    await store.decide(runDecided, 'c', 'UNRESOLVED');
    const sent: { queue: QueueName; envelope: Envelope }[] = [];
    await recoverRun(runMoved, { ...recovery(sent), queuesAreNew: true });
    await recoverRun(runDecided, { ...recovery(sent), queuesAreNew: true });
    expect(sent.map((s) => [s.queue, s.envelope.correlationId, s.envelope.type])).toEqual([
      ['outreach-fanout', runMoved, 'outreach.run.fanout.v1'],
      ['outreach-results', runDecided, 'outreach.run.decided.v1'],
    ]);
    expect(await store.getRun(runMoved)).toMatchObject({ phase: 'starting-lookups', fanoutBy: sent[0]!.envelope.messageId });
    expect(sent[1]!.envelope.payload).toEqual({ asOf: '2026-11-01', expected: 3, decided: 2, unresolved: 1 });
  });

  it('leaves an abandoned run alone', async () => {
    await decidingRun(runAbandoned);
    expect(await store.abandon(runAbandoned)).toBe(true);
    expect(await store.abandon(runAbandoned)).toBe(false);
    const sent: { queue: QueueName; envelope: Envelope }[] = [];
    expect(await recoverRun(runAbandoned, { ...recovery(sent), queuesAreNew: true })).toMatchObject({ action: 'none' });
    expect(sent).toEqual([]);
    expect(await store.openRuns()).not.toContain(runAbandoned);
  });

  it('puts a lost single candidate’s lookup back as its intake sent it, once per silence', async () => {
    now = NOW;
    const hetu = freshHetu();
    const [correlationId, messageId] = [randomUUID(), randomUUID()];
    const deps = { db: dynamo.documents, table, hashHetu: async (code: string) => `hash-of-${code.length}`, now: () => new Date(now) };
    await recordPendingCandidate(
      { municipality: '837', hetu, origin: 'referral', correlationId, messageId, asOf: '2026-10-30', details: {} },
      deps,
    );
    const sent: { queue: QueueName; envelope: Envelope }[] = [];
    expect((await recoverOpenWork(recovery(sent, ['837']))).singles).toEqual({ putBack: 0, inFlight: 1 });
    now = NOW + lostAfterSeconds('single-decision') * 1000;
    expect((await recoverOpenWork(recovery(sent, ['837']))).singles).toEqual({ putBack: 1, inFlight: 0 });
    expect((await recoverOpenWork(recovery(sent, ['837']))).singles).toEqual({ putBack: 0, inFlight: 1 });
    expect(sent.filter((s) => s.queue === 'vtj-lookups')).toEqual([
      {
        queue: 'vtj-lookups',
        envelope: expect.objectContaining({
          type: 'lookup.requested.v1',
          correlationId,
          municipality: '837',
          payload: {
            hetu,
            asOf: '2026-10-30',
            steps: ['vtj'],
            results: {},
            replyTo: 'single-decisions',
            rules: { municipality: '837', kelaRows: [] },
            context: { origin: 'referral', candidate: 'hash-of-11' },
          },
        }),
      },
    ]);
  });
});

describe('the registers a run waits on', () => {
  it('counts an open or half-open breaker of an outreach register, and none of a county or YA', () => {
    const breakers = new Map([
      ['vtj', { phase: 'closed' as const }],
      ['uma', { phase: 'open' as const }],
      ['kelmu', { phase: 'half-open' as const }],
      ['wellbeing:helsinki', { phase: 'open' as const }],
      ['ya', { phase: 'open' as const }],
      ['kotoaj', { phase: 'open' as const }],
    ]);
    expect(outreachRegistersDown(breakers)).toEqual(['uma', 'kelmu']);
    expect(outreachRegistersDown(new Map([['wellbeing:pohjanmaa', { phase: 'open' as const }]]))).toEqual([]);
  });
});
