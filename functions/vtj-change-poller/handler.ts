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

export const handler = middy<ScheduledEvent, PollResult, Error, Context>()
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
  .handler(async (_event, context) => {
    const { db, table } = followListDeps();
    const remaining = context.getRemainingTimeInMillis();
    const result = await pollChanges(
      {
        cursors: dynamoCursorStore(db, table),
        followed: (municipality, shard) => followedCodes(municipality, { db, table }, shard),
        feed: xroadChangeFeed(xroadClient('vtj')),
        publish: async (events) => void (await emitRoots('person-events', events, POLLER_STAGE)),
      },
      { municipalities: servedMunicipalities(), deadline: Date.now() + Math.max(remaining - SETTLE_MARGIN_MS, remaining / 2) },
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
