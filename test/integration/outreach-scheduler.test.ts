/**
 * The monthly outreach schedule through the real embedded runtime: triggering the scheduler (what
 * EventBridge does in AWS on the first of the month) requests one run per municipality the hub
 * serves, each run starts once and is delivered, and triggering it again in the same month — at
 * once, or after the runs have started — requests no second run.
 */
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localTableName } from '#infra/local/dynamodb';
import { RunStore, type RunItem } from '#functions/outreach/run-store';
import { finnishMonth, monthlyRunId, SCHEDULER_STAGE } from '#functions/outreach-scheduler/monthly-runs';
import type { ScheduleResult } from '#functions/outreach-scheduler/handler';
import { eventually, startTestHub, type TestHub } from '../support/hub.ts';

const POPULATION = 'mocks/population/sample.json';
const SCHEDULER = 'outreach-scheduler';
/** The municipalities the embedded runtime serves by default: those of the sample population. */
const SERVED = ['905', '091', '837'];
/** This file is about scheduling, not pacing: the mocks may be asked as fast as they answer. */
const RATE_LIMITS = { KOTO_RATE_LIMIT_VTJ: '500', KOTO_RATE_LIMIT_UMA: '500', KOTO_RATE_LIMIT_DATASTORE: '500', KOTO_RATE_LIMIT_KELMU: '500' };
const savedEnv = Object.fromEntries(Object.keys(RATE_LIMITS).map((name) => [name, process.env[name]]));

let hub: TestHub;
let runs: RunStore;
/** The month the schedule fires in during this test, and so the runs' day. */
let month: string;

const trigger = async (): Promise<ScheduleResult> => (await hub.trigger(SCHEDULER)) as ScheduleResult;
const expectedRuns = () => SERVED.map((municipality) => ({ municipality, runId: monthlyRunId(municipality, month) }));
const hopsOf = async (runId: string, stage: string) => (await hub.auditOf(runId)).filter((record) => record.stage === stage);

beforeAll(async () => {
  Object.assign(process.env, RATE_LIMITS);
  hub = await startTestHub({ population: POPULATION, scheduleSeconds: 0 });
  runs = new RunStore(DynamoDBDocumentClient.from(hub.dynamodb), localTableName('correlation'));
  month = finnishMonth(new Date());
});
afterAll(async () => {
  await hub?.stop();
  for (const [name, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

describe('the monthly outreach schedule on the embedded runtime', () => {
  it('is not run by the clock: a cron schedule runs only when triggered', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    for (const { runId } of expectedRuns()) {
      expect(await runs.getRun(runId)).toBeUndefined();
      expect(await hub.auditOf(runId)).toEqual([]);
    }
  });

  it('requests one run per municipality, each started once and delivered, even when triggered twice at once', async () => {
    // Two triggers at once: the second may run before any run is recorded and send the same
    // requests again; the run's first hop drops them as duplicates.
    const [first, second] = await Promise.all([trigger(), trigger()]);
    expect(first).toEqual({ month, asOf: `${month}-01`, requested: expectedRuns(), existing: [] });
    expect([...second.requested, ...second.existing].sort((a, b) => a.runId.localeCompare(b.runId))).toEqual(
      expectedRuns().sort((a, b) => a.runId.localeCompare(b.runId)),
    );

    const delivered = await eventually(
      async () => {
        const items = await Promise.all(expectedRuns().map(({ runId }) => runs.getRun(runId)));
        return items.every((run) => run?.phase === 'delivered') ? (items as RunItem[]) : undefined;
      },
      'the scheduled runs to be delivered',
      120_000,
    );
    expect(delivered.map((run) => [run.municipality, run.asOf])).toEqual(SERVED.map((m) => [m, `${month}-01`]));
    for (const run of delivered) expect(run.location).toBeTruthy();

    for (const { runId, municipality } of expectedRuns()) {
      const requested = await hopsOf(runId, SCHEDULER_STAGE);
      expect(requested, `the root record of ${municipality}'s request`).toHaveLength(1);
      expect(requested[0]).toMatchObject({ type: 'outreach.run.requested.v1', outcome: 'requested', parentHop: null, municipality });
      const started = await hopsOf(runId, 'outreach-run');
      expect(started.map((hop) => hop.outcome), `the runs of ${municipality}`).toEqual(['run-started']);
    }
  }, 180_000);

  it('a later trigger in the same month requests none', async () => {
    const again = await trigger();
    expect(again).toEqual({ month, asOf: `${month}-01`, requested: [], existing: expectedRuns() });
    // Nothing was sent: the runs' audit holds the one request and the one start each.
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const { runId } of expectedRuns()) {
      expect(await hopsOf(runId, SCHEDULER_STAGE)).toHaveLength(1);
      expect(await hopsOf(runId, 'outreach-run')).toHaveLength(1);
      expect((await runs.getRun(runId))?.phase).toBe('delivered');
    }
  });
});
