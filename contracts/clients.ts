/**
 * A client of the hub: a municipal system, or another authority's, that may post to ingress (and
 * later read its municipalities' inboxes). One record per client in the `clients` table, managed
 * with `koto-hub clients add|list|show|revoke` (docs/DESIGN.md "The door").
 *
 * Identity is the TLS client certificate, as on the Finnish public sector's Data Exchange Layer
 * (X-Road): the record holds the SHA-256 fingerprint of the certificate the client presents, never
 * a secret. The `system` is the envelope `source` the hub stamps on what the client sends.
 */
import * as z from '#contracts/zod';
import { messageTypeName, systemName } from '#contracts/envelope';
import { municipalityCodeSchema } from '#contracts/municipalities';

/** Lower-case letters, digits and dashes, e.g. `vaasa-905`: it names files and appears in logs. */
export const clientIdSchema = z.string().check(z.regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'must be 2 to 63 lower-case letters, digits or dashes'));

/** SHA-256 of the certificate's DER bytes, 64 upper-case hex digits, no colons. */
export const certificateFingerprint = z.string().check(z.regex(/^[0-9A-F]{64}$/, 'must be 64 upper-case hex digits (SHA-256 of the DER certificate)'));

/** The sources only the hub itself writes: a client never speaks as a national register or as the hub. */
const HUB_OWN_SYSTEMS = /^(vtj|uma|kelmu|datastore|ya|hub)$/;

/**
 * The `system` a client speaks as, from its record (the mapping client → `source`):
 * - `municipality:<code>` for one municipality's own system; its `municipalities` are exactly that code;
 * - `authority:<name>` for another authority (TE services, Kela), `wellbeing:<county>` for a county;
 *   these may act for several municipalities.
 * Never vtj, uma, kelmu, datastore, ya or hub: those messages start inside the hub.
 */
export const clientSystemProblem = (system: string, municipalities: readonly string[]): string | undefined => {
  if (!systemName.safeParse(system).success) return 'system must be municipality:<code>, authority:<name> or wellbeing:<county>';
  if (HUB_OWN_SYSTEMS.test(system)) return `system ${system} is the hub's own or a national register's: a client cannot speak as it`;
  const own = /^municipality:(\d{3})$/.exec(system);
  if (own && (municipalities.length !== 1 || municipalities[0] !== own[1])) {
    return `system ${system} acts for municipality ${own[1]} alone: municipalities must be exactly [${own[1]}]`;
  }
  return undefined;
};

/** https anywhere; plain http only to this machine's loopback, where nothing crosses a network. */
export const webhookUrlAllowed = (url: string): boolean => {
  const { protocol, hostname } = new URL(url);
  return protocol === 'https:' || (protocol === 'http:' && (hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]'));
};

export const clientRecordSchema = z
  .object({
    clientId: clientIdSchema,
    name: z.string().check(z.minLength(1, 'must not be empty'), z.maxLength(200, 'must be at most 200 characters')),
    system: z.string(),
    municipalities: z.array(municipalityCodeSchema).check(z.minLength(1, 'must name at least one municipality')),
    /** Message types the client may post to ingress. */
    sends: z.array(messageTypeName),
    /** Message types delivered to the client (its inbox and webhook). */
    receives: z.array(messageTypeName),
    authentication: z.object({
      certificateSha256: certificateFingerprint,
      /** The certificate's subject, for a person reading the registry. */
      subject: z.optional(z.string()),
    }),
    /** Where each inbox message is also pushed: https, or http to this machine's loopback (a receiver beside the embedded runtime). */
    webhookUrl: z.optional(z.url({ protocol: /^https?$/, message: 'must be an https URL' })),
    /** Requests a minute the client may make; over it the door answers 429 with Retry-After. */
    ratePerMinute: z.int().check(z.minimum(1, 'must be at least 1'), z.maximum(60_000, 'must be at most 60000')),
    status: z.enum(['active', 'revoked']),
    createdAt: z.iso.datetime({ offset: true }),
    revokedAt: z.optional(z.iso.datetime({ offset: true })),
  })
  .check(
    z.superRefine((record, ctx) => {
      const problem = clientSystemProblem(record.system, record.municipalities);
      if (problem) ctx.addIssue({ code: 'custom', path: ['system'], message: problem });
      if (record.webhookUrl !== undefined && !webhookUrlAllowed(record.webhookUrl)) {
        ctx.addIssue({ code: 'custom', path: ['webhookUrl'], message: 'must be an https URL (plain http only to 127.0.0.1 or localhost)' });
      }
      if (record.status === 'revoked' && !record.revokedAt) ctx.addIssue({ code: 'custom', path: ['revokedAt'], message: 'a revoked client has revokedAt' });
    }),
  );

export type ClientRecord = z.infer<typeof clientRecordSchema>;

/**
 * The authenticated caller the door hands to what stands behind it (ingress, the inboxes): the
 * client's record, of which the inboxes read `clientId`, `municipalities` and `receives`.
 */
export type Caller = ClientRecord;
