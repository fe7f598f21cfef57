/** The VTJ change poller, invoked by a schedule (EventBridge in AWS, the embedded runtime's scheduler locally). */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { servedMunicipalities } from '#lib/config';
import { followedCodes, followListDeps } from '#lib/follow-list';
import { logger } from '#lib/logger';
import { metrics, MetricUnit } from '#lib/metrics';
import { emitRoots } from '#lib/root-hop';
import { xroadClient } from '#lib/xroad';
import { dynamoCursorStore } from '#functions/vtj-change-poller/cursor-store';
import { xroadChangeFeed } from '#functions/vtj-change-poller/change-feed';
import { pollChanges, POLLER_STAGE, type PollResult } from '#functions/vtj-change-poller/poll-changes';

/** Time kept back from the invocation to publish the last page and move the key. */
const SETTLE_MARGIN_MS = 10_000;

/**
 * The invocation's time as its remaining time runs down: the wall clock in AWS; on the embedded
 * runtime the scheduler's clock moves it, so a test decides how much of the poll's time VTJ's
 * answers take instead of waiting. Its deadline and its calls to VTJ stay in wall-clock terms.
 */
const invocationClock = (context: Context): { readonly started: number; readonly budget: number; readonly clock: () => Date } => {
  const started = Date.now();
  const remaining = context.getRemainingTimeInMillis();
  return {
    started,
    budget: Math.max(remaining - SETTLE_MARGIN_MS, remaining / 2),
    clock: () => new Date(started + remaining - context.getRemainingTimeInMillis()),
  };
};

/** The schedule's instant (EventBridge's `time`): the day follows are judged lapsed on. */
const scheduledAt = (event: ScheduledEvent): Date => (Number.isNaN(Date.parse(event.time)) ? new Date() : new Date(event.time));

export const handler = middy<ScheduledEvent, PollResult, Error, Context>()
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
  .handler(async (event, context) => {
    const { db, table } = followListDeps();
    const { started, budget, clock } = invocationClock(context);
    const asOf = scheduledAt(event);
    const result = await pollChanges(
      {
        cursors: dynamoCursorStore(db, table),
        followed: (municipality, shard, upTo) => followedCodes(municipality, { db, table, now: () => asOf }, shard, upTo),
        feed: xroadChangeFeed(xroadClient('vtj')),
        publish: async (events) => void (await emitRoots('person-events', events, POLLER_STAGE)),
        clock,
      },
      { municipalities: servedMunicipalities(), deadline: started + budget },
    );
    for (const { failure, ...poll } of result.municipalities) {
      if (failure) logger.warn('vtj changes not polled', { ...poll, failure });
      else logger.info('vtj changes polled', poll);
    }
    metrics.addMetric('personEvents', MetricUnit.Count, result.events);
    const failed = result.municipalities.filter((m) => m.failure);
    // A failed municipality fails the invocation, so that it counts in the error alarms; what the
    // others read is published and stored all the same.
    if (failed.length > 0) {
      throw new Error(`VTJ change poll failed for ${failed.map((m) => `${m.municipality} (${m.failure!.code})`).join(', ')}`);
    }
    return result;
  });
