/**
 * outreach.referral.v1 — another authority refers a person to the municipality's outreach
 * (Act 681/2023 § 11 lets authorities refer a person for a service-needs assessment).
 */
import * as z from '#contracts/zod';
import { hetuSchema } from '#contracts/hetu';

export const referralReasons = [
  'INTERNATIONAL_PROTECTION',
  'TEMPORARY_PROTECTION',
  'TRAFFICKING_VICTIM',
  'UNEMPLOYED_JOBSEEKER',
  'SOCIAL_ASSISTANCE',
  'HOME_CARE_ALLOWANCE',
  'OTHER',
] as const;

export const referralV1 = z.lazy(() =>
  z.object({
    referrer: z.object({
      /** The referring authority, e.g. `te-services`, `kela`, `migri`, `wellbeing:pohjanmaa`. */
      authority: z.string().check(z.regex(/^[a-z0-9:-]{2,60}$/, 'must be a short lowercase authority name')),
      /** Organisation identifier (business ID, Y-tunnus) of the referrer. */
      businessId: z.string().check(z.regex(/^\d{7}-\d$/, 'must be a business ID (Y-tunnus) like 0245437-2')),
    }),
    hetu: hetuSchema,
    reason: z.enum(referralReasons),
    /** When the referring authority met the person (ISO date). */
    referredOn: z.iso.date('must be an ISO date YYYY-MM-DD'),
  }),
);

export type ReferralV1 = z.infer<typeof referralV1>;
