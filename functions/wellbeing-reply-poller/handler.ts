/**
 * Every 15 minutes (EventBridge in AWS; on the embedded runtime when triggered or every
 * KOTO_SCHEDULE_SECONDS): one `wellbeing.replies.poll.v1` per open wellbeing request to the county
 * adapter (functions/wellbeing/watch.ts). The poll's time is the schedule's (`event.time`), so a
 * test drives it with the scheduler's clock.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { documentClient } from '#lib/clients';
import { tableName } from '#lib/config';
import { logger } from '#lib/logger';
import { emitRoots } from '#lib/root-hop';
import { dynamoWellbeingStore } from '#functions/wellbeing/store';
import { pollOpenRequests, REPLY_POLLER_STAGE } from '#functions/wellbeing/watch';

export const handler = middy<ScheduledEvent, { polled: number; closed: number }, Error, Context>()
  .use(injectLambdaContext(logger))
  .handler(async (event) => {
    const now = event.time ? new Date(event.time) : new Date();
    const store = dynamoWellbeingStore(documentClient(), tableName('correlation'), () => now.getTime());
    const result = await pollOpenRequests(now, {
      store,
      send: async (polls) => {
        await emitRoots('county-requests', polls, REPLY_POLLER_STAGE, 'emitted');
      },
    });
    logger.info('wellbeing replies polled', { at: now.toISOString(), ...result });
    return result;
  });
