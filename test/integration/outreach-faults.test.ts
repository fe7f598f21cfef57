/**
 * Outreach runs when the registers misbehave, through the real embedded runtime: the mocks inject
 * seeded faults over HTTP (5xx, hanging calls, SOAP faults, garbage), the adapters retry or
 * dead-letter, and the run must still end with every candidate counted exactly once. Expectations
 * come from test/support/outreach-oracle.ts (docs/DESIGN.md "Outreach rules", independent of the hub's rules module) and
 * from what the hub itself recorded about its dead letters (audit log, DLQs, `koto-hub trace`).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Envelope } from '#contracts/envelope';
import { containsHetuShape } from '#contracts/hetu';
import type { ExclusionCode, OutreachResult, OutreachTarget } from '#contracts/outreach-result';
import type { OutreachListReadyV1 } from '#contracts/messages/outreach';
import type { FixturePopulation } from '#contracts/population';
import { functionNames, lookupQueues, type FunctionName, type QueueName } from '#infra/topology';
import type { FaultRule, MockServer } from '#mocks/framework';
import type { Trace, TraceNode } from '#ops/audit/trace';
import type { DeadLetterSummary } from '#cli/dead-letters';
import { documentClient } from '#lib/clients';
import { eventually, startTestHub, type TestHub } from '../support/hub.ts';
import { inboxEnvelopes } from '../support/inbox.ts';
import { expectNoPersonalDataIn, personalDataOf } from '../support/personal-data.ts';
import { expectedDecisions, expectedOutreachResult } from '../support/outreach-oracle.ts';
import {
  candidateKey,
  candidateRows,
  deliveredResult,
  koto,
  readPopulation,
  requestRun,
  runRow,
  SAMPLE,
  settled,
  stallReport,
} from '../support/outreach-runs.ts';

/** The adapters' X-Road timeout in this file: low, so that a hanging register costs a second. */
const XROAD_TIMEOUT_MS = 1000;
/** Rows per page of the source lists: small, so that both lists come in several pages that can fail. */
const PAGE_SIZE = 5;
const ENV = {
  KOTO_XROAD_TIMEOUT_MS: String(XROAD_TIMEOUT_MS),
  // This file is about faults, not pacing (test/integration/rate-limit.test.ts is).
  KOTO_RATE_LIMIT_VTJ: '500',
  KOTO_RATE_LIMIT_UMA: '500',
  KOTO_RATE_LIMIT_DATASTORE: '500',
  KOTO_RATE_LIMIT_KELMU: '500',
  // Nor about breakers (test/integration/register-outage.test.ts is): on a loaded machine the 1 s
  // timeout above fails many calls in a row, and an opened breaker would hold the work for its
  // 30 s probe interval, which this file's waits do not allow for.
  KOTO_BREAKER_FAILURES_TO_OPEN: '1000000',
};
const savedEnv = Object.fromEntries(Object.keys(ENV).map((name) => [name, process.env[name]]));

let hub: TestHub;
let population: FixturePopulation;

beforeAll(async () => {
  population = readPopulation(SAMPLE);
  // Read by the X-Road clients when the handlers first call a register: set before the runtime starts.
  Object.assign(process.env, ENV);
  hub = await startTestHub({ population: SAMPLE, scheduleSeconds: 0, mockSeed: 681_2023 });
});
afterAll(async () => {
  await hub?.stop();
  for (const [name, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

type System = 'vtj' | 'uma' | 'kelmu' | 'datastore';
const SYSTEMS: readonly System[] = ['vtj', 'uma', 'kelmu', 'datastore'];
const mock = (system: System): MockServer => hub.mocks![system];
afterEach(() => {
  for (const system of SYSTEMS) mock(system).faults.clear();
});

/** The mock route each system's calls go to (UMA's person and list queries share one SOAP route). */
const ROUTE: Record<System, string> = { vtj: 'vtj.person', uma: 'uma.soap', kelmu: 'kelmu.list', datastore: 'datastore.status' };
const LOOKUP_STAGES = ['vtj-adapter', 'uma-adapter', 'datastore-adapter'];
const LOOKUP_QUEUES = Object.values(lookupQueues) as QueueName[];

/** The function that reconciles a run whose counters fell behind its candidates (a schedule runs it every few minutes). */
const WATCHDOG = 'outreach-watchdog';
/** Seconds without progress after which the watchdog looks at a run, in this file (KOTO_STALL_SECONDS). */
const IDLE_SECONDS = 2;

const firedOf = (system: System): number => mock(system).faults.list().reduce((n, rule) => n + rule.fired, 0);

const flatten = (nodes: readonly TraceNode[]): TraceNode[] => nodes.flatMap((n) => [n, ...flatten(n.children)]);
const traceOf = async (runId: string): Promise<Trace> => {
  const run = await koto(hub, ['trace', runId, '--json']);
  expect(run.code, run.err).toBe(0);
  expect(containsHetuShape(run.out)).toBe(false);
  return JSON.parse(run.out) as Trace;
};

const dlqShow = async (queue: QueueName): Promise<DeadLetterSummary[]> => {
  const run = await koto(hub, ['dlq', 'show', queue, '--json', '--limit', '200']);
  expect(run.code, run.err).toBe(0);
  expect(containsHetuShape(run.out)).toBe(false);
  return (JSON.parse(run.out) as { messages: DeadLetterSummary[] }).messages;
};

/** The oracle's result for M on D with the candidates of `unresolved` (keys) left out, and their number. */
const expectedWithout = async (municipality: string, asOf: string, unresolved: ReadonlySet<string>) => {
  const targets: OutreachTarget[] = [];
  const exclusions: Partial<Record<ExclusionCode, number>> = {};
  let left = 0;
  for (const [code, decision] of expectedDecisions(population, municipality, asOf)) {
    if (unresolved.has(await candidateKey(code))) left++;
    else if (typeof decision === 'string') exclusions[decision] = (exclusions[decision] ?? 0) + 1;
    else targets.push(decision);
  }
  targets.sort((a, b) => (a.hetu < b.hetu ? -1 : 1));
  return { targets, exclusions, left };
};

const total = (exclusions: Partial<Record<string, number>>): number => Object.values(exclusions).reduce<number>((sum, n) => sum + (n ?? 0), 0);

const listReadyOf = async (runId: string, municipality: string): Promise<Envelope<OutreachListReadyV1>[]> =>
  (await inboxEnvelopes(hub, municipality)).filter(
    (e): e is Envelope<OutreachListReadyV1> => e.correlationId === runId && e.type === 'outreach.list.ready.v1',
  );

describe('an outreach run while the registers fail', () => {
  it('completes with exactly the fault-free list when VTJ, UMA, Kelmu and the data store answer 5xx or hang on a few percent of calls', async () => {
    const municipality = '905';
    const asOf = '2026-11-01';
    // A first failure per system for certain (a hang for UMA and the data store), then seeded random ones.
    const rules = (system: System, first: FaultRule['effect'], rate: number): FaultRule[] => [
      { id: 'first', route: ROUTE[system], times: 1, effect: first },
      { id: '503', route: ROUTE[system], probability: rate, effect: { kind: 'status', status: 503 } },
      { id: '502', route: ROUTE[system], probability: rate / 2, effect: { kind: 'status', status: 502 } },
      { id: 'hang', route: ROUTE[system], probability: 0.01, effect: { kind: 'timeout' } },
    ];
    mock('vtj').faults.set(
      [...rules('vtj', { kind: 'status', status: 503 }, 0.04), { id: 'server-fault', route: ROUTE.vtj, probability: 0.02, effect: { kind: 'soapFault', faultcode: 'Server.ServerProxy.ServiceFailed', faultstring: 'Service failed' } }],
      { seed: 1 },
    );
    mock('uma').faults.set(rules('uma', { kind: 'timeout' }, 0.04), { seed: 2 });
    // Kelmu is asked once per page: a higher rate, so that some of its few calls fail.
    mock('kelmu').faults.set(rules('kelmu', { kind: 'status', status: 503 }, 0.1), { seed: 3 });
    mock('datastore').faults.set(rules('datastore', { kind: 'timeout' }, 0.04), { seed: 4 });

    const runId = randomUUID();
    await requestRun(hub, { runId, municipality, asOf, pageSize: PAGE_SIZE });
    const { run, result } = await deliveredResult(hub, runId, 60_000);

    const expected = expectedOutreachResult(population, municipality, asOf);
    expect(result).toEqual({ municipality, asOf, targets: expected.targets, exclusions: expected.exclusions, correlationId: runId });
    const candidates = expectedDecisions(population, municipality, asOf).size;
    expect(run).toMatchObject({ expected: candidates, decided: candidates, unresolved: 0 });

    // The faults did happen, every one was retried, none became a dead letter.
    for (const system of SYSTEMS) expect(firedOf(system), `faults injected into ${system}`).toBeGreaterThan(0);
    const records = await hub.auditOf(runId);
    const retries = records.filter((r) => r.outcome === 'retry');
    const retried = [...new Set(retries.map((r) => r.stage))];
    expect(retried).toEqual(expect.arrayContaining(['vtj-adapter', 'uma-list-adapter', 'kelmu-adapter', 'datastore-adapter']));
    expect(retried.every((stage) => [...LOOKUP_STAGES, 'uma-list-adapter', 'kelmu-adapter'].includes(stage))).toBe(true);
    for (const retry of retries) expect(retry.reason).toMatch(/Http\.50[23]|Client\.Timeout|Server\.ServerProxy\.ServiceFailed/);
    expect(retries.some((r) => r.reason?.includes('Timeout'))).toBe(true);
    expect(records.filter((r) => r.outcome === 'dead-letter')).toEqual([]);
    expect((await candidateRows(hub, runId)).filter((c) => c.outcome === 'UNRESOLVED')).toEqual([]);
  });

  it('completes with permanent faults as well, the dead letters counted as unresolved and found by the run id; healed and redriven, it is delivered again with the fault-free list', async () => {
    const municipality = '091';
    const asOf = '2026-11-01';
    const clientFault = { kind: 'soapFault', faultcode: 'Client.InvalidRequest', faultstring: 'Bad request' } as const;
    const permanent = (system: System, effect: FaultRule['effect']): FaultRule[] => [
      { id: 'first-permanent', route: ROUTE[system], times: 1, effect },
      { id: 'permanent', route: ROUTE[system], probability: 0.05, effect },
    ];
    const transient = (system: System): FaultRule[] => [{ id: '503', route: ROUTE[system], probability: 0.04, effect: { kind: 'status', status: 503 } }];
    // VTJ answers slowly here, so that no UMA person query comes before UMA's faults are set below.
    const slow: FaultRule = { id: 'slow', route: ROUTE.vtj, effect: { kind: 'latency', ms: 500 } };
    mock('vtj').faults.set([slow, ...permanent('vtj', clientFault), ...transient('vtj')], { seed: 11 });
    mock('datastore').faults.set([...permanent('datastore', { kind: 'malformed' }), ...transient('datastore')], { seed: 12 });
    mock('kelmu').faults.set(transient('kelmu'), { seed: 13 });
    mock('uma').faults.set(transient('uma'), { seed: 14 });

    const runId = randomUUID();
    await requestRun(hub, { runId, municipality, asOf, pageSize: PAGE_SIZE });
    // UMA answers the lists and the person queries on one route: its permanent faults start once
    // both lists are in (a dead list page is a stalled run, not an unresolved candidate).
    await eventually(async () => ((await runRow(hub, runId))?.phase ?? 'fetching-lists') !== 'fetching-lists' || undefined, 'both lists fetched');
    for (const rule of permanent('uma', { kind: 'malformed' })) mock('uma').faults.add(rule);

    const { run, result } = await deliveredResult(hub, runId, 60_000);
    const candidates = expectedDecisions(population, municipality, asOf).size;
    expect(result.correlationId).toBe(runId);
    // One certain permanent fault per lookup system, each on another candidate (a dead slip goes no further).
    for (const system of ['vtj', 'uma', 'datastore'] as const) {
      expect(mock(system).faults.list().find((r) => r.id === 'first-permanent')?.fired, `the first permanent fault of ${system}`).toBe(1);
    }
    expect(result.unresolved, 'the result names the candidates it could not decide').toBeGreaterThanOrEqual(3);
    const unresolved = result.unresolved!;
    // Every candidate ends as a target, an exclusion or unresolved, once.
    expect(result.targets.length + total(result.exclusions) + unresolved).toBe(candidates);
    expect(run).toMatchObject({ expected: candidates, decided: candidates - unresolved, unresolved });

    // The unresolved candidates are exactly those whose lookup became a dead letter.
    const unresolvedKeys = new Set((await candidateRows(hub, runId)).filter((c) => c.outcome === 'UNRESOLVED').map((c) => c.key));
    expect(unresolvedKeys.size).toBe(unresolved);
    const records = await hub.auditOf(runId);
    const deadLetters = records.filter((r) => r.outcome === 'dead-letter');
    expect(deadLetters.every((r) => LOOKUP_STAGES.includes(r.stage))).toBe(true);
    expect(deadLetters).toHaveLength(unresolved);
    expect(new Set(deadLetters.map((r) => r.subjectHash))).toEqual(unresolvedKeys);
    for (const r of deadLetters) expect(r.reason).toMatch(/XRoadFault:Client\.InvalidRequest|XmlRejected:malformed|Http\.503/);
    expect(records.filter((r) => r.stage === 'outreach-decide' && r.outcome === 'unresolved')).toHaveLength(unresolved);

    // The decided candidates are decided as the oracle decides them: nothing lost, nothing counted twice.
    const expected = await expectedWithout(municipality, asOf, unresolvedKeys);
    expect(expected.left).toBe(unresolved);
    expect(result).toEqual({ municipality, asOf, targets: expected.targets, exclusions: expected.exclusions, unresolved, correlationId: runId });

    // The operator finds each one by the run's correlation id: in the trace and in the DLQs.
    const trace = await traceOf(runId);
    expect(trace.summary.deadLetters).toBe(unresolved);
    const tracedDead = flatten(trace.roots).filter((n) => n.outcome === 'dead-letter');
    expect(new Set(tracedDead.map((n) => n.messageId))).toEqual(new Set(deadLetters.map((r) => r.messageId)));
    const inDlqs = (await Promise.all(LOOKUP_QUEUES.map(dlqShow))).flat().filter((m) => m.correlationId === runId);
    expect(inDlqs.map((m) => m.messageId).sort()).toEqual(deadLetters.map((r) => r.messageId).sort());
    for (const m of inDlqs) expect(m).toMatchObject({ type: 'lookup.requested.v1', reasonFrom: 'attributes' });

    // Healed and redriven: the dead letters are decided after all and the run is delivered again, whole.
    for (const system of SYSTEMS) mock(system).faults.clear();
    const redrives = await Promise.all(LOOKUP_QUEUES.map((queue) => koto(hub, ['dlq', 'redrive', queue, '--all'])));
    for (const moved of redrives) expect(moved.code, `${moved.out}\n${moved.err}`).toBe(0);
    const movedCount = redrives.map((r) => Number(/moved (\d+) of/.exec(r.out)?.[1] ?? 0)).reduce((a, b) => a + b, 0);
    expect(movedCount).toBe(unresolved);
    await deliveredResult(hub, runId, 30_000, (r) => r.unresolved === 0 && r.delivered?.unresolved === 0);
    await settled(hub);
    const final = await runRow(hub, runId);
    expect(final).toMatchObject({ phase: 'delivered', expected: candidates, decided: candidates, unresolved: 0 });
    const redelivered = JSON.parse(readFileSync(final!.location!, 'utf8')) as OutreachResult;
    const faultFree = expectedOutreachResult(population, municipality, asOf);
    expect(redelivered).toEqual({ municipality, asOf, targets: faultFree.targets, exclusions: faultFree.exclusions, correlationId: runId });

    // The municipality was told twice or more: first with the unresolved count, last with none.
    const ready = await listReadyOf(runId, municipality);
    expect(ready.length).toBeGreaterThanOrEqual(2);
    const byTime = [...ready].sort((a, b) => a.occurredAt.localeCompare(b.occurredAt));
    expect(byTime[0]!.payload).toMatchObject({ targets: result.targets.length, unresolved });
    expect(byTime.at(-1)!.payload).toMatchObject({ targets: faultFree.targets.length, exclusions: faultFree.exclusions, unresolved: 0 });
    for (const message of ready) expect(message.payload.targets + total(message.payload.exclusions) + message.payload.unresolved).toBe(candidates);
    expect((await traceOf(runId)).summary.redrives).toBe(unresolved);
  }, 180_000); // the longest flow of the suite: a whole run, a redrive and a second delivery; on a loaded machine it has taken over 60 s

  it('completes, counting every candidate once, when a counter write of the run fails once (DynamoDB throttling past the SDK’s own retries)', async () => {
    const municipality = '905';
    const asOf = '2025-06-15';
    // No malformed code on these lists: the run's first counter write is then a batch of decisions.
    const decisions = expectedDecisions(population, municipality, asOf);
    expect([...decisions.values()]).not.toContain('INVALID_HETU');

    let failed = 0;
    const name = 'test-fail-first-counter-write';
    // The handlers of the embedded runtime share this process's DynamoDB client.
    documentClient().middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as { UpdateExpression?: string };
        if (failed === 0 && input.UpdateExpression?.startsWith('ADD #decided')) {
          failed++;
          throw Object.assign(new Error('The level of configured provisioned throughput for the table was exceeded'), {
            name: 'ProvisionedThroughputExceededException',
            $retryable: { throttling: true },
            $metadata: { httpStatusCode: 400 },
          });
        }
        return next(args);
      },
      { step: 'initialize', name },
    );
    const savedStall = process.env.KOTO_STALL_SECONDS;
    process.env.KOTO_STALL_SECONDS = String(IDLE_SECONDS);
    try {
      const runId = randomUUID();
      await requestRun(hub, { runId, municipality, asOf });
      await eventually(async () => (failed > 0 ? true : undefined), 'the injected throttle');
      // The outreach watchdog's schedule, compressed: it looks at the run whenever the run has not moved for a while.
      const hasWatchdog = (functionNames as readonly string[]).includes(WATCHDOG);
      await eventually(
        async () => {
          const row = await runRow(hub, runId);
          if (row?.phase === 'delivered') return true;
          if (hasWatchdog && row && Date.now() - Date.parse(String(row.updatedAt)) >= IDLE_SECONDS * 1000) await hub.trigger(WATCHDOG as FunctionName);
          return undefined;
        },
        'the run delivered',
        30_000,
      ).catch(async (error: Error) => {
        const row = await runRow(hub, runId);
        throw new Error(`${error.message}; the run is ${JSON.stringify(row && { phase: row.phase, expected: row.expected, decided: row.decided, unresolved: row.unresolved })}; ${await stallReport(hub)}`);
      });
      const { run, result } = await deliveredResult(hub, runId, 5_000);
      const expected = expectedOutreachResult(population, municipality, asOf);
      expect(result).toEqual({ municipality, asOf, targets: expected.targets, exclusions: expected.exclusions, correlationId: runId });
      await settled(hub);
      expect(await runRow(hub, runId)).toMatchObject({ phase: 'delivered', expected: decisions.size, decided: decisions.size, unresolved: 0 });
      expect(run.location).toBeDefined();
    } finally {
      documentClient().middlewareStack.remove(name);
      if (savedStall === undefined) delete process.env.KOTO_STALL_SECONDS;
      else process.env.KOTO_STALL_SECONDS = savedStall;
    }
  });
});

describe('personal data in the logs', () => {
  it('writes no HETU into any log line (and never needed the scrubber to hide one)', () => {
    const lines = hub.logLines();
    expectNoPersonalDataIn(lines, personalDataOf(population.persons));
    expect(lines.some((line) => (JSON.parse(line) as { correlationId?: string }).correlationId)).toBe(true);
  });
});
