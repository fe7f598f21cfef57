/** Ingress in AWS: a Lambda function URL (AWS_IAM auth) in front of `acceptEnvelopes`. */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyResultV2, LambdaFunctionURLEvent } from 'aws-lambda';
import { logger } from '#lib/logger';
import { acceptEnvelopes } from '#functions/ingress/accept';

export const handler = middy<LambdaFunctionURLEvent, APIGatewayProxyResultV2>()
  .use(injectLambdaContext(logger))
  .handler(async (event): Promise<APIGatewayProxyResultV2> => {
    if (event.requestContext.http.method !== 'POST') {
      return { statusCode: 405, headers: { allow: 'POST', 'content-type': 'application/json' }, body: JSON.stringify({ error: 'method', message: 'POST an envelope' }) };
    }
    const body = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : (event.body ?? '');
    const { status, body: response } = await acceptEnvelopes(body);
    return { statusCode: status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(response) };
  });
