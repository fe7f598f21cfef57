/**
 * Every message for a municipality (a target list ready, a single decision) goes to that
 * municipality's inbox, once per message id, and to the webhook of each client that acts for the
 * municipality, receives the type and registered one (docs/DESIGN.md "Delivery to municipalities").
 */
import { createSqsHandler } from '#lib/batch/sqs-handler';
import { inboxTypes } from '#infra/topology';
import { wantsPush } from '#functions/inbox/caller';
import { registryClientDirectory } from '#functions/inbox/clients';
import { formatCursor } from '#functions/inbox/cursor';
import { inboxStore } from '#functions/inbox/deps';

export const handler = createSqsHandler({
  name: 'municipality-inbox',
  accepts: inboxTypes,
  handle: async (message, hop) => {
    const { seq, duplicate } = await inboxStore().append(message);
    // Asked again for a duplicate too: the ids are the same, so a push already asked for is dropped downstream.
    for (const client of await registryClientDirectory().all()) {
      if (!wantsPush(client, message.municipality, message.type)) continue;
      hop.emit('webhook-deliveries', 'inbox.webhook.requested.v1', { clientId: client.clientId, cursor: formatCursor(seq) }, { key: client.clientId });
    }
    hop.setOutcome(duplicate ? 'already-in-inbox' : 'in-inbox');
  },
});
