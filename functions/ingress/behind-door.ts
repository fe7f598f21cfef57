/**
 * A function behind the door in AWS (ingress, the inbox): `/…` on the door's REST API with mutual
 * TLS (infra/cdk door-api.ts). API Gateway has ended every handshake without a trusted certificate
 * and passes on the one it accepted; the door maps it to the client by fingerprint and rate-limits
 * it, exactly as on the embedded runtime, and `serve` answers for that client. Nothing in the
 * request says who the caller is.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { Caller } from '#contracts/clients';
import { logger } from '#lib/logger';
import { ClientRegistry } from '#lib/door/client-registry';
import { certificateFromApiGateway, Door } from '#functions/ingress/door';

/** A JSON answer (the door's refusals and the functions' own). */
export const jsonAnswer = (statusCode: number, body: unknown, headers: Readonly<Record<string, string>> = {}): APIGatewayProxyResult => ({
  statusCode,
  headers: { ...headers, 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/** The request's body as text (API Gateway may pass it base64-encoded); undefined when there is none. */
export const requestBody = (event: Pick<APIGatewayProxyEvent, 'body' | 'isBase64Encoded'>): string | undefined =>
  event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : (event.body ?? undefined);

export type Serve = (caller: Caller, event: APIGatewayProxyEvent, door: Door) => Promise<APIGatewayProxyResult>;

/**
 * The Lambda handler of a function behind the door: a request the door refuses (no certificate, an
 * unknown or revoked client, over its rate) is answered with the door's refusal and never reaches
 * `serve`. One door per instance (`makeDoor`, built on the first request), so a client's rate is
 * counted across the instance's requests.
 */
export const behindTheDoor = (serve: Serve, makeDoor: () => Door = () => new Door(new ClientRegistry())) => {
  let door: Door | undefined;
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use(injectLambdaContext(logger))
    .handler(async (event): Promise<APIGatewayProxyResult> => {
      door ??= makeDoor();
      const admission = await door.admit(certificateFromApiGateway(event));
      if (!admission.ok) return jsonAnswer(admission.status, admission.body, admission.headers);
      return serve(admission.caller, event, door);
    });
};
