/**
 * The outreach benchmark's two measurements on one population and one set of mocks:
 * - the hub: the whole run through the embedded runtime (queues, tables, every function);
 * - the direct baseline: the same adapters' calls and mappers and the same rules in a loop over
 *   the lists, with no queue and no table — the least a run can cost.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { parseHetu } from '#contracts/hetu';
import type { KelmuRow } from '#contracts/kelmu/mapper';
import type { FixturePopulation } from '#contracts/population';
import { localTableName } from '#infra/local/dynamodb';
import { awaitRunDelivery, requestOutreachRun } from '#infra/local/outreach-client';
import { OPERATOR_CLIENT } from '#infra/local/local-clients';
import type { Runtime } from '#infra/local/runtime';
import { classifyError } from '#lib/errors';
import { withInFlight } from '#lib/in-flight';
import { RateLimiter } from '#lib/rate-limit';
import { xroadConfigFromEnv, XRoadHttpClient } from '#lib/xroad-client';
import { RunStore, type RunItem } from '#functions/outreach/run-store';
import { decideCandidate } from '#functions/outreach/rules';
import { fetchKelmuPage } from '#functions/kelmu-adapter/fetch-page';
import { fetchProtectionListPage } from '#functions/uma-list-adapter/fetch-page';
import { queryPerson } from '#functions/vtj-adapter/query-person';
import { vtjCredentialsProvider } from '#functions/vtj-adapter/credentials';
import { queryResidence } from '#functions/uma-adapter/query-residence';
import { queryStatus } from '#functions/datastore-adapter/query-status';

export interface RunFigures {
  /** When the run was asked for (epoch ms). */
  readonly startedAt: number;
  readonly seconds: number;
  readonly candidates: number;
  readonly targets: number;
}

/**
 * The run is read twice a second while it decides and every 50 ms from its last hundred candidates
 * on: timed to its delivery within 50 ms, without the reads (each a request the stand-ins answer, on
 * the cores the hub runs on) taking a share of the run they time.
 */
const readInterval = (run: RunItem | undefined): number =>
  run && run.expected !== null && run.decided + run.unresolved >= run.expected - 100 ? 50 : 500;

export const runThroughHub = async (runtime: Runtime, municipality: string, asOf: string, onProgress: (run: RunItem) => void): Promise<RunFigures> => {
  const store = new RunStore(DynamoDBDocumentClient.from(runtime.dynamodb), localTableName('correlation'));
  const runId = randomUUID();
  const startedAt = Date.now();
  const started = performance.now();
  await requestOutreachRun(runtime.ingressUrl, runtime.credentials(OPERATOR_CLIENT), { runId, municipality, asOf, pageSize: 500, requestedBy: 'cli' });
  const run = await awaitRunDelivery(store, runId, 3_600_000, onProgress, readInterval);
  if (!run) throw new Error('the hub run did not complete');
  const delivered = (run as { delivered?: { targets: number } }).delivered;
  return { startedAt, seconds: (performance.now() - started) / 1000, candidates: run.expected ?? 0, targets: delivered?.targets ?? 0 };
};

/**
 * A transient fault (a network fault under load, say) is tried once more, as the hub’s queue
 * would try the message again; a second ends the baseline. Without it one network fault in some
 * 17,000 calls ended a whole `npm run bench` (2026-12-04).
 */
const twice = async <T>(call: () => Promise<T>): Promise<T> => {
  try {
    return await call();
  } catch (error) {
    if (classifyError(error).kind !== 'transient') throw error;
    return call();
  }
};

export const runDirect = async (municipality: string, asOf: string, concurrency: number): Promise<RunFigures> => {
  const client = new XRoadHttpClient(xroadConfigFromEnv(), new RateLimiter(1_000_000));
  const credentials = await vtjCredentialsProvider()();
  const startedAt = Date.now();
  const started = performance.now();
  const deadline = () => Date.now() + 30_000;
  const people = new Map<string, KelmuRow[]>();
  const add = (hetu: string, rows: KelmuRow[]) => {
    const code = hetu.trim().toUpperCase();
    people.set(code, [...(people.get(code) ?? []), ...rows]);
  };
  for (let page = 1, more = true; more; page++) {
    const got = await twice(() => fetchKelmuPage(client, { municipality, date: asOf, page, pageSize: 500, replyTo: 'x', context: {} }, { deadline: deadline() }));
    for (const row of got.page.rows) add(row.hetu, [row]);
    more = got.hasMore;
  }
  for (let page = 1, more = true; more; page++) {
    const got = await twice(() => fetchProtectionListPage(client, { municipality, page, pageSize: 500, replyTo: 'x', context: {} }, { deadline: deadline() }));
    for (const r of got.page.recipients) add(r.hetu, []);
    more = got.hasMore;
  }
  let targets = 0;
  await withInFlight([...people], concurrency, async ([hetu, kelaRows]) => {
    const parsed = parseHetu(hetu);
    const facts = { municipality, asOf, hetu, kelaRows };
    if (!parsed.ok) return void decideCandidate(facts);
    const options = { deadline: deadline() };
    const [vtj, residence, integration] = await Promise.all([
      twice(() => queryPerson(client, credentials, parsed.hetu.code, options)),
      twice(() => queryResidence(client, parsed.hetu.code, asOf, options)),
      twice(() => queryStatus(client, parsed.hetu.code, options)),
    ]);
    if (decideCandidate({ ...facts, vtj, residence, integration }).kind === 'target') targets++;
  });
  return { startedAt, seconds: (performance.now() - started) / 1000, candidates: people.size, targets };
};

/** The population's size in candidates of one municipality (for the progress line). */
export const personsIn = (population: FixturePopulation, municipality: string): number =>
  population.persons.filter((p) => p.homeMunicipality === municipality).length;
