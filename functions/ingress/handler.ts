/**
 * Ingress in AWS: a REST API on a custom domain with mutual TLS (infra/cdk), whose truststore holds
 * the hub's client CA; API Gateway ends a handshake without a trusted certificate, and passes the
 * certificate it accepted in `requestContext.identity.clientCert`. The door then maps it to the
 * client by fingerprint, exactly as on the embedded runtime, and `acceptEnvelopes` authorizes.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { MAX_INLINE_ENVELOPE_BYTES } from '#contracts/envelope';
import { logger } from '#lib/logger';
import { servedMunicipalities } from '#lib/config';
import { ClientRegistry } from '#lib/door/client-registry';
import { acceptEnvelopes } from '#functions/ingress/accept';
import { certificateFromApiGateway, Door } from '#functions/ingress/door';

let door: Door | undefined;

const answer = (statusCode: number, body: unknown, headers: Readonly<Record<string, string>> = {}): APIGatewayProxyResult => ({
  statusCode,
  headers: { ...headers, 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use(injectLambdaContext(logger))
  .handler(async (event): Promise<APIGatewayProxyResult> => {
    door ??= new Door(new ClientRegistry());
    const admission = await door.admit(certificateFromApiGateway(event));
    if (!admission.ok) return answer(admission.status, admission.body, admission.headers);
    if (event.httpMethod !== 'POST') return answer(405, { error: 'method', message: 'POST an envelope' }, { allow: 'POST' });
    const body = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : (event.body ?? '');
    if (Buffer.byteLength(body, 'utf8') > MAX_INLINE_ENVELOPE_BYTES) {
      return answer(413, { error: 'too-large', message: `the request is over ${MAX_INLINE_ENVELOPE_BYTES} bytes` });
    }
    const { status, body: response } = await acceptEnvelopes(body, admission.caller, { served: servedMunicipalities(), now: door.now() });
    return answer(status, response);
  });
