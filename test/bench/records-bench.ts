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
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { MunicipalRecord, RecordAcknowledgedV1 } from '#contracts/messages/records';
import { localTableName } from '#infra/local/dynamodb';
import { postEnvelopes } from '#infra/local/door-client';
import { addClient } from '#infra/local/local-clients';
import type { Runtime } from '#infra/local/runtime';
import { externalSystems } from '#infra/topology';
import { percentile, watchInboxes } from './inbox-watch.ts';
import { assessmentRecord, planRecord, recordEnvelope, reviewRecord } from '../support/records.ts';

export interface RecordsBenchOptions {
  /** The municipality whose system posts the records. */
  readonly municipality: string;
  /** People of that municipality, with valid identity codes. */
  readonly hetus: readonly string[];
  /** Records posted per second. */
  readonly rate: number;
  /** Each store's mock: its statistics after the run. */
  readonly statsOf: (system: 'kotoaj' | 'datastore') => Promise<{ readonly total: number; readonly maxRequestsPerSecond: number }>;
  readonly say: (line: string) => void;
}

const STORES = ['kotoaj', 'datastore'] as const;

/** Where records without an acknowledgement stand: their audit's last hop, `stage:outcome`, counted (no personal data). */
const whereTheyStand = async (runtime: Runtime, correlationIds: readonly string[]): Promise<Record<string, number>> => {
  const documents = DynamoDBDocumentClient.from(runtime.dynamodb);
  const counts: Record<string, number> = {};
  for (const correlationId of correlationIds) {
    const { Items = [] } = await documents.send(
      new QueryCommand({ TableName: localTableName('audit'), KeyConditionExpression: 'correlationId = :c', ExpressionAttributeValues: { ':c': correlationId } }),
    );
    const last = Items.reduce<Record<string, unknown> | undefined>((a, b) => (!a || String(b.recordedAt) > String(a.recordedAt) ? b : a), undefined);
    const key = last ? `${String(last.stage)}:${String(last.outcome)}` : 'no audit record';
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
};

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

export const runRecordsBench = async (runtime: Runtime, options: RecordsBenchOptions): Promise<Record<string, unknown>> => {
  const before = Object.fromEntries(await Promise.all(STORES.map(async (s) => [s, (await options.statsOf(s)).total] as const)));
  const records = options.hetus.flatMap(recordsOf(options.municipality));
  // A client of its own: the demo client's 600 requests a minute would hold the posting back.
  await addClient(runtime.clients, runtime.pki, {
    clientId: BENCH_CLIENT,
    name: 'Municipal records system (bench)',
    system: `municipality:${options.municipality}`,
    municipalities: [options.municipality],
    sends: ['record.assessment.v1', 'record.plan.v1', 'record.plan-review.v1', 'record.service-completion.v1'],
    receives: ['record.acknowledged.v1'],
    ratePerMinute: 60_000,
  });
  // By record id: a record released by its plan is acknowledged under the plan's correlation.
  const acks = watchInboxes(runtime, 'record.acknowledged.v1', (envelope) => (envelope.payload as RecordAcknowledgedV1).recordId);
  const posted = new Map<string, number>();
  const correlationOf = new Map<string, string>();
  const gap = 1000 / options.rate;
  const start = performance.now();
  for (const [i, record] of records.entries()) {
    const wait = start + i * gap - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const envelope = recordEnvelope(record, new Date().toISOString());
    posted.set(record.payload.recordId, performance.now());
    correlationOf.set(record.payload.recordId, envelope.correlationId);
    const response = await postEnvelopes(runtime.ingressUrl, runtime.credentials(BENCH_CLIENT), envelope);
    if (response.status !== 202) throw new Error(`a record was refused at the door: HTTP ${response.status}`);
  }
  let lastShown = performance.now();
  const patience = performance.now() + 180_000;
  while (acks.seen.size < posted.size && performance.now() < patience) {
    if (performance.now() - lastShown > 5000) {
      lastShown = performance.now();
      options.say(`  records: ${acks.seen.size}/${posted.size} acknowledged`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await acks.stop();
  const seconds = (Math.max(...acks.seen.values(), start) - start) / 1000;
  const latencies = [...posted].flatMap(([id, at]) => (acks.seen.has(id) ? [acks.seen.get(id)! - at] : [])).sort((a, b) => a - b);
  const stats = Object.fromEntries(await Promise.all(STORES.map(async (s) => [s, await options.statsOf(s)] as const)));
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
    acknowledgementP50Ms: Math.round(percentile(latencies, 50)),
    acknowledgementP95Ms: Math.round(percentile(latencies, 95)),
    writes,
    limitPerSecond: Object.fromEntries(STORES.map((s) => [s, externalSystems[s].ratePerSecond])),
    maxRequestsPerSecond: Object.fromEntries(STORES.map((s) => [s, stats[s]!.maxRequestsPerSecond])),
    ...(unacknowledged.length > 0 ? { unacknowledgedAt: await whereTheyStand(runtime, unacknowledged) } : {}),
  };
};
