/**
 * The benchmark against the registers' real limits: the mocks answer at realistic latencies
 * (`--latency vtj=150,uma=200,datastore=100,kelmu=200`, ms) and the hub runs at the topology's rate
 * limits, which it must hold as the registers count them (arrivals in any one-second window).
 *
 * - The run: one outreach run through the embedded runtime. Its floor is, for each register, the
 *   calls the run made to it ÷ the register's allowed rate; the largest is the floor, and
 *   `rateFloorRatio` is the run's time over it (target: within 1.1×).
 * - Single decisions: referrals of people of another municipality, posted at a steady rate
 *   (`--referral-rate`, per second), each timed from its POST to its decision on the municipality's
 *   inbox (p50/p95; target: p95 under 2 s).
 * - Each mock's own `maxRequestsPerSecond`, printed beside the topology's limit: it must not exceed it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isValidHetu } from '#contracts/hetu';
import { externalSystems, type ExternalSystem } from '#infra/topology';
import { startRuntime } from '#infra/local/runtime';
import { postEnvelopes } from '#infra/local/door-client';
import { addClient } from '#infra/local/local-clients';
import { servedMunicipalities } from '#lib/config';
import { generatePopulation } from '#mocks/population/generate';
import { startEmulators } from './emulators.ts';
import { percentile, watchInboxes } from './inbox-watch.ts';
import { runFlowLines, type FlowLineOptions } from './flow-lines.ts';
import { runThroughHub } from './outreach-bench.ts';
import { referral } from '../support/envelopes.ts';

export interface RateFloorOptions extends FlowLineOptions {
  readonly persons: number;
  readonly municipality: string;
  /** The referrals' municipality: another one, so that the run's candidates and the referrals do not meet. */
  readonly referralMunicipality: string;
  readonly asOf: string;
  readonly seed: number;
  readonly latencyMs: Readonly<Record<ExternalSystem, number>>;
  readonly referrals: number;
  readonly referralRate: number;
  readonly say: (line: string) => void;
}

export const DEFAULT_LATENCY_MS: Readonly<Record<ExternalSystem, number>> = { vtj: 150, uma: 200, datastore: 100, kelmu: 200, kotoaj: 100, wellbeing: 100, ya: 300 };

/** `vtj=150,uma=200` over the defaults. */
export const parseLatencies = (text: string | undefined): Record<ExternalSystem, number> => {
  const latency = { ...DEFAULT_LATENCY_MS };
  for (const part of (text ?? '').split(',').filter(Boolean)) {
    const [system, ms] = part.split('=');
    if (!system || !(system in latency) || !/^\d+$/.test(ms ?? '')) throw new Error(`--latency takes system=ms pairs (${Object.keys(latency).join(', ')}), not '${part}'`);
    latency[system as ExternalSystem] = Number(ms);
  }
  return latency;
};

interface MockStats {
  readonly total: number;
  readonly maxRequestsPerSecond: number;
  /** The mock's request log: when each request arrived (ISO time), nothing of what it asked. */
  readonly log: readonly { readonly at: string }[];
}

/**
 * When a register's first and last request of the run arrived, in seconds from the run's request:
 * the time before the first call and after the last one is what the run spends beyond its floor.
 */
const callWindow = (stats: MockStats, startedAt: number): readonly [number, number] | null => {
  if (stats.log.length === 0) return null;
  const times = stats.log.map((entry) => Date.parse(entry.at));
  const seconds = (at: number) => Number(((at - startedAt) / 1000).toFixed(2));
  return [seconds(Math.min(...times)), seconds(Math.max(...times))];
};

const adminJson = async (url: string, init?: RequestInit): Promise<unknown> => {
  const response = await fetch(url, init);
  if (!response.ok) throw new Error(`mock admin ${url} answered ${response.status}`);
  return response.json();
};

const setLatency = (mockUrl: string, ms: number) =>
  adminJson(`${mockUrl}/__faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rules: [{ effect: { kind: 'latency', ms } }] }) });
const resetMocks = (mockUrl: string) => adminJson(`${mockUrl}/__reset`, { method: 'POST' });
const statsOf = async (mockUrl: string): Promise<MockStats> => (await adminJson(`${mockUrl}/__stats`)) as MockStats;

/** The run's and the single decisions' line, then the other flows' (test/bench/flow-lines.ts). */
export const runRateFloorBench = async (options: RateFloorOptions): Promise<Record<string, unknown>[]> => {
  const { municipality, referralMunicipality, asOf, seed, say } = options;
  const municipalities = [municipality, referralMunicipality];
  const dir = mkdtempSync(join(tmpdir(), 'koto-hub-bench-floor-'));
  const emulators = await startEmulators({ persons: options.persons, municipality, municipalities, seed, asOf, separateRegisters: true, dataDir: dir });
  // The systems with a mock of their own in the emulators (the counties' several mocks are not among them).
  const systems = (Object.keys(externalSystems) as ExternalSystem[]).filter((system) => emulators.mockUrls[system] !== undefined);
  try {
    const { sqsEndpoint, dynamodbEndpoint, securityServerUrl, countyEndpoints } = emulators;
    const runtime = await startRuntime({ dataDir: dir, sqsEndpoint, dynamodbEndpoint, securityServerUrl, countyEndpoints, municipalities, scheduleSeconds: 0 });
    try {
      // `/__reset` clears a mock's counters and its fault rules alike: the latencies are set after it.
      for (const system of systems) {
        await resetMocks(emulators.mockUrls[system]!);
        await setLatency(emulators.mockUrls[system]!, options.latencyMs[system]);
      }
      let lastShown = 0;
      const run = await runThroughHub(runtime, municipality, asOf, (item) => {
        if (performance.now() - lastShown < 5000) return;
        lastShown = performance.now();
        say(`  rate-floor run: ${item.phase}, ${item.decided + item.unresolved}/${item.expected ?? '?'} decided`);
      });
      const runStats = Object.fromEntries(await Promise.all(systems.map(async (s) => [s, await statsOf(emulators.mockUrls[s]!)] as const)));
      const floors = systems.map((s) => ({ system: s, seconds: runStats[s]!.total / externalSystems[s].ratePerSecond }));
      const floor = floors.reduce((a, b) => (b.seconds > a.seconds ? b : a));
      say(`rate-floor run: ${run.candidates} candidates in ${run.seconds.toFixed(1)} s; floor ${floor.seconds.toFixed(1)} s (${floor.system}); referrals ...`);

      // Single decisions: the same generator and seed as the emulators, so these people are in the registers.
      const population = generatePopulation({ persons: options.persons, municipalities, seed, asOf });
      const people = population.persons.filter((p) => p.homeMunicipality === referralMunicipality && isValidHetu(p.hetu)).slice(0, options.referrals);
      const inboxes = watchInboxes(runtime, 'outreach.decision.v1');
      const posted = new Map<string, number>();
      const gap = 1000 / options.referralRate;
      await addClient(runtime.clients, runtime.pki, {
        clientId: 'te-services',
        name: 'TE services (bench authority)',
        system: 'authority:te-services',
        municipalities: servedMunicipalities(),
        sends: ['outreach.referral.v1'],
        receives: [],
        ratePerMinute: 60_000,
      });
      const start = performance.now();
      for (const [i, person] of people.entries()) {
        const wait = start + i * gap - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        const envelope = referral({ municipality: referralMunicipality, occurredAt: new Date().toISOString(), payload: { hetu: person.hetu, referredOn: asOf } });
        posted.set(envelope.correlationId, performance.now());
        const response = await postEnvelopes(runtime.ingressUrl, runtime.credentials('te-services'), envelope);
        if (response.status !== 202) throw new Error(`a referral was refused: HTTP ${response.status}`);
      }
      const patience = performance.now() + 120_000;
      while (inboxes.seen.size < posted.size && performance.now() < patience) await new Promise((resolve) => setTimeout(resolve, 200));
      await inboxes.stop();
      const latencies = [...posted].flatMap(([id, at]) => (inboxes.seen.has(id) ? [inboxes.seen.get(id)! - at] : [])).sort((a, b) => a - b);
      const allStats = Object.fromEntries(await Promise.all(systems.map(async (s) => [s, await statsOf(emulators.mockUrls[s]!)] as const)));
      const floorLine = {
        mode: 'rate-floor',
        persons: options.persons,
        candidates: run.candidates,
        hubSeconds: Number(run.seconds.toFixed(2)),
        floorSeconds: Number(floor.seconds.toFixed(2)),
        floorSystem: floor.system,
        rateFloorRatio: Number((run.seconds / floor.seconds).toFixed(3)),
        singleDecisionP50Ms: Math.round(percentile(latencies, 50)),
        singleDecisionP95Ms: Math.round(percentile(latencies, 95)),
        referrals: posted.size,
        decided: latencies.length,
        callsInRun: Object.fromEntries(systems.map((s) => [s, runStats[s]!.total])),
        // Seconds from the run's request to each register's first and last call of the run.
        callWindowS: Object.fromEntries(systems.flatMap((s) => (runStats[s]!.total > 0 ? [[s, callWindow(runStats[s]!, run.startedAt)]] : []))),
        limitPerSecond: Object.fromEntries(systems.map((s) => [s, externalSystems[s].ratePerSecond])),
        // Counted by each mock over the run alone, then over the run and the referrals: arrivals in any one-second window.
        maxRequestsPerSecondInRun: Object.fromEntries(systems.map((s) => [s, runStats[s]!.maxRequestsPerSecond])),
        maxRequestsPerSecond: Object.fromEntries(systems.map((s) => [s, allStats[s]!.maxRequestsPerSecond])),
        latencyMs: options.latencyMs,
        // How the registers' process was put first on the CPU (test/bench/emulators.ts).
        priority: emulators.priority,
      };
      const ours = population.persons.filter((p) => p.homeMunicipality === municipality && isValidHetu(p.hetu));
      const admin = { statsOf, reset: resetMocks, setLatency };
      return [floorLine, ...(await runFlowLines({ runtime, municipality, people: ours, mockUrls: emulators.mockUrls, admin, latencyMs: options.latencyMs, say }, options))];
    } finally {
      await runtime.stop();
    }
  } finally {
    await emulators.stop();
    rmSync(dir, { recursive: true, force: true });
  }
};
