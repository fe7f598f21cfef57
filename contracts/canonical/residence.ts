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
    })
    .check(
      z.superRefine((residence, ctx) => {
        if (residence.found) return;
        for (const key of ['firstPermitDate', 'permitType', 'ground'] as const) {
          if (residence[key] !== null) ctx.addIssue({ code: 'custom', path: [key], message: 'must be null when no record was found' });
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
