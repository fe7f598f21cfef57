/**
 * Reads YA's answers (every five minutes in AWS; on the embedded runtime on its schedule or when
 * triggered) and delivers each decision and payment to the municipality of its claim, once
 * (functions/claims/answers.ts). A failing call ends the round: the next one reads on from the
 * last answer kept.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { XRoadFault } from '#contracts/xroad/errors';
import { YA_ERROR_TYPES, yaAnswerPath } from '#contracts/ya/wire';
import { documentClient } from '#lib/clients';
import { tableName } from '#lib/config';
import { logger } from '#lib/logger';
import { emitRoots } from '#lib/root-hop';
import { xroadClient } from '#lib/xroad';
import { pollYaAnswers, YA_ANSWERS_STAGE, type PollResult } from '#functions/claims/answers';

export const handler = middy<ScheduledEvent, PollResult, Error, Context>()
  .use(injectLambdaContext(logger))
  .handler(async (_event, context) => {
    const deadline = Date.now() + Math.max(1000, context.getRemainingTimeInMillis() - 5000);
    const client = xroadClient('ya');
    const result = await pollYaAnswers({
      db: documentClient(),
      table: tableName('correlation'),
      now: () => new Date(),
      log: (message, fields) => logger.warn(message, fields),
      fetch: async (n) => {
        try {
          return await client.restXml('ya-vastaukset', 'GET', yaAnswerPath(client.config.client.xRoadInstance, n), undefined, { deadline });
        } catch (error) {
          if (error instanceof XRoadFault && error.httpStatus === 404 && error.faultCode === YA_ERROR_TYPES.noAnswer) return null;
          throw error;
        }
      },
      deliver: async (envelopes) => {
        await emitRoots('municipality-outbox', envelopes, YA_ANSWERS_STAGE, 'emitted');
      },
    });
    logger.info('YA answers read', { ...result });
    return result;
  });
