/**
 * `npm run bench`: figures, not pass/fail (the targets: docs/DESIGN.md "Performance targets").
 *
 * Part 1 generates a population of N people in one municipality (`--persons N`, default 10,000),
 * runs the whole outreach through the embedded runtime with the mocks at zero latency, then, on the
 * same population and mocks, the direct baseline; it prints one JSON line with the ratio, what the
 * hub sent to SQS and DynamoDB per candidate, and the hub's peak memory. As in AWS, where DynamoDB,
 * SQS and the registers are in no function's memory, their stand-ins (dynalite, local-aws-sqs, the
 * mocks with the population) run in a child process: this process holds the runner, every function
 * and ingress, and its peak RSS when the hub's run is delivered is `peakRssMb` (the baseline, run
 * after it in the same process, holds its whole candidate list: `peakRssMbWithBaseline`); the
 * child's is `emulatorPeakRssMb`. The wall-clock ratio moves by a third with the machine's load; the
 * CPU each side used is steadier: `cpuRatio` is this process's CPU time over the hub's run against
 * over the baseline's, and a line gives both per candidate beside the stand-ins' (the child's).
 * The hub's run is bounded by this process's one event loop, the baseline by the stand-ins' (three
 * register calls per candidate), so the wall-clock ratio follows the hub's CPU per candidate over
 * the stand-ins' in the baseline (docs/performance-log.md, 2026-12-04 evening).
 * Part 0 (skip with `--skip-rate-floor`) runs an outreach run and single referrals against the
 * registers' real limits at realistic latencies (test/bench/rate-floor.ts) and prints its line first:
 * `rateFloorRatio`, `singleDecisionP95Ms` and each mock's `maxRequestsPerSecond` beside the limit;
 * then, on the same hub and mocks, a line for each later flow (test/bench/flow-lines.ts): records
 * (`--records N`), wellbeing (`--wellbeing N`) and claims (`--claims M`), 0 leaving one out.
 * Part 1 is skipped with `--skip-zero-latency`.
 * Part 2 (skip with `--skip-bundles`) prints, per function, its esbuild bundle (the deployed
 * options) and the time to import it in a fresh process, and a cost estimate per million candidates.
 */
import '#infra/local/quiet-warnings';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { externalSystems } from '#infra/topology';
import { startRuntime } from '#infra/local/runtime';
import { documentClient, sqsClient } from '#lib/clients';
import { runDirect, runThroughHub } from './outreach-bench.ts';
import { cpuMs, peakRssMb, startEmulators } from './emulators.ts';
import { measureBundles } from './bundles.ts';
import { estimateCost } from './cost.ts';
import { parseLatencies, runRateFloorBench } from './rate-floor.ts';

const flag = (name: string) => process.argv.includes(`--${name}`);
const arg = (name: string, fallback: string): string => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && process.argv[at + 1] ? process.argv[at + 1]! : fallback;
};
const persons = Number(arg('persons', '10000'));
if (!Number.isInteger(persons) || persons < 1) throw new Error('--persons takes a whole number above zero');
const municipality = arg('municipality', '905');
const asOf = arg('as-of', '2026-11-01');
const say = (line: string) => process.stderr.write(`${line}\n`);

// Part 0: the run and single decisions against the registers' real limits and realistic latencies.
if (!flag('skip-rate-floor')) {
  say('rate-floor: realistic latencies, the topology\'s rate limits ...');
  const floor = await runRateFloorBench({
    persons: Number(arg('floor-persons', '2000')),
    municipality,
    referralMunicipality: arg('referral-municipality', municipality === '091' ? '905' : '091'),
    asOf,
    seed: 2026,
    latencyMs: parseLatencies(arg('latency', '')),
    referrals: Number(arg('referrals', '300')),
    referralRate: Number(arg('referral-rate', '5')),
    records: Number(arg('records', '100')),
    recordsRate: Number(arg('records-rate', '20')),
    wellbeing: Number(arg('wellbeing', '40')),
    wellbeingRate: Number(arg('wellbeing-rate', '2')),
    claims: Number(arg('claims', '200')),
    say,
  });
  for (const line of floor) console.log(JSON.stringify(line));
}
// Part 2's cost estimate needs part 1's counts: without part 1, nothing follows.
if (flag('skip-zero-latency')) process.exit(0);

// Zero-latency mocks, and no rate limit in the way: the benchmark measures the hub, not the limits.
for (const system of Object.keys(externalSystems)) process.env[`KOTO_RATE_LIMIT_${system.toUpperCase()}`] = '1000000';

const dir = mkdtempSync(join(tmpdir(), 'koto-hub-bench-'));
say(`generating ${persons} people in municipality ${municipality} and starting the emulators ...`);
const emulators = await startEmulators({ persons, municipality, seed: 2026, asOf, dataDir: dir });
const { sqsEndpoint, dynamodbEndpoint, securityServerUrl } = emulators;
const runtime = await startRuntime({ dataDir: dir, sqsEndpoint, dynamodbEndpoint, securityServerUrl, municipalities: [municipality], scheduleSeconds: 0 });

/** What the hub sent: its functions' SQS and DynamoDB requests, and the runner's receives and deletes. */
const counts = { sqs: 0, runnerSqs: 0, dynamodbWriteRequests: 0, dynamodbWriteItems: 0 };
const WRITES = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'BatchWriteItemCommand']);
documentClient().middlewareStack.add(
  (next, context) => async (args) => {
    if (WRITES.has(context.commandName ?? '')) {
      counts.dynamodbWriteRequests++;
      const items = (args.input as { RequestItems?: Record<string, unknown[]> }).RequestItems;
      counts.dynamodbWriteItems += items ? Object.values(items).reduce((n, list) => n + list.length, 0) : 1;
    }
    return next(args);
  },
  { step: 'initialize', name: 'benchWrites' },
);
sqsClient().middlewareStack.add((next) => async (args) => (counts.sqs++, next(args)), { step: 'initialize', name: 'benchSqs' });
runtime.sqs.middlewareStack.add((next) => async (args) => (counts.runnerSqs++, next(args)), { step: 'initialize', name: 'benchRunner' });

/** CPU time (ms) of this process (the hub, or the baseline's loop) and of the stand-ins' over one measured part. */
const cpuOver = async <T>(part: () => Promise<T>): Promise<T & { cpuMs: { own: number; standIns: number } }> => {
  const [own, standIns] = [cpuMs(), await emulators.cpuMs()];
  const figures = await part();
  return { ...figures, cpuMs: { own: cpuMs() - own, standIns: (await emulators.cpuMs()) - standIns } };
};

let lastShown = 0;
const hub = await cpuOver(() => runThroughHub(runtime, municipality, asOf, (run) => {
  if (Date.now() - lastShown < 2000) return;
  lastShown = Date.now();
  say(`  hub: ${run.phase}, ${run.decided + run.unresolved}/${run.expected ?? '?'} decided, rss ${Math.round(process.memoryUsage.rss() / 2 ** 20)} MB`);
}));
const hubCounts = { ...counts };
const hubPeakRssMb = peakRssMb();
const stats = (await runtime.status()).functions;
say(`hub run: ${hub.candidates} candidates, ${hub.targets} targets in ${hub.seconds.toFixed(1)} s; direct baseline ...`);
const direct = await cpuOver(() => runDirect(municipality, asOf, 16));
say(`direct: ${direct.candidates} candidates, ${direct.targets} targets in ${direct.seconds.toFixed(1)} s`);
if (direct.targets !== hub.targets || direct.candidates !== hub.candidates) say('WARNING: the hub and the baseline disagree; the figures below compare different work');
await runtime.stop();
const emulator = await emulators.stop();

const perCandidate = (n: number) => Number((n / Math.max(1, hub.candidates)).toFixed(3));
console.log(
  JSON.stringify({
    persons,
    candidates: hub.candidates,
    hubSeconds: Number(hub.seconds.toFixed(2)),
    directSeconds: Number(direct.seconds.toFixed(2)),
    ratio: Number((hub.seconds / direct.seconds).toFixed(2)),
    candidatesPerSecond: Math.round(hub.candidates / hub.seconds),
    cpuRatio: Number((hub.cpuMs.own / direct.cpuMs.own).toFixed(2)),
    sqsRequestsPerCandidate: perCandidate(hubCounts.sqs + hubCounts.runnerSqs),
    dynamodbWritesPerCandidate: perCandidate(hubCounts.dynamodbWriteRequests),
    peakRssMb: hubPeakRssMb,
  }),
);
console.log(
  JSON.stringify({
    detail: 'requests per candidate',
    sqsByFunctions: perCandidate(hubCounts.sqs),
    sqsByEventSourcePolling: perCandidate(hubCounts.runnerSqs),
    dynamodbWriteItems: perCandidate(hubCounts.dynamodbWriteItems),
    targets: hub.targets,
    peakRssMbWithBaseline: peakRssMb(),
    emulatorPeakRssMb: emulator.peakRssMb,
  }),
);
const perCandidateMs = (ms: number) => Number((ms / Math.max(1, hub.candidates)).toFixed(2));
console.log(
  JSON.stringify({
    detail: 'CPU ms per candidate',
    hub: perCandidateMs(hub.cpuMs.own),
    hubStandIns: perCandidateMs(hub.cpuMs.standIns),
    direct: perCandidateMs(direct.cpuMs.own),
    directStandIns: perCandidateMs(direct.cpuMs.standIns),
  }),
);

if (!flag('skip-bundles')) {
  say('bundling every function with the deployed options ...');
  const bundles = await measureBundles(dir);
  for (const bundle of bundles) console.log(JSON.stringify(bundle));
  console.log(JSON.stringify(estimateCost(hub.candidates, hubCounts, stats)));
}
rmSync(dir, { recursive: true, force: true });
