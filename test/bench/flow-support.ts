/**
 * What the benchmark's flow lines (records, wellbeing, claims) share: the hub and mocks they run on,
 * a municipal system of their own at the door, posting at a steady rate, waiting with a word of
 * progress, and the audit of a correlation.
 */
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { FixturePerson } from '#contracts/population';
import { localTableName } from '#infra/local/dynamodb';
import { postEnvelopes } from '#infra/local/door-client';
import { addClient } from '#infra/local/local-clients';
import type { Runtime } from '#infra/local/runtime';
import type { ExternalSystem } from '#infra/topology';
import { percentile } from './inbox-watch.ts';

export interface MockStats {
  readonly total: number;
  /** Arrivals in the busiest one-second window. */
  readonly maxRequestsPerSecond: number;
}

/** A mock's admin endpoints, by its URL (test/bench/rate-floor.ts has them). */
export interface MockAdmin {
  statsOf(url: string): Promise<MockStats>;
  /** Clears the mock's counters, log, state and fault rules (its latency among them). */
  reset(url: string): Promise<unknown>;
  setLatency(url: string, ms: number): Promise<unknown>;
}

/** The hub and the mocks a flow line runs on, after the rate-floor line on the same ones. */
export interface FlowBench {
  readonly runtime: Runtime;
  /** The municipality whose system posts. */
  readonly municipality: string;
  /** That municipality's people, with valid identity codes, as the mocks hold them. */
  readonly people: readonly FixturePerson[];
  /** Each mock's URL by system (a county's as `wellbeing:<county>`). */
  readonly mockUrls: Readonly<Record<string, string>>;
  readonly admin: MockAdmin;
  readonly latencyMs: Readonly<Record<ExternalSystem, number>>;
  readonly say: (line: string) => void;
}

/**
 * A mock made fresh for a line (counters cleared, at its realistic latency), so the line's calls and
 * busiest second are its own; resolves with a reader of its statistics.
 */
export const freshMock = async (bench: FlowBench, system: string, latencyMs: number): Promise<() => Promise<MockStats>> => {
  const url = bench.mockUrls[system];
  if (!url) throw new Error(`the emulators have no mock of ${system}`);
  if (url.startsWith('https:')) throw new Error(`the mock of ${system} is reached with mutual TLS, which the benchmark's admin calls do not present: choose a municipality whose county is reached over X-Road`);
  // `/__reset` clears the fault rules too: the latency is set after it.
  await bench.admin.reset(url);
  await bench.admin.setLatency(url, latencyMs);
  return () => bench.admin.statsOf(url);
};

/** A municipal system of the line's own: the demo client's 600 requests a minute would hold the posting back. */
export const addBenchClient = (bench: FlowBench, client: { readonly clientId: string; readonly name: string; readonly sends: string[]; readonly receives: string[] }) =>
  addClient(bench.runtime.clients, bench.runtime.pki, {
    ...client,
    system: `municipality:${bench.municipality}`,
    municipalities: [bench.municipality],
    ratePerMinute: 60_000,
  });

/**
 * Posts `count` envelopes through the door as `clientId`, `rate` a second from the moment it is
 * called (which it resolves with, `performance.now()`); `envelopeAt(i)` makes the i-th just before
 * it is posted, so the caller notes the time there.
 */
export const postSteadily = async (bench: FlowBench, clientId: string, rate: number, count: number, envelopeAt: (i: number) => unknown): Promise<number> => {
  const gap = 1000 / rate;
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const wait = start + i * gap - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const response = await postEnvelopes(bench.runtime.ingressUrl, bench.runtime.credentials(clientId), envelopeAt(i));
    if (response.status !== 202) throw new Error(`the door refused a message of the bench: HTTP ${response.status}`);
  }
  return start;
};

/**
 * Waits until `done()` or `patienceMs` have passed, saying `progress()` every five seconds; `tick`,
 * when given, runs between the looks (and sets its own pace: no pause follows it).
 */
export const waitUntil = async (bench: FlowBench, done: () => boolean, patienceMs: number, progress: () => string, tick?: () => Promise<void>): Promise<void> => {
  let lastShown = performance.now();
  const patience = performance.now() + patienceMs;
  while (!done() && performance.now() < patience) {
    if (performance.now() - lastShown > 5000) {
      lastShown = performance.now();
      bench.say(`  ${progress()}`);
    }
    await (tick ? tick() : new Promise((resolve) => setTimeout(resolve, 200)));
  }
};

export interface AuditRecord {
  readonly stage: string;
  readonly outcome: string;
  /** ISO time. */
  readonly recordedAt: string;
}

/** The audit records of one correlation: each hop's stage, outcome and time. */
export const auditOf = async (bench: FlowBench, correlationId: string): Promise<AuditRecord[]> => {
  const { Items = [] } = await DynamoDBDocumentClient.from(bench.runtime.dynamodb).send(
    new QueryCommand({ TableName: localTableName('audit'), KeyConditionExpression: 'correlationId = :c', ExpressionAttributeValues: { ':c': correlationId } }),
  );
  return Items.map((item) => ({ stage: String(item.stage), outcome: String(item.outcome), recordedAt: String(item.recordedAt) }));
};

/** Where unfinished correlations stand: their audit's last hop, `stage:outcome`, counted (no personal data). */
export const whereTheyStand = async (bench: FlowBench, correlationIds: readonly string[]): Promise<Record<string, number>> => {
  const counts: Record<string, number> = {};
  for (const correlationId of correlationIds) {
    const records = await auditOf(bench, correlationId);
    const last = records.reduce<AuditRecord | undefined>((a, b) => (!a || b.recordedAt > a.recordedAt ? b : a), undefined);
    const key = last ? `${last.stage}:${last.outcome}` : 'no audit record';
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
};

/** Milliseconds, rounded, of the p-th percentile of unsorted waits. */
export const percentileMs = (waits: readonly number[], p: number): number => Math.round(percentile([...waits].sort((a, b) => a - b), p));
