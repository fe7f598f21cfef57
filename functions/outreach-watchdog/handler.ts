/**
 * The outreach watchdog, invoked by a schedule: closes runs whose counters fell behind, raises
 * stalls, and puts lost work back (functions/outreach-recovery).
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { buildEnvelope } from '#contracts/messages/registry';
import { hubMetrics } from '#infra/topology';
import { deterministicUuid } from '#lib/ids';
import { logger } from '#lib/logger';
import { metrics, MetricUnit } from '#lib/metrics';
import { emitRoots } from '#lib/root-hop';
import { runStore } from '#functions/outreach/deps';
import { watchRuns, type WatchResult } from '#functions/outreach-watchdog/watch-runs';
import { recoverOpenWork } from '#functions/outreach-recovery/recover';
import { recoveryDeps } from '#functions/outreach-recovery/deps';

export const WATCHDOG_STAGE = 'outreach-watchdog';

/** Seconds without progress after which a run counts as stalled (KOTO_STALL_SECONDS). */
const stallSeconds = (): number => Number(process.env.KOTO_STALL_SECONDS ?? 900);

export const handler = middy<ScheduledEvent, WatchResult, Error, Context>()
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
  .handler(async () => {
    const result = await watchRuns({
      store: runStore(),
      now: Date.now,
      stallSeconds: stallSeconds(),
      // Ids from the run and its last progress: a stall seen again without progress is the same event.
      decided: async (run, event) => {
        const envelope = buildEnvelope('outreach.run.decided.v1', event, {
          messageId: deterministicUuid(run.runId, WATCHDOG_STAGE, 'decided', String(run.decided), String(run.unresolved)),
          correlationId: run.runId,
          causationId: null,
          source: 'hub',
          target: 'hub',
          municipality: run.municipality,
        });
        await emitRoots('outreach-results', [envelope], WATCHDOG_STAGE, 'reconciled');
      },
      stalled: async (run, event) => {
        const envelope = buildEnvelope('outreach.run.stalled.v1', event, {
          messageId: deterministicUuid(run.runId, WATCHDOG_STAGE, 'stalled', run.updatedAt),
          correlationId: run.runId,
          causationId: null,
          source: 'hub',
          target: 'hub',
          municipality: run.municipality,
        });
        logger.warn('outreach run stalled', { runId: run.runId, phase: event.phase, outstanding: event.outstanding, where: event.where });
        await emitRoots('ops-events', [envelope], WATCHDOG_STAGE, 'stalled');
      },
    });
    const recovery = await recoverOpenWork(recoveryDeps());
    const putBack = recovery.runs.filter((run) => run.action === 'put-back');
    if (putBack.length || recovery.singles.putBack) {
      logger.warn('lost outreach work put back', { runs: putBack.map((run) => ({ runId: run.runId, waitsFor: run.wait.kind, idleSeconds: run.idleSeconds })), singleCandidates: recovery.singles.putBack });
    }
    metrics.addMetric('outreachRunsRecovered', MetricUnit.Count, putBack.length);
    metrics.addMetric('outreachRunsOpen', MetricUnit.Count, result.open);
    metrics.addMetric(hubMetrics.outreachRunsStalled.name, MetricUnit.Count, result.stalled);
    return result;
  });
