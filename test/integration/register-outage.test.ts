/**
 * A register outage longer than the whole retry budget, through the real embedded runtime: VTJ
 * answers 503 to every call while an outreach run waits on it. Its breaker opens, the lookups wait
 * on their queue (re-sent with a delay, no receive counted), probes go out at a growing interval,
 * and once VTJ answers again the breaker closes and the run completes with the fault-free list,
 * with no dead letter.
 *
 * Time is scaled rather than waited out: the retries back off from half a second and the breaker
 * probes after one second, growing to three (KOTO_BREAKER_*), so an outage of several retry
 * budgets lasts seconds. The test ends the outage by what has happened (the budget exceeded twice
 * over as the register saw it, probes failed), and asserts on no duration of its own.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { hubMetrics, queueSpec, type ExternalSystem } from '#infra/topology';
import type { BreakerStatus } from '#infra/local/breakers';
import { resetExternalMetrics } from '#lib/metrics';
import type { MockServer } from '#mocks/framework';
import { eventually, startTestHub, type TestHub } from '../support/hub.ts';
import { expectedDecisions, expectedOutreachResult } from '../support/outreach-oracle.ts';
import { deliveredResult, readPopulation, requestRun, SAMPLE } from '../support/outreach-runs.ts';

/** Base of the retry backoff in this file (the runtime's KOTO_RETRY_BASE_SECONDS). */
const RETRY_BASE_SECONDS = 0.5;
const ENV = {
  KOTO_BREAKER_FIRST_PROBE_SECONDS: '1',
  KOTO_BREAKER_MAX_PROBE_SECONDS: '3',
  KOTO_BREAKER_PROBE_TIMEOUT_SECONDS: '5',
  // This file is about an outage, not pacing (test/integration/rate-limit.test.ts is).
  KOTO_RATE_LIMIT_VTJ: '500',
  KOTO_RATE_LIMIT_UMA: '500',
  KOTO_RATE_LIMIT_DATASTORE: '500',
  KOTO_RATE_LIMIT_KELMU: '500',
};
const METRICS_ENV = { POWERTOOLS_DEV: 'true', POWERTOOLS_METRICS_DISABLED: 'false' };
const savedEnv = Object.fromEntries([...Object.keys(ENV), ...Object.keys(METRICS_ENV)].map((name) => [name, process.env[name]]));

/**
 * Today's whole retry budget of a VTJ lookup, in seconds: the backoff between its receives before
 * SQS moves it to the DLQ (functions/lib/batch/unit-of-work.ts backs off base·2^(n-1), at most the
 * visibility timeout, after the nth receive).
 */
const retryBudgetSeconds = (() => {
  const { maxReceiveCount, visibilityTimeoutSeconds } = queueSpec('vtj-lookups');
  let total = 0;
  for (let n = 1; n < maxReceiveCount; n++) total += Math.min(visibilityTimeoutSeconds, Math.round(RETRY_BASE_SECONDS * 2 ** (n - 1)));
  return total;
})();

interface EmfDocument {
  readonly _aws: { CloudWatchMetrics: { Dimensions: string[][]; Metrics: { Name: string }[] }[] };
  readonly [key: string]: unknown;
}

let hub: TestHub;
/** The EMF documents Powertools printed while the test ran (dev mode prints through the console). */
const printed: EmfDocument[] = [];

beforeAll(async () => {
  Object.assign(process.env, ENV);
  hub = await startTestHub({ population: SAMPLE, scheduleSeconds: 0, mockSeed: 3600, retryBaseSeconds: RETRY_BASE_SECONDS, inMemory: true });
  // The runtime turns metrics off; this file reads them as CloudWatch would, from the documents
  // printed by instances made from now on (the breakers' and the external calls' are made on use).
  Object.assign(process.env, METRICS_ENV);
  resetExternalMetrics();
  vi.spyOn(console, 'log').mockImplementation((line: unknown) => {
    if (typeof line === 'string' && line.includes('"_aws"')) printed.push(JSON.parse(line) as EmfDocument);
  });
});
afterAll(async () => {
  vi.restoreAllMocks();
  await hub?.stop();
  for (const [name, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  resetExternalMetrics();
});

const vtj = (): MockServer => hub.mocks!.vtj;
const breakerOf = async (system: ExternalSystem): Promise<BreakerStatus> => (await hub.status()).breakers!.find((b) => b.system === system)!;
/** VTJ's answers that the outage rule shaped, in the order they were given. */
const faultedAnswers = () => vtj().requests.entries().filter((e) => e.route === 'vtj.person' && e.faults.includes('status'));

/** The breaker transitions of `system` in the metrics, in the order they were written. */
const transitionsOf = (system: ExternalSystem): string[] =>
  printed
    .filter((doc) => doc._aws.CloudWatchMetrics[0]!.Metrics.some((m) => m.Name === hubMetrics.breakerTransitions) && doc[hubMetrics.dimensions.system] === system)
    .map((doc) => String(doc[hubMetrics.dimensions.state]));

describe('a register down for longer than the whole retry budget', () => {
  it('opens the breaker, holds the lookups on their queue without a dead letter, closes when VTJ answers, and the run completes with the fault-free list', async () => {
    const municipality = '905';
    const asOf = '2026-11-01';
    const population = readPopulation(SAMPLE);
    const candidates = expectedDecisions(population, municipality, asOf).size;
    expect(retryBudgetSeconds, 'the retry budget this file scales down').toBeGreaterThan(0);

    vtj().faults.set([{ id: 'maintenance', route: 'vtj.person', effect: { kind: 'status', status: 503 } }]);
    const runId = randomUUID();
    await requestRun(hub, { runId, municipality, asOf });

    const opened = await eventually(async () => {
      const breaker = await breakerOf('vtj');
      return breaker.phase !== 'closed' ? breaker : undefined;
    }, 'the VTJ breaker to open', 60_000);
    expect(opened.openSince).not.toBeNull();

    // The outage goes on until the register has refused calls for twice the whole retry budget,
    // and probes have failed at a growing interval.
    await eventually(
      async () => {
        const answers = faultedAnswers();
        const span = answers.length > 1 ? Date.parse(answers.at(-1)!.at) - Date.parse(answers[0]!.at) : 0;
        return span > 2 * retryBudgetSeconds * 1000 && (await breakerOf('vtj')).failedProbes >= 3 ? true : undefined;
      },
      'an outage of twice the retry budget, with failed probes',
      120_000,
    );
    const outage = faultedAnswers();
    vtj().faults.clear();

    const { run, result } = await deliveredResult(hub, runId, 120_000);
    const expected = expectedOutreachResult(population, municipality, asOf);
    expect(result).toEqual({ municipality, asOf, targets: expected.targets, exclusions: expected.exclusions, correlationId: runId });
    expect(run).toMatchObject({ expected: candidates, decided: candidates, unresolved: 0 });

    // The outage as VTJ saw it outlasted the retry budget, and took a run's worth of lookups.
    expect(Date.parse(outage.at(-1)!.at) - Date.parse(outage[0]!.at)).toBeGreaterThan(retryBudgetSeconds * 1000);
    // Nothing dead-lettered: the lookups waited on their queue, re-sent to wait for the breaker.
    const records = await hub.auditOf(runId);
    expect(records.filter((r) => r.outcome === 'dead-letter')).toEqual([]);
    expect(await hub.peekDlq('vtj-lookups')).toEqual([]);
    const deferred = records.filter((r) => r.stage === 'vtj-adapter' && r.outcome === 'deferred');
    expect(deferred.length).toBeGreaterThan(0);
    // Every lookup ended with a VTJ answer: as many answered hops as candidates with a lookup.
    const waitedFor = new Set(deferred.map((r) => r.subjectHash));
    const answered = records.filter((r) => r.stage === 'vtj-adapter' && r.outcome === 'processed' && waitedFor.has(r.subjectHash));
    expect(new Set(answered.map((r) => r.subjectHash))).toEqual(waitedFor);

    // The breaker is closed again, and the metrics saw it open, probe and close, in that order.
    expect(await breakerOf('vtj')).toMatchObject({ phase: 'closed', failures: 0, openSince: null });
    const transitions = transitionsOf('vtj');
    expect(transitions[0]).toBe('open');
    expect(transitions).toContain('half-open');
    expect(transitions.at(-1)).toBe('closed');
    expect(transitions.filter((t) => t === 'closed')).toHaveLength(1);
    for (const system of ['uma', 'kelmu', 'datastore'] as const) expect(transitionsOf(system)).toEqual([]);
  }, 240_000);
});
