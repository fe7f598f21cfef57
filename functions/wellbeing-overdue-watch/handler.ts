/**
 * Every half hour (EventBridge in AWS; on the embedded runtime when triggered or every
 * KOTO_SCHEDULE_SECONDS): the overdue event of each wellbeing request whose deadline passed with
 * someone unanswered, once, to the municipality and the operators (functions/wellbeing/watch.ts).
 * The time is the schedule's (`event.time`), so a test drives it with the scheduler's clock.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { documentClient } from '#lib/clients';
import { tableName } from '#lib/config';
import { logger } from '#lib/logger';
import { emitRoots } from '#lib/root-hop';
import { dynamoWellbeingStore } from '#functions/wellbeing/store';
import { OVERDUE_WATCH_STAGE, raiseOverdueRequests } from '#functions/wellbeing/watch';

export const handler = middy<ScheduledEvent, { raised: number; at: string }, Error, Context>()
  .use(injectLambdaContext(logger))
  .handler(async (event) => {
    const now = event.time ? new Date(event.time) : new Date();
    const store = dynamoWellbeingStore(documentClient(), tableName('correlation'), () => now.getTime());
    const raised = await raiseOverdueRequests(now, {
      store,
      raise: async (toMunicipality, toOperators) => {
        await emitRoots('municipality-outbox', toMunicipality, OVERDUE_WATCH_STAGE, 'emitted');
        await emitRoots('ops-events', toOperators, OVERDUE_WATCH_STAGE, 'emitted');
      },
    });
    logger.info('overdue wellbeing requests', { at: now.toISOString(), raised });
    return { raised, at: now.toISOString() };
  });
