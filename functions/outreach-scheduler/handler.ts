/**
 * The outreach scheduler, invoked monthly (EventBridge in AWS; on the embedded runtime when
 * triggered): requests the run of each municipality the hub serves for the month, unless the run is
 * known already. Each request gets a root audit record and goes to `outreach-runs`.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { hubMetrics } from '#infra/topology';
import { servedMunicipalities } from '#lib/config';
import { logger } from '#lib/logger';
import { metrics, MetricUnit } from '#lib/metrics';
import { emitRoots } from '#lib/root-hop';
import { runStore } from '#functions/outreach/deps';
import { finnishMonth, monthlyRunRequests, SCHEDULER_STAGE } from '#functions/outreach-scheduler/monthly-runs';

export interface ScheduledRun {
  readonly municipality: string;
  readonly runId: string;
}

export interface ScheduleResult {
  /** The month (YYYY-MM) the runs are for; each run's day is its first. */
  readonly month: string;
  readonly asOf: string;
  /** Runs requested by this invocation. */
  readonly requested: readonly ScheduledRun[];
  /** Runs the run store knew already: not requested again. */
  readonly existing: readonly ScheduledRun[];
}

export const handler = middy<ScheduledEvent, ScheduleResult, Error, Context>()
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
  .handler(async (event) => {
    // The time the schedule fired (the same on EventBridge's retries), so a retry asks for the same month.
    const when = event.time ? new Date(event.time) : new Date();
    const month = finnishMonth(when);
    const requests = monthlyRunRequests(servedMunicipalities(), when);
    const store = runStore();
    const known = await Promise.all(requests.map(async (request) => (await store.getRun(request.correlationId)) !== undefined));
    const fresh = requests.filter((_, i) => !known[i]);
    if (fresh.length > 0) await emitRoots('outreach-runs', fresh, SCHEDULER_STAGE, 'requested');
    const runOf = (request: (typeof requests)[number]): ScheduledRun => ({ municipality: request.municipality, runId: request.correlationId });
    const result: ScheduleResult = {
      month,
      asOf: `${month}-01`,
      requested: fresh.map(runOf),
      existing: requests.filter((_, i) => known[i]).map(runOf),
    };
    logger.info('monthly outreach runs', { month, requested: result.requested.length, existing: result.existing.length });
    metrics.addMetric(hubMetrics.outreachRunsRequested, MetricUnit.Count, fresh.length);
    return result;
  });
