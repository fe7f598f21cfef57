/**
 * YA's answers to a claim, canonical: received, supplement requested, decided (per row: accepted,
 * partly, rejected) and paid. Amounts are integer cents; a decision's total is the sum of its rows;
 * a payment's reference and IBAN are checked with finnish-bank-utils (a maintained library, not a
 * check of ours). The wire format is in contracts/ya/mapper.ts and README.md.
 */
import FinnishBankUtils from 'finnish-bank-utils';
import * as z from '#contracts/zod';
import { CLAIM_NUMBER } from '#contracts/claims/claim';
import { voucherSchema } from '#contracts/claims/cost-rows';
import { NotCentsError, sumCents } from '#contracts/claims/money';

const isoDate = () => z.iso.date('must be an ISO date YYYY-MM-DD');
const cents = () => z.int('must be an integer number of cents').check(z.nonnegative('must not be negative'));
const claimNumber = () => z.string().check(z.regex(CLAIM_NUMBER, 'must be a claim number KH-<municipality>-<half-year>-<10 hex digits>'));
/** YA's case number (asianumero), e.g. `KEHA/1234/2026`. */
const caseId = () => z.string().check(z.regex(/^[A-Za-z0-9][A-Za-z0-9/._-]{0,39}$/, 'must be a case number of 1–40 letters, digits and / . _ -'));

export const rowOutcomes = ['accepted', 'partly', 'rejected'] as const;
export type RowOutcome = (typeof rowOutcomes)[number];

/** Normalised as a bank writes it: no spaces, upper case. */
const compact = (value: string): string => value.replace(/\s+/g, '').toUpperCase();

export const paymentReferenceSchema = z.pipe(
  z.string().check(z.overwrite(compact)),
  z.string().check(
    z.refine((value) => FinnishBankUtils.isValidFinnishRefNumber(value), 'must be a Finnish payment reference (national, or RF creditor reference) with a valid check digit'),
  ),
);

export const finnishIbanSchema = z.pipe(
  z.string().check(z.overwrite(compact)),
  z.string().check(z.refine((value) => FinnishBankUtils.isValidFinnishIBAN(value), 'must be a Finnish IBAN (FI and 16 digits) with valid check digits')),
);

const base = () => ({ claimNumber: claimNumber(), caseId: caseId() });

export const claimReceivedV1 = z.lazy(() => z.object({ kind: z.literal('received'), ...base(), receivedOn: isoDate() }));

export const supplementRequestedV1 = z.lazy(() =>
  z.object({
    kind: z.literal('supplement-requested'),
    ...base(),
    /** YA's id of this request: the answer names it. */
    requestId: z.string().check(z.regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/, 'must be 1–40 letters, digits and . _ -')),
    requestedOn: isoDate(),
    /** The last day to answer. */
    dueOn: isoDate(),
    /** What YA asks, each about one row (its voucher) or the whole claim (null). Free text: never logged. */
    questions: z.array(z.object({ voucher: z.nullable(voucherSchema), text: z.string().check(z.minLength(1), z.maxLength(4000)) })).check(z.minLength(1)),
  }),
);

export const decisionRowV1 = z.lazy(() =>
  z
    .object({
      voucher: voucherSchema,
      outcome: z.enum(rowOutcomes),
      claimedCents: cents(),
      acceptedCents: cents(),
      /** YA's reasoning for a row not accepted in full; free text, never logged. */
      reason: z.nullable(z.string().check(z.maxLength(4000))),
    })
    .check(
      z.superRefine((row, ctx) => {
        const ok =
          row.outcome === 'accepted' ? row.acceptedCents === row.claimedCents : row.outcome === 'rejected' ? row.acceptedCents === 0 : row.acceptedCents > 0 && row.acceptedCents < row.claimedCents;
        if (!ok) ctx.addIssue({ code: 'custom', path: ['acceptedCents'], message: `does not fit the outcome ${row.outcome} (accepted: all, partly: some, rejected: none of the claimed cents)` });
      }),
    ),
);

export const claimDecidedV1 = z.lazy(() =>
  z
    .object({
      kind: z.literal('decided'),
      ...base(),
      decidedOn: isoDate(),
      rows: z.array(decisionRowV1).check(z.minLength(1)),
      acceptedCents: cents(),
    })
    .check(
      z.superRefine((decision, ctx) => {
        let sum: number | null = null;
        try {
          sum = sumCents(decision.rows.map((r) => r.acceptedCents));
        } catch (error) {
          if (!(error instanceof NotCentsError)) throw error;
        }
        if (sum !== decision.acceptedCents) ctx.addIssue({ code: 'custom', path: ['acceptedCents'], message: 'must be the sum of the rows’ accepted cents' });
        const seen = new Set<string>();
        decision.rows.forEach((row, i) => {
          if (seen.has(row.voucher)) ctx.addIssue({ code: 'custom', path: ['rows', i, 'voucher'], message: 'is decided twice' });
          seen.add(row.voucher);
        });
      }),
    ),
);

export const claimPaidV1 = z.lazy(() =>
  z.object({
    kind: z.literal('paid'),
    ...base(),
    paidOn: isoDate(),
    amountCents: cents(),
    /** The Finnish payment reference (viitenumero) of the payment, national or RF. */
    reference: paymentReferenceSchema,
    /** The account paid to. */
    iban: finnishIbanSchema,
  }),
);

export const yaAnswerV1 = z.lazy(() => z.discriminatedUnion('kind', [claimReceivedV1, supplementRequestedV1, claimDecidedV1, claimPaidV1]));

export type ClaimReceivedV1 = z.infer<typeof claimReceivedV1>;
export type SupplementRequestedV1 = z.infer<typeof supplementRequestedV1>;
export type DecisionRowV1 = z.infer<typeof decisionRowV1>;
export type ClaimDecidedV1 = z.infer<typeof claimDecidedV1>;
export type ClaimPaidV1 = z.infer<typeof claimPaidV1>;
export type YaAnswerV1 = z.infer<typeof yaAnswerV1>;

/**
 * The municipality's answer to a supplement request (hub → YA, `Taydennys`): names the claim, YA's
 * case and the request, and answers each question (about a row, or the whole claim). Free text:
 * never logged.
 */
export const supplementAnswerV1 = z.lazy(() =>
  z.object({
    ...base(),
    requestId: z.string().check(z.regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/, 'must be 1–40 letters, digits and . _ -')),
    answeredOn: isoDate(),
    answers: z.array(z.object({ voucher: z.nullable(voucherSchema), text: z.string().check(z.minLength(1), z.maxLength(4000)) })).check(z.minLength(1)),
  }),
);
export type SupplementAnswerV1 = z.infer<typeof supplementAnswerV1>;
