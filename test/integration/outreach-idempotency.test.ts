/**
 * An outreach run is idempotent end to end, through the real embedded runtime: SQS may hand any
 * message over twice (at least once delivery), a message may be put back on its queue long after,
 * and an operator may run the same run id again. None of it may change the result, the run's
 * counters or what the registers are asked. Expectations come from test/support/outreach-oracle.ts.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutreachResult } from '#contracts/outreach-result';
import type { FixturePopulation } from '#contracts/population';
import { consumerOf } from '#infra/topology';
import { eventually, startTestHub, type TestHub } from '../support/hub.ts';
import { inboxEnvelopes } from '../support/inbox.ts';
import { expectNoPersonalDataIn, personalDataOf } from '../support/personal-data.ts';
import { expectedDecisions, expectedOutreachResult } from '../support/outreach-oracle.ts';
import {
  candidateRows,
  deliveredResult,
  koto,
  readPopulation,
  requestRun,
  runRow,
  SAMPLE,
  sendAgain,
  settled,
  watchSends,
  type SentMessage,
} from '../support/outreach-runs.ts';

const RATE_LIMITS = { KOTO_RATE_LIMIT_VTJ: '500', KOTO_RATE_LIMIT_UMA: '500', KOTO_RATE_LIMIT_DATASTORE: '500', KOTO_RATE_LIMIT_KELMU: '500' };
const savedEnv = Object.fromEntries(Object.keys(RATE_LIMITS).map((name) => [name, process.env[name]]));

let hub: TestHub;
let population: FixturePopulation;

beforeAll(async () => {
  population = readPopulation(SAMPLE);
  // This file is about idempotency, not pacing: the registers may be asked as fast as they answer.
  Object.assign(process.env, RATE_LIMITS);
  hub = await startTestHub({ population: SAMPLE, scheduleSeconds: 0 });
});
afterAll(async () => {
  await hub?.stop();
  for (const [name, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

const municipality = '837';
const asOf = '2026-11-01';
const runId = randomUUID();
/** Every message the handlers sent for the run (the originals, not the duplicates). */
let originals: SentMessage[] = [];

/** What the registers were asked, per system. */
const registerCalls = () => Object.fromEntries((['vtj', 'uma', 'kelmu', 'datastore'] as const).map((s) => [s, hub.mocks![s].requests.count()]));
/** Records the runner has handed to the functions so far. */
const recordsHandled = async () => (await hub.status()).functions.reduce((n, f) => n + f.records, 0);
/** The run's list-ready messages in the municipality's inbox (each message id once). */
const listReady = async () => (await inboxEnvelopes(hub, municipality)).filter((e) => e.correlationId === runId && e.type === 'outreach.list.ready.v1');
/** How many the first delivery left: a later hop that changes nothing adds none. */
let readyAfterRun = 0;

/** The run as stored (its items and its result documents): what must not change. */
const snapshot = async () => {
  const run = await runRow(hub, runId);
  const location = run!.location!;
  return {
    run,
    candidates: await candidateRows(hub, runId),
    documents: ['.json', '.csv', '.exclusions.json'].map((suffix) => readFileSync(location.replace(/\.json$/, suffix), 'utf8')),
  };
};

/**
 * How long a test of a whole run may take: patience, not a speed assertion. Every message of the
 * first run is handed over twice, and on a busy two-core machine the run took over 30 s.
 */
const RUN_PATIENCE_MS = 180_000;

describe('an outreach run is idempotent', () => {
  it('gives exactly the oracle’s result when SQS hands every message of the run over twice', async () => {
    const watch = watchSends(hub, { duplicate: (queue) => consumerOf(queue) !== undefined });
    try {
      await requestRun(hub, { runId, municipality, asOf, pageSize: 10 });
      await deliveredResult(hub, runId, 100_000);
      await settled(hub);
    } finally {
      watch.stop();
    }
    originals = watch.sent.filter((m) => m.envelope.correlationId === runId && consumerOf(m.queue) !== undefined);
    // Every step of the run was watched, and so handed over twice.
    expect(new Set(originals.map((m) => m.envelope.type))).toEqual(
      new Set([
        'outreach.run.requested.v1',
        'kelmu.list.requested.v1',
        'uma.protection-list.requested.v1',
        'kelmu.list.page.v1',
        'uma.protection-list.page.v1',
        'outreach.run.fanout.v1',
        'lookup.requested.v1',
        'lookup.completed.v1',
        'outreach.run.decided.v1',
        // Consumed by the inbox writer, so handed over twice as well (stored once: see below).
        'outreach.list.ready.v1',
      ]),
    );

    const { run, candidates, documents } = await snapshot();
    const expected = expectedOutreachResult(population, municipality, asOf);
    const considered = expectedDecisions(population, municipality, asOf).size;
    expect(JSON.parse(documents[0]!) as OutreachResult).toEqual({ municipality, asOf, targets: expected.targets, exclusions: expected.exclusions, correlationId: runId });
    expect(run).toMatchObject({ phase: 'delivered', expected: considered, decided: considered, unresolved: 0 });
    expect(candidates).toHaveLength(considered);
    expect(candidates.every((c) => c.outcome !== undefined && c.outcome !== 'UNRESOLVED')).toBe(true);
    readyAfterRun = (await listReady()).length;
    expect(readyAfterRun).toBeGreaterThanOrEqual(1);
  }, RUN_PATIENCE_MS);

  it('keeps the audit chain of that run verifiable: a copy handled beside its original is no tampering', async () => {
    expect(originals.length, 'the run of the first test').toBeGreaterThan(0);
    const verify = await koto(hub, ['audit', 'verify', runId]);
    const broken = verify.out.split('\n').filter((line) => line.includes('mismatch'));
    expect(broken.slice(0, 5), `${broken.length} broken links, the first five shown`).toEqual([]);
    expect(verify.out).toMatch(/\d+ records, every link intact/);
    expect(verify.code).toBe(0);
  });

  it('changes nothing when the same run id is run again', async () => {
    expect(originals.length, 'the run of the first test').toBeGreaterThan(0);
    const before = await snapshot();
    const calls = registerCalls();
    const file = join(mkdtempSync(join(tmpdir(), 'koto-hub-rerun-')), 'again.json');

    const cli = await koto(hub, ['outreach', '--population', SAMPLE, '--municipality', municipality, '--as-of', asOf, '--out', file, '--run-id', runId]);
    expect(cli.code, `${cli.out}\n${cli.err}`).toBe(0);
    expect(cli.out).toContain(`outreach run ${runId}:`);
    await settled(hub);

    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(JSON.parse(before.documents[0]!));
    expect(await snapshot()).toEqual(before);
    expect(registerCalls()).toEqual(calls);
    expect(await listReady()).toHaveLength(readyAfterRun);
    // The request of the first run (handed over twice, one hop) and the request of this one.
    const runHops = (await hub.auditOf(runId)).filter((r) => r.stage === 'outreach-run').map((r) => r.outcome);
    expect(runHops).toHaveLength(2);
    expect(runHops.filter((outcome) => outcome === 'run-exists')).toHaveLength(1);
  });

  it('changes nothing in the result, the counters or the register calls when any message of the run is delivered again later', async () => {
    expect(originals.length, 'the run of the first test').toBeGreaterThan(0);
    const before = await snapshot();
    const calls = registerCalls();
    const handled = await recordsHandled();

    await sendAgain(hub, originals);
    await settled(hub);

    // Every copy reached its function, and none had an effect.
    expect((await recordsHandled()) - handled).toBe(originals.length);
    expect(await snapshot()).toEqual(before);
    expect(registerCalls()).toEqual(calls);
    expect(await listReady()).toHaveLength(readyAfterRun);
    const status = await hub.status();
    expect(status.queues.filter((q) => q.dlqDepth > 0).map((q) => q.name)).toEqual([]);
  });
});

describe('a run id asked for more than once', () => {
  it('makes one run of two requests of the same run id sent at once', async () => {
    const id = randomUUID();
    const [m, d] = ['091', '2025-06-15'];
    await Promise.all([requestRun(hub, { runId: id, municipality: m, asOf: d }), requestRun(hub, { runId: id, municipality: m, asOf: d })]);
    const { result } = await deliveredResult(hub, id, 100_000);
    await settled(hub);
    const expected = expectedOutreachResult(population, m, d);
    expect(result).toEqual({ municipality: m, asOf: d, targets: expected.targets, exclusions: expected.exclusions, correlationId: id });
    const considered = expectedDecisions(population, m, d).size;
    expect(await runRow(hub, id)).toMatchObject({ phase: 'delivered', expected: considered, decided: considered, unresolved: 0 });
    expect(await candidateRows(hub, id)).toHaveLength(considered);
  }, RUN_PATIENCE_MS);

  it('keeps a run to its own municipality when its id is asked for again, for another municipality, while it fetches its lists', async () => {
    const id = randomUUID();
    const [m, d, other] = ['091', '2026-11-01', '905'];
    // Small pages: the lists take a while to fetch.
    await requestRun(hub, { runId: id, municipality: m, asOf: d, pageSize: 5 });
    await eventually(async () => ((await runRow(hub, id))?.phase === 'fetching-lists' ? true : undefined), 'the run fetching its lists');
    await requestRun(hub, { runId: id, municipality: other, asOf: d, pageSize: 5 });
    expect((await runRow(hub, id))?.phase, 'the second request came while the lists were being fetched').toBe('fetching-lists');
    const { result } = await deliveredResult(hub, id, 100_000);
    await settled(hub);
    const expected = expectedOutreachResult(population, m, d);
    const considered = expectedDecisions(population, m, d).size;
    expect(result.targets.filter((t) => !expected.targets.some((e) => e.hetu === t.hetu)), `targets of ${other} in the run of ${m}`).toEqual([]);
    expect(result).toEqual({ municipality: m, asOf: d, targets: expected.targets, exclusions: expected.exclusions, correlationId: id });
    expect(await runRow(hub, id)).toMatchObject({ municipality: m, expected: considered, decided: considered, unresolved: 0 });
  }, RUN_PATIENCE_MS);

  it('refuses a run id that names a run of another municipality, rather than writing that run’s list as this one’s', async () => {
    expect(originals.length, 'the run of the first test').toBeGreaterThan(0);
    const other = '905';
    expect(other).not.toBe(municipality);
    const file = join(mkdtempSync(join(tmpdir(), 'koto-hub-rerun-')), 'other.json');
    const cli = await koto(hub, ['outreach', '--population', SAMPLE, '--municipality', other, '--as-of', asOf, '--out', file, '--run-id', runId, '--timeout', '20']);
    const written = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as OutreachResult) : undefined;
    expect(written?.municipality ?? other, `the list written for ${other} is municipality ${written?.municipality}'s`).toBe(other);
    expect(cli.code, `${cli.out}\n${cli.err}`).not.toBe(0);
  });
});

describe('personal data in the logs', () => {
  it('writes no HETU into any log line (and never needed the scrubber to hide one)', () => {
    const lines = hub.logLines();
    expectNoPersonalDataIn(lines, personalDataOf(population.persons));
    expect(lines.some((line) => (JSON.parse(line) as { correlationId?: string }).correlationId)).toBe(true);
  });
});
