/**
 * Messages of delivery to municipal systems (docs/DESIGN.md "Delivery to municipalities"). The
 * message itself stays in its municipality's inbox; what travels is where it is.
 */
import * as z from '#contracts/zod';

/** Push the inbox message at `cursor` of the envelope's municipality to one client's webhook. */
export const inboxWebhookRequestedV1 = z.lazy(() =>
  z.object({
    /** The registered client whose webhook receives the push. */
    clientId: z.string().check(z.regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'must be a client id: lower-case letters, digits, ".", "_", "-"')),
    /** The message's place in the inbox (opaque to clients; digits here). */
    cursor: z.string().check(z.regex(/^\d{1,16}$/, 'must be an inbox cursor')),
  }),
);
export type InboxWebhookRequestedV1 = z.infer<typeof inboxWebhookRequestedV1>;
