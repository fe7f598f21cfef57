/**
 * Person lookups across the national registers as a routing slip: `lookup.requested.v1` names the
 * systems still to ask (`steps`), each adapter asks its system, adds its canonical answer to
 * `results` and passes the message on to the next system's queue; the last one delivers
 * `lookup.completed.v1` to `replyTo`. One message per person travels the whole way, so a lookup
 * of three registers costs three hops and no shared state.
 */
import * as z from '#contracts/zod';
import { hetuSchema } from '#contracts/hetu';
import { vtjLookupOutcomeV1 } from '#contracts/canonical/person';
import { residenceV1 } from '#contracts/canonical/residence';
import { integrationStatusV1 } from '#contracts/datastore/mapper';
import { kelaBenefitV1 } from '#contracts/kelmu/mapper';

export const lookupSystems = ['vtj', 'uma', 'datastore'] as const;
export type LookupSystem = (typeof lookupSystems)[number];

export const lookupResultsV1 = z.lazy(() =>
  z.object({
    vtj: z.optional(vtjLookupOutcomeV1),
    uma: z.optional(residenceV1),
    datastore: z.optional(integrationStatusV1),
  }),
);
export type LookupResultsV1 = z.infer<typeof lookupResultsV1>;

/** What the requester wants echoed back: identifiers only, never personal data. */
export const lookupContextV1 = z.lazy(() =>
  z.record(
    z.string().check(z.regex(/^[a-zA-Z][a-zA-Z0-9]{0,40}$/, 'context keys are short identifiers')),
    z.union([z.string().check(z.maxLength(200)), z.number(), z.boolean(), z.null()]),
  ),
);

/** A queue of the topology, named in a message (a reply-to). */
export const queueName = z.lazy(() => z.string().check(z.regex(/^[a-z][a-z0-9-]{0,70}$/, 'must be a queue name of the topology')));

/** The fields of a lookup request, which the completed and the failed lookup share but for `steps`. */
const lookupRequestFields = () => ({
  hetu: hetuSchema,
  /** The day the answers are about (compensation eligibility, plans valid on the day). */
  asOf: z.iso.date('must be an ISO date YYYY-MM-DD'),
  /** Systems still to ask, in order; the first is the one this message is for. */
  steps: z.array(z.enum(lookupSystems)).check(z.minLength(1, 'must name at least one system'), z.maxLength(lookupSystems.length)),
  results: lookupResultsV1,
  replyTo: queueName,
  context: lookupContextV1,
  /**
   * Present for an outreach candidate: what the outreach rules read besides the registers' answers —
   * the municipality, and of each of the person's Kela rows only the benefit, the temporary flag and
   * the period (no code, no names; a reader drops any other field, so an older slip that carried
   * whole rows is still read and its names go no further). The outreach side tells the adapters
   * which register, if any, must still be asked after each step (`functions/outreach/slip.ts`):
   * nobody is asked about a person the answers so far already decide, and the slip still makes one
   * hop per register asked. The slip is the one place these facts travel: the decision reads them
   * here, not again from the run's table.
   */
  rules: z.optional(z.object({ municipality: z.string().check(z.regex(/^\d{3}$/)), kelaRows: z.array(kelaBenefitV1) })),
});

export const lookupRequestedV1 = z.lazy(() => z.object(lookupRequestFields()));
export type LookupRequestedV1 = z.infer<typeof lookupRequestedV1>;

export const lookupCompletedV1 = z.lazy(() => z.omit(z.object(lookupRequestFields()), { steps: true }));
export type LookupCompletedV1 = z.infer<typeof lookupCompletedV1>;

/** A lookup that ended as a dead letter: the requester learns it will not be answered (until a redrive). */
export const lookupFailedV1 = z.lazy(() =>
  z.extend(z.omit(z.object(lookupRequestFields()), { steps: true }), {
    failedStep: z.enum(lookupSystems),
    /** The failure's code and reason as recorded on the dead letter; never personal data. */
    reason: z.string().check(z.maxLength(600)),
  }),
);
export type LookupFailedV1 = z.infer<typeof lookupFailedV1>;
