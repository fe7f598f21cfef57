/**
 * Claims: the accepted cost rows of a municipality grouped per compensation type and calendar
 * half-year of the rows' last day (docs/DESIGN.md "Compensation rules" 7), each with a total in
 * integer cents and a stable claim number. What goes to YA (contracts/ya/) is one of these.
 *
 * The claim number is `KH-<municipality>-<half-year>-<10 hex digits>`: the digits begin the
 * SHA-256 of the municipality, the type, the half-year and the rows' voucher references (sorted),
 * so the same rows give the same number on every run and every machine, and a claim that gains or
 * loses a row gets another. Nothing personal goes into it: voucher references are the finance
 * system's, not the person's, and the HETUs are not hashed (a hash of a HETU is guessable).
 */
import { createHash } from 'node:crypto';
import * as z from '#contracts/zod';
import { businessIdSchema } from '#contracts/business-id';
import { compensationTypes, type CompensationType } from '#contracts/claims/compensation';
import { costRowFields, type CostRowV1 } from '#contracts/claims/cost-rows';
import { halfYearDays, halfYearOf } from '#contracts/claims/dates';
import { sumCents } from '#contracts/claims/money';

export const CLAIM_NUMBER = /^KH-\d{3}-\d{4}H[12]-[0-9a-f]{10}$/;

export const claimV1 = z.lazy(() =>
  z
    .object({
      claimNumber: z.string().check(z.regex(CLAIM_NUMBER, 'must be a claim number KH-<municipality>-<half-year>-<10 hex digits>')),
      municipality: z.string().check(z.regex(/^\d{3}$/, 'must be a three-digit municipality code')),
      businessId: businessIdSchema,
      compensationType: z.enum(compensationTypes),
      /** Calendar half-year of the rows' last days, `2026H2`. */
      period: z.string().check(z.regex(/^\d{4}H[12]$/, 'must be a half-year like 2026H2')),
      rows: z.array(z.object(costRowFields())).check(z.minLength(1, 'must hold at least one row')),
      totalCents: z.int('must be an integer number of cents').check(z.positive()),
    })
    .check(
      z.superRefine((claim, ctx) => {
        let sum: number | null;
        try {
          sum = sumCents(claim.rows.map((r) => r.amountCents));
        } catch {
          sum = null;
        }
        if (sum !== claim.totalCents) ctx.addIssue({ code: 'custom', path: ['totalCents'], message: 'must be the sum of the rows in cents' });
        claim.rows.forEach((row, i) => {
          if (row.compensationType !== claim.compensationType) ctx.addIssue({ code: 'custom', path: ['rows', i, 'compensationType'], message: 'must be the claim’s type' });
          if (halfYearOf(row.to) !== claim.period) ctx.addIssue({ code: 'custom', path: ['rows', i, 'to'], message: 'must fall in the claim’s half-year' });
        });
      }),
    ),
);
export type ClaimV1 = z.infer<typeof claimV1>;

export function claimNumber(municipality: string, type: CompensationType, period: string, vouchers: readonly string[]): string {
  const digest = createHash('sha256')
    .update([municipality, type, period, ...[...vouchers].sort()].join('\n'))
    .digest('hex');
  return `KH-${municipality}-${period}-${digest.slice(0, 10)}`;
}

/**
 * The claims of a municipality's accepted rows: one per type and half-year, rows in voucher order,
 * claims in type and period order. Throws `NotCentsError` if an amount is not integer cents.
 */
export function groupClaims(municipality: string, businessId: string, accepted: readonly CostRowV1[]): ClaimV1[] {
  const groups = new Map<string, CostRowV1[]>();
  for (const row of accepted) {
    const key = `${row.compensationType}|${halfYearOf(row.to)}`;
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, rows]) => {
      const [type, period] = key.split('|') as [CompensationType, string];
      const sorted = [...rows].sort((a, b) => (a.voucher < b.voucher ? -1 : a.voucher > b.voucher ? 1 : 0));
      return {
        claimNumber: claimNumber(municipality, type, period, sorted.map((r) => r.voucher)),
        municipality,
        businessId,
        compensationType: type,
        period,
        rows: sorted,
        totalCents: sumCents(sorted.map((r) => r.amountCents), `claim ${type} ${period}`),
      };
    });
}

/** First and last day of a claim's half-year, as YA's document states its period. */
export const claimPeriodDays = (claim: Pick<ClaimV1, 'period'>): { from: string; to: string } => halfYearDays(claim.period);
