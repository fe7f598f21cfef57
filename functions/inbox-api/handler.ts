/**
 * The inbox in AWS, behind the door: `/inbox/…` on the door's REST API with mutual TLS (infra/cdk
 * door-api.ts). The caller is the client holding the certificate API Gateway accepted, found and
 * rate-limited by the same door as ingress (functions/ingress/door.ts); nothing in the request says
 * who the caller is.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { logger } from '#lib/logger';
import { ClientRegistry } from '#lib/door/client-registry';
import { certificateFromApiGateway, Door } from '#functions/ingress/door';
import { inboxCallerOf } from '#functions/inbox/clients';
import { inboxDeps } from '#functions/inbox/deps';
import { handleInboxRequest } from '#functions/inbox/pull';

let door: Door | undefined;

const json = (statusCode: number, body: unknown, headers: Readonly<Record<string, string>> = {}): APIGatewayProxyResult => ({
  statusCode,
  headers: { ...headers, 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use(injectLambdaContext(logger))
  .handler(async (event): Promise<APIGatewayProxyResult> => {
    door ??= new Door(new ClientRegistry());
    const admission = await door.admit(certificateFromApiGateway(event));
    if (!admission.ok) return json(admission.status, admission.body, admission.headers);
    const body = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : (event.body ?? undefined);
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(event.queryStringParameters ?? {})) if (value !== undefined) query.set(name, value);
    const answer = await handleInboxRequest(inboxCallerOf(admission.caller), { method: event.httpMethod, path: event.path, query, body }, inboxDeps());
    if ('json' in answer) return json(answer.status, answer.json);
    // A Lambda proxy answer is whole (up to 6 MB): the list is read whole here.
    const chunks: Buffer[] = [];
    for await (const chunk of answer.stream) chunks.push(Buffer.from(chunk as Uint8Array));
    return { statusCode: 200, headers: { 'content-type': answer.contentType }, body: Buffer.concat(chunks).toString('utf8') };
  });
