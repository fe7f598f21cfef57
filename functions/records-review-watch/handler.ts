/**
 * The daily look for overdue plan reviews (EventBridge in AWS; on the embedded runtime when
 * triggered): the day is the one the schedule fired on (`event.time`, the same on its retries), so
 * a test drives it with the scheduler's clock.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { documentClient } from '#lib/clients';
import { servedMunicipalities, tableName } from '#lib/config';
import { logger } from '#lib/logger';
import { emitRoots } from '#lib/root-hop';
import { raiseOverdueReviews, REVIEW_WATCH_STAGE } from '#functions/records/review-watch';

export const handler = middy<ScheduledEvent, { raised: number; asOf: string }, Error, Context>()
  .use(injectLambdaContext(logger))
  .handler(async (event) => {
    const asOf = (event.time ? new Date(event.time) : new Date()).toISOString().slice(0, 10);
    const raised = await raiseOverdueReviews(servedMunicipalities(), asOf, {
      db: documentClient(),
      table: tableName('correlation'),
      raise: async (events) => {
        await emitRoots('municipality-outbox', events, REVIEW_WATCH_STAGE, 'emitted');
      },
    });
    logger.info('overdue plan reviews', { asOf, raised });
    return { raised, asOf };
  });
