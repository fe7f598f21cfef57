/**
 * Pushes one inbox message to one client's webhook as the Standard Webhooks specification says
 * (https://www.standardwebhooks.com, "Webhook headers" and "Signature scheme"), signed with the
 * `standardwebhooks` library that receivers verify with:
 *
 * - `webhook-id`: the message id, the same on every retry, so a receiver recognises a repeat;
 * - `webhook-timestamp`: the attempt's time in epoch seconds, which a receiver checks against its clock;
 * - `webhook-signature`: `v1,` and the HMAC-SHA256 of `id.timestamp.body` under the client's secret.
 *
 * The body is `{"type", "timestamp", "data": {"cursor", "message"}}`, the message being the envelope
 * as the inbox holds it. Anything but a 2xx answer is tried again by the queue with backoff
 * (topology `webhook-deliveries`) and ends as a dead letter an operator redrives.
 */
import { Webhook } from 'standardwebhooks';
import type { Envelope } from '#contracts/envelope';
import type { InboxWebhookRequestedV1 } from '#contracts/messages/inbox';
import { PermanentError, TransientError } from '#lib/errors';
import { wantsPush } from '#functions/inbox/caller';
import type { ClientDirectory, WebhookSecrets } from '#functions/inbox/clients';
import { parseCursor } from '#functions/inbox/cursor';
import type { InboxStore } from '#functions/inbox/store';

export interface PushDeps {
  readonly clients: ClientDirectory;
  readonly secrets: WebhookSecrets;
  readonly store: InboxStore;
  readonly now: () => number;
  /** Longest one POST may take, in milliseconds. */
  readonly timeoutMs?: number;
}

/**
 * `already-received`: the receiver answered 409, which the README's receivers and the example
 * client answer for a `webhook-id` they already hold. A retry of a push whose 2xx was lost on the
 * way back meets that answer; it is the receiver's, so the push is done (not retried into the DLQ).
 */
export type PushOutcome = 'pushed' | 'already-received' | 'no-webhook';

const PUSH_TIMEOUT_MS = 10_000;

export const pushMessage = async (request: Envelope<InboxWebhookRequestedV1>, deps: PushDeps): Promise<PushOutcome> => {
  const { clientId, cursor } = request.payload;
  const municipality = request.municipality;
  const seq = parseCursor(cursor);
  if (typeof seq !== 'number') throw new PermanentError('inbox.cursor', seq.error);
  const entry = await deps.store.entry(municipality, seq);
  if (!entry) throw new PermanentError('inbox.expired', `inbox message ${cursor} of municipality ${municipality} is no longer in the inbox`);
  // Asked again at each try: a client revoked or changed since is no longer pushed to.
  const client = await deps.clients.client(clientId);
  if (!client || !wantsPush(client, municipality, entry.type)) return 'no-webhook';

  const body = JSON.stringify({ type: entry.type, timestamp: entry.envelope.occurredAt, data: { cursor, message: entry.envelope } });
  const at = new Date(deps.now());
  const signature = new Webhook(await deps.secrets(clientId)).sign(entry.messageId, at, body);
  let response: Response;
  try {
    response = await fetch(client.webhook!.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': entry.messageId,
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': signature,
      },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(deps.timeoutMs ?? PUSH_TIMEOUT_MS),
    });
  } catch (error) {
    const name = error instanceof Error && error.name !== 'Error' && error.name !== 'TypeError' ? error.name : 'no answer';
    throw new TransientError('webhook.unreachable', `the webhook of client ${clientId} did not answer: ${name}`);
  }
  await response.body?.cancel();
  if (response.status === 409) return 'already-received';
  if (response.status < 200 || response.status > 299) {
    throw new TransientError(`webhook.http-${response.status}`, `the webhook of client ${clientId} answered HTTP ${response.status}`);
  }
  return 'pushed';
};
