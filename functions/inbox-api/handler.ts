/**
 * The inbox in AWS, behind the door: `/inbox/…` on the door's REST API with mutual TLS (infra/cdk
 * door-api.ts). The caller is the client holding the certificate API Gateway accepted, found and
 * rate-limited by the same door as ingress (functions/ingress/behind-door.ts).
 */
import { behindTheDoor, jsonAnswer, requestBody } from '#functions/ingress/behind-door';
import { inboxCallerOf } from '#functions/inbox/clients';
import { inboxDeps } from '#functions/inbox/deps';
import { handleInboxRequest } from '#functions/inbox/pull';

export const handler = behindTheDoor(async (caller, event) => {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(event.queryStringParameters ?? {})) if (value !== undefined) query.set(name, value);
  const answer = await handleInboxRequest(inboxCallerOf(caller), { method: event.httpMethod, path: event.path, query, body: requestBody(event) }, inboxDeps());
  if ('json' in answer) return jsonAnswer(answer.status, answer.json);
  // A Lambda proxy answer is whole (up to 6 MB): the list is read whole here.
  const chunks: Buffer[] = [];
  for await (const chunk of answer.stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return { statusCode: 200, headers: { 'content-type': answer.contentType }, body: Buffer.concat(chunks).toString('utf8') };
});
