/**
 * A municipality's cost rows, as its finance system (Unit4, Abilita, …) exports them for a
 * compensation claim, and `claims.costs.submitted.v1`, the message that carries a batch of them
 * into the hub. The same rows come from the CSV import (contracts/claims/csv.ts).
 *
 * A row's HETU is a plain string here on purpose: a malformed code is not a broken batch but a
 * refused row (`INVALID_HETU`, docs/DESIGN.md "Compensation rules" 1), so the other rows go on.
 */
import * as z from '#contracts/zod';
import { businessIdSchema } from '#contracts/business-id';
import { MAX_ROW_CENTS } from '#contracts/claims/money';
import { compensationTypes, typeConcernsPerson } from '#contracts/claims/compensation';

/** The most rows in one message: 500 rows of ~200 bytes stay well under the 200 KB envelope limit. */
export const MAX_ROWS_PER_BATCH = 500;

const isoDate = () => z.iso.date('must be an ISO date YYYY-MM-DD');

/** The finance system's voucher reference (tositenumero): what the municipality finds the cost by. */
export const voucherSchema = z.string().check(
  z.regex(/^[A-Za-z0-9][A-Za-z0-9/._-]{0,39}$/, 'must be 1–40 letters, digits and / . _ - (the voucher reference of the finance system)'),
);

export const costRowFields = () => ({
  voucher: voucherSchema,
  /** The person the cost concerns; null only for `PREPAREDNESS`. Validated by the rules, not here. */
  hetu: z.nullable(z.string().check(z.minLength(1, 'must not be empty (null for a row that concerns no person)'))),
  compensationType: z.enum(compensationTypes, `must be one of ${compensationTypes.join(', ')}`),
  /** First and last day of the cost (both included). */
  from: isoDate(),
  to: isoDate(),
  /** Euro cents, an integer: EUR 12.34 is 1234. */
  amountCents: z.int('must be an integer number of cents').check(z.positive('must be more than zero'), z.lte(MAX_ROW_CENTS, 'must be at most 10000000000 cents')),
});

const rowChecks = (row: { hetu: string | null; compensationType: (typeof compensationTypes)[number]; from: string; to: string }, ctx: z.core.$RefinementCtx) => {
  if (row.to < row.from) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must not be before from' });
  if (typeConcernsPerson(row.compensationType) && row.hetu === null) {
    ctx.addIssue({ code: 'custom', path: ['hetu'], message: `is required for ${row.compensationType}` });
  }
  if (!typeConcernsPerson(row.compensationType) && row.hetu !== null) {
    ctx.addIssue({ code: 'custom', path: ['hetu'], message: `must be null for ${row.compensationType}: it concerns no person` });
  }
};

export const costRowV1 = z.lazy(() =>
  z.object(costRowFields()).check(
    z.superRefine(rowChecks),
    z.describe('One cost row. Checked by the hub: `to` is not before `from`; `hetu` is given for every compensation type but PREPAREDNESS, and null for PREPAREDNESS'),
  ),
);
export type CostRowV1 = z.infer<typeof costRowV1>;

export const costsSubmittedV1 = z.lazy(() =>
  z.object({
    /** The finance system's id of this export; with the municipality, what makes a re-sent batch a duplicate. */
    batchId: z.string().check(z.regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/, 'must be 1–64 letters, digits and . _ : -')),
    /** The municipality's (or county's) business ID, Y-tunnus: every message about money carries it. */
    businessId: businessIdSchema,
    /**
     * A voucher reference repeated within the batch is not refused here: the rules refuse the later
     * row as `DUPLICATE_ROW`, as they do a voucher already in a claim, so every row gets a verdict.
     */
    rows: z.array(costRowV1).check(z.minLength(1, 'must hold at least one row'), z.maxLength(MAX_ROWS_PER_BATCH, `must hold at most ${MAX_ROWS_PER_BATCH} rows`)),
  }),
);
export type CostsSubmittedV1 = z.infer<typeof costsSubmittedV1>;
