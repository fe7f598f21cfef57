/**
 * The envelope (docs/DESIGN.md "The envelope"): every message on every queue is one of these, and its
 * payload is validated against the schema registered for its `type` on send and on receive.
 */
import * as z from '#contracts/zod';
import { municipalityCodeSchema } from '#contracts/municipalities';

/** Logical system names: the external systems, a county's system, a municipality's, or the hub. */
export const systemName = z
  .string()
  .check(
    z.regex(
      /^(vtj|uma|kelmu|datastore|ya|hub|wellbeing:[a-z0-9-]+|municipality:\d{3}|authority:[a-z0-9-]+)$/,
      'must be vtj, uma, kelmu, datastore, ya, hub, wellbeing:<county>, municipality:<code> or authority:<name>',
    ),
  );

/** Canonical type names carry their version: `outreach.referral.v1`. */
export const messageTypeName = z
  .string()
  .check(z.regex(/^[a-z][a-z-]*(\.[a-z][a-z-]*)+\.v\d+$/, 'must be a dotted name ending in a version, e.g. outreach.referral.v1'));

export const envelopeSchema = z.object({
  messageId: z.uuid('must be a UUID'),
  correlationId: z.uuid('must be a UUID'),
  causationId: z.nullable(z.uuid('must be a UUID or null')),
  type: messageTypeName,
  source: systemName,
  target: systemName,
  /** The current municipality the message concerns (an unknown or merged code is refused). */
  municipality: municipalityCodeSchema,
  occurredAt: z.iso.datetime({ offset: true, message: 'must be an ISO-8601 timestamp' }),
  payload: z.unknown(),
});

export type Envelope<P = unknown> = Omit<z.infer<typeof envelopeSchema>, 'payload'> & { payload: P };

/** Largest envelope put on a queue; a larger one is refused (docs/DESIGN.md "The envelope": no claim check is built). */
export const MAX_INLINE_ENVELOPE_BYTES = 200 * 1024;
