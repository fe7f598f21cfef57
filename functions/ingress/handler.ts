/**
 * Ingress in AWS: a REST API on a custom domain with mutual TLS (infra/cdk), whose truststore holds
 * the hub's client CA; the door admits the caller (functions/ingress/behind-door.ts) and
 * `acceptEnvelopes` authorizes each envelope.
 */
import { MAX_INLINE_ENVELOPE_BYTES } from '#contracts/envelope';
import { servedMunicipalities } from '#lib/config';
import { acceptEnvelopes } from '#functions/ingress/accept';
import { behindTheDoor, jsonAnswer, requestBody } from '#functions/ingress/behind-door';

export const handler = behindTheDoor(async (caller, event, door) => {
  if (event.httpMethod !== 'POST') return jsonAnswer(405, { error: 'method', message: 'POST an envelope' }, { allow: 'POST' });
  const body = requestBody(event) ?? '';
  if (Buffer.byteLength(body, 'utf8') > MAX_INLINE_ENVELOPE_BYTES) {
    return jsonAnswer(413, { error: 'too-large', message: `the request is over ${MAX_INLINE_ENVELOPE_BYTES} bytes` });
  }
  const { status, body: response } = await acceptEnvelopes(body, caller, { served: servedMunicipalities(), now: door.now() });
  return jsonAnswer(status, response);
});
