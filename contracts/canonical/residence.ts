/**
 * The canonical residence record of a person, as Migri's register of aliens (UMA) knows it, and
 * one page of Migri's list of protection recipients placed in a municipality. The mapping from
 * UMA's wire format lives in contracts/uma/mapper.ts.
 */
import * as z from '#contracts/zod';
import { hetuSchema } from '#contracts/hetu';
import { permitTypes, residenceGrounds } from '#contracts/population';

const isoDate = z.lazy(() => z.iso.date('must be an ISO date YYYY-MM-DD'));

export const residenceGroundV1 = z.enum(residenceGrounds);
export const permitTypeV1 = z.enum(permitTypes);

export const compensationV1 = z.lazy(() =>
  z.object({
    /** Within the state's compensation to the municipality (Act 681/2023 ch. 8) on the day asked about. */
    eligible: z.boolean(),
    /** Last day of the compensation period, when Migri knows one. */
    until: z.nullable(isoDate),
  }),
);

/** One residence permit, as UMA records it: what the compensation rules read the ground on a day from. */
export const permitV1 = z.lazy(() =>
  z.object({
    permitType: permitTypeV1,
    ground: residenceGroundV1,
    grantedOn: isoDate,
    /** First day of validity (the day granted when UMA records none). */
    from: isoDate,
    /** Last day of validity; null for a permit with no end (a permanent one). */
    until: z.nullable(isoDate),
  }),
);

export const familyRelations = ['spouse', 'child', 'parent'] as const;

export const familyLinkV1 = z.lazy(() =>
  z.object({
    /** The linked family member; as UMA holds it (the rules validate it before they use it). */
    hetu: z.string(),
    /** What the linked person is to this person. */
    relation: z.enum(familyRelations),
  }),
);

export const residenceV1 = z.lazy(() =>
  z
    .object({
      hetu: hetuSchema,
      /** False when UMA has no residence record for the person; every other field is then empty. */
      found: z.boolean(),
      /**
       * Date of the person's first residence permit, residence card or registration of the right of
       * residence (docs/DESIGN.md "Outreach rules", rule 3).
       */
      firstPermitDate: z.nullable(isoDate),
      /** Type of the permit in force (the most recent one). */
      permitType: z.nullable(permitTypeV1),
      /** Ground of the permit in force. */
      ground: z.nullable(residenceGroundV1),
      quotaRefugee: z.boolean(),
      traffickingVictim: z.boolean(),
      compensation: compensationV1,
      // What the compensation rules read (docs/DESIGN.md "Compensation rules"). Defaults, so that a
      // lookup written before they existed (redriven from a dead-letter queue) still reads.
      /** Every permit UMA records, oldest first. */
      permits: z._default(z.array(permitV1), () => []),
      /** The first home municipality in Finland and its first day: the compensation periods count from it. */
      firstHomeMunicipality: z._default(z.nullable(z.object({ code: z.string().check(z.regex(/^\d{3}$/, 'must be a three-digit municipality code')), since: isoDate })), null),
      /** The day Finnish citizenship was granted; null for a person who is not a Finnish citizen. */
      finnishCitizenSince: z._default(z.nullable(isoDate), null),
      /** The period of the recorded trafficking status; null when there is none. */
      traffickingVictimPeriod: z._default(z.nullable(z.object({ from: isoDate, until: z.nullable(isoDate) })), null),
      familyLinks: z._default(z.array(familyLinkV1), () => []),
    })
    .check(
      z.superRefine((residence, ctx) => {
        if (residence.traffickingVictimPeriod && !residence.traffickingVictim) {
          ctx.addIssue({ code: 'custom', path: ['traffickingVictimPeriod'], message: 'must be null for a person who is not a recorded victim of trafficking' });
        }
        if (residence.found) return;
        for (const key of ['firstPermitDate', 'permitType', 'ground', 'firstHomeMunicipality', 'finnishCitizenSince', 'traffickingVictimPeriod'] as const) {
          if (residence[key] !== null) ctx.addIssue({ code: 'custom', path: [key], message: 'must be null when no record was found' });
        }
        if (residence.permits.length > 0 || residence.familyLinks.length > 0) {
          ctx.addIssue({ code: 'custom', path: ['permits'], message: 'a record that was not found has no permits or family links' });
        }
        if (residence.quotaRefugee || residence.traffickingVictim || residence.compensation.eligible) {
          ctx.addIssue({ code: 'custom', path: ['found'], message: 'a record that was not found has no flags set' });
        }
      }),
    ),
);

export type ResidenceGroundV1 = z.infer<typeof residenceGroundV1>;
export type PermitTypeV1 = z.infer<typeof permitTypeV1>;
export type CompensationV1 = z.infer<typeof compensationV1>;
export type ResidenceV1 = z.infer<typeof residenceV1>;
export type PermitV1 = z.infer<typeof permitV1>;

/** The record of a person UMA does not know: `found: false`, every other field empty. */
export const notFoundResidence = (hetu: string): ResidenceV1 => ({
  hetu,
  found: false,
  firstPermitDate: null,
  permitType: null,
  ground: null,
  quotaRefugee: false,
  traffickingVictim: false,
  compensation: { eligible: false, until: null },
  permits: [],
  firstHomeMunicipality: null,
  finnishCitizenSince: null,
  traffickingVictimPeriod: null,
  familyLinks: [],
});
export type FamilyLinkV1 = z.infer<typeof familyLinkV1>;
export type FamilyRelation = (typeof familyRelations)[number];

/** One person on Migri's list of protection recipients of a municipality. */
export const protectionRecipientV1 = z.lazy(() =>
  z.object({
    /** As Migri lists it: not validated here, a malformed code is quarantined by the hub. */
    hetu: z.string(),
    ground: residenceGroundV1,
    quotaRefugee: z.boolean(),
    traffickingVictim: z.boolean(),
    firstPermitDate: z.nullable(isoDate),
  }),
);

/** The fields of a page of the list; the page message (contracts/messages/lists.ts) adds its own. */
export const protectionRecipientPageFields = () => ({
  municipality: z.string().check(z.regex(/^\d{3}$/, 'must be a three-digit municipality code')),
  /** Page number, from 1. */
  page: z.int().check(z.positive()),
  pageSize: z.int().check(z.positive()),
  /** Persons on the whole list, all pages. */
  total: z.int().check(z.nonnegative()),
  /** Whether a later page exists. */
  hasMore: z.boolean(),
  recipients: z.array(protectionRecipientV1),
});

export const protectionRecipientPageV1 = z.lazy(() => z.object(protectionRecipientPageFields()));

export type ProtectionRecipientV1 = z.infer<typeof protectionRecipientV1>;
export type ProtectionRecipientPageV1 = z.infer<typeof protectionRecipientPageV1>;
