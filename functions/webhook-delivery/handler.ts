/** Pushes inbox messages to clients' webhooks, one request per message (functions/webhook-delivery/push.ts). */
import { createSqsHandler } from '#lib/batch/sqs-handler';
import { registryClientDirectory, webhookSecretsFromEnv } from '#functions/inbox/clients';
import { inboxStore } from '#functions/inbox/deps';
import { pushMessage } from '#functions/webhook-delivery/push';

export const handler = createSqsHandler({
  name: 'webhook-delivery',
  accepts: ['inbox.webhook.requested.v1'],
  handle: async (request, hop) => {
    hop.setOutcome(await pushMessage(request, { clients: registryClientDirectory(), secrets: webhookSecretsFromEnv(), store: inboxStore(), now: Date.now, timeoutMs: Math.min(10_000, Math.max(1_000, hop.deadline - Date.now())) }));
  },
});
