/**
 * The compensation claims flow in the benchmark against the registers' real limits (its own line,
 * `"mode":"claims"`): one batch of M cost rows (`claims.costs.submitted.v1`) posted through the door
 * by the municipality's own finance system — rows of its people under protection, interpretation
 * and social assistance over two half-years, and one preparedness row — so the accepted rows make
 * several claims. Timed from the POST to each row's `claims.row.decided.v1` in the inbox and to
 * each claim's receipt from YA (the YA adapter's `claim-received` hop in the audit). The floor is
 * the UMA calls ÷ UMA's rate or the YA calls ÷ YA's, the larger; each mock's `maxRequestsPerSecond`
 * is printed beside its limit.
 */
import type { CostRowV1 } from '#contracts/claims/cost-rows';
import type { ClaimsRowDecidedV1 } from '#contracts/messages/claims';
import type { FixturePerson } from '#contracts/population';
import { externalSystems } from '#infra/topology';
import { watchInboxes } from './inbox-watch.ts';
import { addBenchClient, auditOf, freshMock, percentileMs, postSteadily, waitUntil, whereTheyStand, type FlowBench } from './flow-support.ts';
import { costsEnvelope } from '../support/claims.ts';

export interface ClaimsBenchOptions {
  /** Cost rows in the one batch (at most 500, the batch's limit). */
  readonly rows: number;
}

const BENCH_CLIENT = 'bench-claims';
const REGISTERS = ['uma', 'ya'] as const;

/** The rows: each of a person under protection (people repeat when there are fewer), the last one of preparedness, which names no one. */
const rowsOf = (people: readonly FixturePerson[], count: number): CostRowV1[] => {
  const protectedPeople = people.filter((p) => p.residence?.ground === 'international-protection');
  const pool = protectedPeople.length > 0 ? protectedPeople : people;
  return Array.from({ length: count }, (_, i): CostRowV1 => {
    const voucher = `BENCH-CLAIM-${i}`;
    if (i === count - 1) return { voucher, hetu: null, compensationType: 'PREPAREDNESS', from: '2026-10-01', to: '2026-10-31', amountCents: 250_000 };
    // Two types over two half-years: four claims of persons' rows, as a month's export would make.
    const [from, to] = i % 4 < 2 ? ['2026-10-01', '2026-10-31'] : ['2026-05-01', '2026-05-31'];
    return { voucher, hetu: pool[i % pool.length]!.hetu, compensationType: i % 2 === 0 ? 'INTERPRETATION' : 'SOCIAL_ASSISTANCE', from, to, amountCents: 10_000 + i };
  });
};

export const runClaimsBench = async (bench: FlowBench, options: ClaimsBenchOptions): Promise<Record<string, unknown>> => {
  const statsOf = Object.fromEntries(await Promise.all(REGISTERS.map(async (s) => [s, await freshMock(bench, s, bench.latencyMs[s])] as const)));
  await addBenchClient(bench, {
    clientId: BENCH_CLIENT,
    name: 'Municipal finance system (bench)',
    sends: ['claims.costs.submitted.v1'],
    receives: ['claims.row.decided.v1', 'claims.deadline.near.v1', 'claims.claim.decided.v1', 'claims.claim.paid.v1'],
  });
  const rows = rowsOf(bench.people, options.rows);
  const claimNumbers = new Set<string>();
  const decisions = watchInboxes(bench.runtime, 'claims.row.decided.v1', (envelope) => {
    const decision = envelope.payload as ClaimsRowDecidedV1;
    if (decision.claimNumber) claimNumbers.add(decision.claimNumber);
    return decision.voucher;
  });
  const envelope = costsEnvelope({ batchId: `bench-claims-${Date.now()}`, rows }, bench.municipality);
  const wall = Date.now();
  const start = await postSteadily(bench, BENCH_CLIENT, 1, 1, () => envelope);
  /** Milliseconds from the POST to YA's receipt of each claim. */
  let atYa: number[] = [];
  const readReceipts = async () => {
    atYa = (await auditOf(bench, envelope.correlationId)).filter((r) => r.stage === 'ya-adapter' && r.outcome === 'claim-received').map((r) => Date.parse(r.recordedAt) - wall);
  };
  const done = () => decisions.seen.size >= rows.length && atYa.length >= claimNumbers.size;
  await waitUntil(bench, done, 180_000, () => `claims: ${decisions.seen.size}/${rows.length} rows decided, ${atYa.length} claims at YA`, async () => {
    await readReceipts();
    await new Promise((resolve) => setTimeout(resolve, 300));
  });
  await decisions.stop();
  await readReceipts();

  const decided = [...decisions.seen.values()].map((at) => at - start);
  const stats = Object.fromEntries(await Promise.all(REGISTERS.map(async (s) => [s, await statsOf[s]!()] as const)));
  const floors = REGISTERS.map((s) => ({ system: s, seconds: stats[s]!.total / externalSystems[s].ratePerSecond }));
  const floor = floors.reduce((a, b) => (b.seconds > a.seconds ? b : a));
  const seconds = Math.max(0, ...decided, ...atYa) / 1000;
  return {
    mode: 'claims',
    rows: rows.length,
    decided: decided.length,
    claims: claimNumbers.size,
    claimsAtYa: atYa.length,
    seconds: Number(seconds.toFixed(2)),
    floorSeconds: Number(floor.seconds.toFixed(2)),
    floorSystem: floor.system,
    claimsFloorRatio: Number((seconds / floor.seconds).toFixed(3)),
    rowDecidedP50Ms: percentileMs(decided, 50),
    rowDecidedP95Ms: percentileMs(decided, 95),
    firstClaimAtYaMs: Math.round(Math.min(...atYa)),
    lastClaimAtYaMs: Math.round(Math.max(...atYa)),
    calls: Object.fromEntries(REGISTERS.map((s) => [s, stats[s]!.total])),
    limitPerSecond: Object.fromEntries(REGISTERS.map((s) => [s, externalSystems[s].ratePerSecond])),
    maxRequestsPerSecond: Object.fromEntries(REGISTERS.map((s) => [s, stats[s]!.maxRequestsPerSecond])),
    ...(!done() ? { unfinishedAt: await whereTheyStand(bench, [envelope.correlationId]) } : {}),
  };
};
