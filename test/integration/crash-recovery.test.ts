/**
 * Nothing lost when the hub crashes (issue 11, acceptance): the hub runs in a process of its own
 * (test/support/crash-hub.ts) on the shipped sample population (300 people), is SIGKILLed at a
 * kill point of an outreach run — while the lists are fetched, mid-lookups, mid-decisions, during
 * the assembly, and just after a referral was accepted — and is started again on the same data
 * folder. Its queues were in memory and are gone; from the tables alone the hub puts the lost work
 * back, and the run delivers the list an uninterrupted run gives (test/support/outreach-oracle.ts),
 * and the referral is decided.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { OutreachResult } from '#contracts/outreach-result';
import type { FixturePopulation } from '#contracts/population';
import { localTableName } from '#infra/local/dynamodb';
import { requestOutreachRun } from '#infra/local/outreach-client';
import { postEnvelopes, type ClientCredentials } from '#infra/local/door-client';
import { RunStore, type RunItem } from '#functions/outreach/run-store';
import { pendingCandidateKey } from '#functions/single-candidates/pending-candidate';
import { eventually } from '../support/hub.ts';
import { readPopulation, SAMPLE } from '../support/outreach-runs.ts';
import { expectedOutreachResult } from '../support/outreach-oracle.ts';
import { referral } from '../support/envelopes.ts';

const MUNICIPALITY = '905';
const AS_OF = '2026-11-01';
/** Small pages, so that the lists take several pages each and a kill can fall between them. */
const PAGE_SIZE = 10;
/** The run is about recovery, not pacing: the registers may be asked as fast as they answer. */
/**
 * Each case starts the hub twice in a child process (tsx compiles the hub at each start: seconds on
 * two shared cores) and runs 58 candidates: minutes, not the default minute.
 */
const CASE_TIMEOUT_MS = 180_000;
const RUN_TIMEOUT_MS = 120_000;
const RATE_LIMITS = { KOTO_RATE_LIMIT_VTJ: '500', KOTO_RATE_LIMIT_UMA: '500', KOTO_RATE_LIMIT_DATASTORE: '500', KOTO_RATE_LIMIT_KELMU: '500' };

interface Hub {
  readonly child: ChildProcess;
  readonly ingressUrl: string;
  /** The run requester's and the referrer's credentials at the door. */
  readonly operator: ClientCredentials;
  readonly referrer: ClientCredentials;
  readonly store: RunStore;
  readonly documents: DynamoDBDocumentClient;
  readonly exited: Promise<NodeJS.Signals | number | null>;
}

const running: Hub[] = [];
let population: FixturePopulation;

beforeAll(() => {
  population = readPopulation(SAMPLE);
});
afterEach(async () => {
  for (const hub of running.splice(0)) {
    if (hub.child.exitCode === null && hub.child.signalCode === null) hub.child.kill('SIGTERM');
    await hub.exited;
    hub.documents.destroy();
  }
});

/** Starts the hub in a process of its own on `dataDir`; with `crashAt`, it SIGKILLs itself there. */
const startHub = async (dataDir: string, crashAt?: string): Promise<Hub> => {
  const child = spawn('node', ['--import', 'tsx', 'test/support/crash-hub.ts'], {
    env: { ...process.env, ...RATE_LIMITS, KOTO_DATA_DIR: dataDir, KOTO_POPULATION: SAMPLE, ...(crashAt ? { KOTO_CRASH_AT: crashAt } : {}) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
  type Ready = { ingressUrl: string; dynamodbEndpoint: string; operator: ClientCredentials; referrer: ClientCredentials };
  const ready = await new Promise<Ready>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (line) => resolve(JSON.parse(line) as Ready));
    void exited.then((end) => reject(new Error(`the hub ended before it was up (${String(end)})`)));
  });
  const client = new DynamoDBClient({ region: 'eu-north-1', endpoint: ready.dynamodbEndpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const documents = DynamoDBDocumentClient.from(client);
  const hub = { child, ingressUrl: ready.ingressUrl, operator: ready.operator, referrer: ready.referrer, store: new RunStore(documents, localTableName('correlation')), documents, exited };
  running.push(hub);
  return hub;
};

const delivered = (hub: Hub, runId: string): Promise<RunItem> =>
  eventually(
    async () => {
      const run = await hub.store.getRun(runId);
      return run?.phase === 'delivered' && run.location ? run : undefined;
    },
    `the delivery of run ${runId}`,
    RUN_TIMEOUT_MS,
  ).catch(async (error: Error) => {
    // Say where the run stands: what it still waits for shows in its item.
    const { phase, pages, expected, decided, unresolved, recoveries } = (await hub.store.getRun(runId)) ?? ({} as Partial<RunItem>);
    throw new Error(`${error.message}; the run is ${JSON.stringify({ phase, pages, expected, decided, unresolved, recoveries })}`);
  });

interface KillPoint {
  readonly name: string;
  /** `<queue>:<n>` (and the referral's correlation id where the kill waits for it). */
  readonly crashAt: (referralId: string) => string;
  /** Whether a referral is posted with the run. */
  readonly referral?: boolean;
}

const KILL_POINTS: readonly KillPoint[] = [
  // Page 2 of a list on its way to the splitter: one page split, the rest of the lists still to fetch.
  { name: 'while the lists are fetched', crashAt: () => 'outreach-candidates:2' },
  // The lists are in as pages of the run, the candidates not yet written: recovery's fan-out writes them.
  { name: 'as the lists are whole and the fan-out is sent', crashAt: () => 'outreach-fanout:1' },
  // The fan-out's third batch of lookups: twenty sent, the rest never.
  { name: 'mid-lookups, while the fan-out sends them', crashAt: () => 'vtj-lookups:21' },
  { name: 'mid-decisions', crashAt: () => 'outreach-decisions:25' },
  { name: 'during the assembly', crashAt: () => 'outreach-results:1' },
  // The referral is recorded as a pending candidate; its lookup dies with the process.
  { name: 'just after a referral was accepted', crashAt: (referralId) => `vtj-lookups:1:${referralId}`, referral: true },
];

describe('the hub killed mid-run and started again on the same data folder', () => {
  it.each(KILL_POINTS)('completes the run with the list of an uninterrupted run when killed $name', async (point) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'koto-hub-crash-'));
    const runId = randomUUID();
    const person = population.persons.find((p) => p.homeMunicipality === MUNICIPALITY && p.dateOfDeath === null)!;
    const referred = referral({ municipality: MUNICIPALITY, payload: { hetu: person.hetu } });

    const first = await startHub(dataDir, point.crashAt(referred.correlationId));
    await requestOutreachRun(first.ingressUrl, first.operator, { runId, municipality: MUNICIPALITY, asOf: AS_OF, pageSize: PAGE_SIZE, requestedBy: 'cli' });
    if (point.referral) {
      const accepted = await postEnvelopes(first.ingressUrl, first.referrer, referred);
      expect(accepted.status).toBe(202);
    }
    expect(await first.exited).toBe('SIGKILL');
    first.documents.destroy();

    const second = await startHub(dataDir);
    const run = await delivered(second, runId);
    const result = JSON.parse(readFileSync(run.location!, 'utf8')) as OutreachResult;
    const expected = expectedOutreachResult(population, MUNICIPALITY, AS_OF);
    expect(result.targets.map((t) => t.hetu)).toEqual(expected.targets.map((t) => t.hetu));
    expect(result.targets).toEqual(expected.targets);
    expect(result.exclusions).toEqual(expected.exclusions);
    expect(result.unresolved ?? 0).toBe(0);
    // Counted once: the counters say what the candidates say, however often work was put back.
    expect(run.decided + run.unresolved).toBe(run.expected);
    expect(run.expected).toBe(expected.targets.length + Object.values(expected.exclusions).reduce((n, c) => n + c, 0));

    if (point.referral) {
      // The referral is the municipality's only pending candidate in this data folder.
      const decided = await eventually(
        async () => {
          const { Items = [] } = await second.documents.send(
            new QueryCommand({ TableName: localTableName('correlation'), KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pendingCandidateKey(MUNICIPALITY, '').pk }, ConsistentRead: true }),
          );
          expect(Items).toHaveLength(1);
          return Items[0]!.status === 'decided' ? Items[0]! : undefined;
        },
        'the referral decided',
        30_000,
      );
      expect(decided.outcome).not.toBe('UNRESOLVED');
    }
  }, CASE_TIMEOUT_MS);
});
