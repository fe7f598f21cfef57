/**
 * The inbox in AWS: a Lambda function URL (AWS_IAM auth) in front of `handleInboxRequest`.
 *
 * Interim identity, until the mutual-TLS door of issue 10 (items 1–2) takes its place: the caller is
 * the client whose `iamPrincipal` in the client file is the SigV4-signing principal's ARN, as the
 * function URL reports it; no registered principal, no answer but 401. Nothing in the request
 * itself says who the caller is.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyResultV2, LambdaFunctionURLEventWithIAMAuthorizer as LambdaFunctionURLEvent } from 'aws-lambda';
import { logger } from '#lib/logger';
import type { InboxCaller } from '#functions/inbox/caller';
import { clientDirectoryFromEnv } from '#functions/inbox/clients';
import { inboxDeps } from '#functions/inbox/deps';
import { handleInboxRequest } from '#functions/inbox/pull';

const json = (statusCode: number, body: unknown): APIGatewayProxyResultV2 => ({ statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

const callerOf = async (event: LambdaFunctionURLEvent): Promise<InboxCaller | undefined> => {
  const principal = event.requestContext.authorizer?.iam?.userArn;
  if (!principal) return undefined;
  const clients = (await clientDirectoryFromEnv().all()) as readonly (InboxCaller & { iamPrincipal?: string })[];
  return clients.find((client) => client.iamPrincipal === principal);
};

export const handler = middy<LambdaFunctionURLEvent, APIGatewayProxyResultV2>()
  .use(injectLambdaContext(logger))
  .handler(async (event): Promise<APIGatewayProxyResultV2> => {
    const caller = await callerOf(event);
    if (!caller) return json(401, { error: 'unauthenticated', message: 'the signing principal is not a registered client' });
    const body = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : event.body;
    const answer = await handleInboxRequest(
      caller,
      { method: event.requestContext.http.method, path: event.rawPath, query: new URLSearchParams(event.rawQueryString), body },
      inboxDeps(),
    );
    if ('json' in answer) return json(answer.status, answer.json);
    // A function URL in buffered mode answers with the whole body (up to 6 MB): the list is read whole here.
    const chunks: Buffer[] = [];
    for await (const chunk of answer.stream) chunks.push(Buffer.from(chunk as Uint8Array));
    return { statusCode: 200, headers: { 'content-type': answer.contentType }, body: Buffer.concat(chunks).toString('utf8') };
  });
