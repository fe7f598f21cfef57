/**
 * The municipal records flow in the benchmark against the registers' real limits (its own line,
 * `"mode":"records"`): for each of N people of one municipality a plan, a review of it posted right
 * after (so that some reviews wait for their plan) and an assessment, half of the people jobseekers
 * (their plan and assessment go to the data store, the others' to Koto-AJ), posted through the door
 * at a steady rate by the municipality's own client. Each record is timed from its POST to its
 * `record.acknowledged.v1` in the municipality's inbox; the run's time is set against its floor, the
 * writes each store received ÷ the store's allowed rate, and each store's `maxRequestsPerSecond` is
 * printed beside its limit.
 */
import type { MunicipalRecord, RecordAcknowledgedV1 } from '#contracts/messages/records';
import { externalSystems } from '#infra/topology';
import { watchInboxes } from './inbox-watch.ts';
import { addBenchClient, percentileMs, postSteadily, waitUntil, whereTheyStand, type FlowBench } from './flow-support.ts';
import { assessmentRecord, planRecord, recordEnvelope, reviewRecord } from '../support/records.ts';

export interface RecordsBenchOptions {
  /** People of the municipality whose three records are posted. */
  readonly people: number;
  /** Records posted per second. */
  readonly rate: number;
}

const STORES = ['kotoaj', 'datastore'] as const;

/** A person's three records: plan, its review (posted right after it), assessment. */
const recordsOf = (municipality: string) => (hetu: string, i: number): MunicipalRecord[] => {
  const jobseeker = i % 2 === 0;
  return [
    planRecord({ recordId: `BENCH-SUU-${i}`, hetu, jobseeker, validFrom: '2026-06-01', validUntil: '2027-05-31', madeAt: '2026-06-01T09:00:00+03:00' }, municipality),
    reviewRecord({ recordId: `BENCH-TAR-${i}`, hetu, jobseeker, planRecordId: `BENCH-SUU-${i}`, date: '2026-10-01', madeAt: '2026-10-01T09:00:00+03:00' }, municipality),
    assessmentRecord({ recordId: `BENCH-ARV-${i}`, hetu, jobseeker, date: '2026-05-15', madeAt: '2026-05-15T09:00:00+03:00' }, municipality),
  ];
};

const BENCH_CLIENT = 'bench-records';

export const runRecordsBench = async (bench: FlowBench, options: RecordsBenchOptions): Promise<Record<string, unknown>> => {
  const statsOf = (store: (typeof STORES)[number]) => bench.admin.statsOf(bench.mockUrls[store]!);
  const before = Object.fromEntries(await Promise.all(STORES.map(async (s) => [s, (await statsOf(s)).total] as const)));
  const records = bench.people.slice(0, options.people).map((p) => p.hetu).flatMap(recordsOf(bench.municipality));
  await addBenchClient(bench, {
    clientId: BENCH_CLIENT,
    name: 'Municipal records system (bench)',
    sends: ['record.assessment.v1', 'record.plan.v1', 'record.plan-review.v1', 'record.service-completion.v1'],
    receives: ['record.acknowledged.v1'],
  });
  // By record id: a record released by its plan is acknowledged under the plan's correlation.
  const acks = watchInboxes(bench.runtime, 'record.acknowledged.v1', (envelope) => (envelope.payload as RecordAcknowledgedV1).recordId);
  const posted = new Map<string, number>();
  const correlationOf = new Map<string, string>();
  const start = await postSteadily(bench, BENCH_CLIENT, options.rate, records.length, (i) => {
    const record = records[i]!;
    const envelope = recordEnvelope(record, new Date().toISOString());
    posted.set(record.payload.recordId, performance.now());
    correlationOf.set(record.payload.recordId, envelope.correlationId);
    return envelope;
  });
  await waitUntil(bench, () => acks.seen.size >= posted.size, 180_000, () => `records: ${acks.seen.size}/${posted.size} acknowledged`);
  await acks.stop();
  const seconds = (Math.max(...acks.seen.values(), start) - start) / 1000;
  const latencies = [...posted].flatMap(([id, at]) => (acks.seen.has(id) ? [acks.seen.get(id)! - at] : []));
  const stats = Object.fromEntries(await Promise.all(STORES.map(async (s) => [s, await statsOf(s)] as const)));
  const unacknowledged = [...posted.keys()].filter((id) => !acks.seen.has(id)).map((id) => correlationOf.get(id)!);
  const writes = Object.fromEntries(STORES.map((s) => [s, stats[s]!.total - before[s]!]));
  // The floor: the posting itself, or the busiest store at its allowed rate, whichever is longer.
  const floorSeconds = Math.max(records.length / options.rate, ...STORES.map((s) => writes[s]! / externalSystems[s].ratePerSecond));
  return {
    mode: 'records',
    records: posted.size,
    acknowledged: latencies.length,
    seconds: Number(seconds.toFixed(2)),
    floorSeconds: Number(floorSeconds.toFixed(2)),
    recordsFloorRatio: Number((seconds / floorSeconds).toFixed(3)),
    acknowledgementP50Ms: percentileMs(latencies, 50),
    acknowledgementP95Ms: percentileMs(latencies, 95),
    writes,
    limitPerSecond: Object.fromEntries(STORES.map((s) => [s, externalSystems[s].ratePerSecond])),
    maxRequestsPerSecond: Object.fromEntries(STORES.map((s) => [s, stats[s]!.maxRequestsPerSecond])),
    ...(unacknowledged.length > 0 ? { unacknowledgedAt: await whereTheyStand(bench, unacknowledged) } : {}),
  };
};
