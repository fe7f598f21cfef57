/**
 * The daily look for overdue plan reviews (EventBridge in AWS; on the embedded runtime when
 * triggered): the day is the one the schedule fired on (`event.time`, the same on its retries), so
 * a test drives it with the scheduler's clock. It also refuses `UNKNOWN_PLAN` the records that
 * waited for their plan too long (Plan rules 3).
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { documentClient } from '#lib/clients';
import { servedMunicipalities, tableName } from '#lib/config';
import { logger } from '#lib/logger';
import { emitRoots } from '#lib/root-hop';
import { raiseOverdueReviews, refuseExpiredWaits, REVIEW_WATCH_STAGE, type ReviewWatchDeps } from '#functions/records/review-watch';

export const handler = middy<ScheduledEvent, { raised: number; refused: number; asOf: string }, Error, Context>()
  .use(injectLambdaContext(logger))
  .handler(async (event) => {
    const asOf = (event.time ? new Date(event.time) : new Date()).toISOString().slice(0, 10);
    const deps: ReviewWatchDeps = {
      db: documentClient(),
      table: tableName('correlation'),
      raise: async (events) => {
        await emitRoots('municipality-outbox', events, REVIEW_WATCH_STAGE, 'emitted');
      },
    };
    const raised = await raiseOverdueReviews(servedMunicipalities(), asOf, deps);
    const refused = await refuseExpiredWaits(servedMunicipalities(), asOf, deps);
    logger.info('overdue plan reviews', { asOf, raised, refused });
    return { raised, refused, asOf };
  });
