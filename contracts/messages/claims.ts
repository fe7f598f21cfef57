/**
 * What the claims flow tells the municipality's finance system (docs/DESIGN.md "Compensation
 * claims"), in its inbox: the verdict of each cost row it sent, and a warning for a row whose claim
 * deadline is near. Every message about money carries the municipality's business ID (Y-tunnus).
 * No message names the person: the finance system finds the row by its own voucher reference.
 */
import * as z from '#contracts/zod';
import { businessIdSchema } from '#contracts/business-id';
import { CLAIM_NUMBER } from '#contracts/claims/claim';
import { refusalReasons } from '#contracts/claims/compensation';
import { voucherSchema } from '#contracts/claims/cost-rows';
import { MAX_ROW_CENTS } from '#contracts/claims/money';

const isoDate = () => z.iso.date('must be an ISO date YYYY-MM-DD');
const batchId = () => z.string().check(z.regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/, 'must be 1–64 letters, digits and . _ : -'));
const claimNumber = () => z.string().check(z.regex(CLAIM_NUMBER, 'must be a claim number KH-<municipality>-<half-year>-<10 hex digits>'));
const cents = () => z.int('must be an integer number of cents').check(z.positive('must be more than zero'), z.lte(MAX_ROW_CENTS, 'must be at most 10000000000 cents'));

/**
 * claims.row.decided.v1 — the verdict of one cost row (docs/DESIGN.md "Compensation rules"):
 * `accepted` into the claim `claimNumber`, or `refused` with one reason code. `deadline` is the last
 * day the cost may be claimed.
 */
export const claimsRowDecidedV1 = z.lazy(() =>
  z
    .object({
      batchId: batchId(),
      voucher: voucherSchema,
      businessId: businessIdSchema,
      outcome: z.enum(['accepted', 'refused'], 'must be accepted or refused'),
      /** Null when accepted. */
      reason: z.nullable(z.enum(refusalReasons, `must be one of ${refusalReasons.join(', ')}`)),
      /** The claim the row went into; null when refused. */
      claimNumber: z.nullable(claimNumber()),
      amountCents: cents(),
      deadline: isoDate(),
    })
    .check(
      z.superRefine((row, ctx) => {
        if ((row.outcome === 'accepted') !== (row.reason === null)) ctx.addIssue({ code: 'custom', path: ['reason'], message: 'must be null exactly when the row is accepted' });
        if ((row.outcome === 'accepted') !== (row.claimNumber !== null)) ctx.addIssue({ code: 'custom', path: ['claimNumber'], message: 'must be given exactly when the row is accepted' });
      }),
      z.describe('The verdict of one cost row. Checked by the hub: an accepted row has a claimNumber and no reason; a refused row has a reason and no claimNumber'),
    ),
);
export type ClaimsRowDecidedV1 = z.infer<typeof claimsRowDecidedV1>;

/**
 * claims.deadline.near.v1 — a row whose claim deadline is within the configured warning period
 * (`KOTO_CLAIMS_DEADLINE_WARNING_DAYS`, default 60) on the day the hub took it: raised once per row.
 */
export const claimsDeadlineNearV1 = z.lazy(() =>
  z.object({
    batchId: batchId(),
    voucher: voucherSchema,
    businessId: businessIdSchema,
    deadline: isoDate(),
    daysLeft: z.int('must be an integer number of days').check(z.nonnegative('must not be negative')),
    /** The claim the row went into; null when the row was refused for another reason than the deadline. */
    claimNumber: z.nullable(claimNumber()),
  }),
);
export type ClaimsDeadlineNearV1 = z.infer<typeof claimsDeadlineNearV1>;

/**
 * claims.claim.send.requested.v1 — the hub's own wiring, not published: a claim stored by
 * claims-intake, for the YA adapter to send. It names the claim only; the adapter reads the claim
 * (with its persons) from the claim store, so no identity code travels on the queue.
 */
export const claimSendRequestedV1 = z.lazy(() => z.object({ claimNumber: claimNumber() }));
export type ClaimSendRequestedV1 = z.infer<typeof claimSendRequestedV1>;

const caseId = () => z.string().check(z.regex(/^[A-Za-z0-9][A-Za-z0-9/._-]{0,39}$/, 'must be a case number of 1–40 letters, digits and / . _ -'));
const sum = () => z.int('must be an integer number of cents').check(z.nonnegative('must not be negative'));

/**
 * claims.claim.decided.v1 — YA's decision on a claim, per row (accepted, partly, rejected) with the
 * claimed and accepted cents, matched to the claim the hub sent; delivered once. `reason` is YA's
 * own text for a row not accepted in full (free text: the hub never logs it).
 */
export const claimDecisionDeliveredV1 = z.lazy(() =>
  z.object({
    claimNumber: claimNumber(),
    caseId: caseId(),
    businessId: businessIdSchema,
    decidedOn: isoDate(),
    claimedCents: sum(),
    acceptedCents: sum(),
    rows: z.array(
      z.object({
        voucher: voucherSchema,
        outcome: z.enum(['accepted', 'partly', 'rejected'], 'must be accepted, partly or rejected'),
        claimedCents: sum(),
        acceptedCents: sum(),
        reason: z.nullable(z.string().check(z.maxLength(4000, 'must be at most 4000 characters'))),
      }),
    ),
  }),
);
export type ClaimDecisionDeliveredV1 = z.infer<typeof claimDecisionDeliveredV1>;

/**
 * claims.claim.paid.v1 — YA's payment of a claim: the day, the amount, the Finnish payment
 * reference and the account, matched to the claim; `decidedCents` is the decision's total when the
 * hub has it, and `differsFromDecision` flags a payment that is not that total.
 */
export const claimPaymentDeliveredV1 = z.lazy(() =>
  z.object({
    claimNumber: claimNumber(),
    caseId: caseId(),
    businessId: businessIdSchema,
    paidOn: isoDate(),
    amountCents: sum(),
    reference: z.string().check(z.regex(/^(RF\d{2}[0-9A-Z]{1,21}|\d{4,20})$/, 'must be a payment reference, national or RF, without spaces')),
    iban: z.string().check(z.regex(/^FI\d{16}$/, 'must be a Finnish IBAN without spaces')),
    decidedCents: z.nullable(sum()),
    differsFromDecision: z.boolean('must be true or false'),
  }),
);
export type ClaimPaymentDeliveredV1 = z.infer<typeof claimPaymentDeliveredV1>;

const requestId = () => z.string().check(z.regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/, 'must be 1–40 letters, digits and . _ -'));
const freeText = () => z.string().check(z.minLength(1, 'must not be empty'), z.maxLength(4000, 'must be at most 4000 characters'));

/**
 * claims.supplement.requested.v1 — YA asks the municipality for more on a claim: each question about
 * one row (its voucher) or the whole claim (null), and the last day to answer. Free text: never
 * logged. The answer is `claims.supplement.answered.v1` naming the claim and `requestId`.
 */
export const supplementRequestDeliveredV1 = z.lazy(() =>
  z.object({
    claimNumber: claimNumber(),
    caseId: caseId(),
    businessId: businessIdSchema,
    requestId: requestId(),
    requestedOn: isoDate(),
    dueOn: isoDate(),
    questions: z.array(z.object({ voucher: z.nullable(voucherSchema), text: freeText() })),
  }),
);
export type SupplementRequestDeliveredV1 = z.infer<typeof supplementRequestDeliveredV1>;

/**
 * claims.supplement.answered.v1 — the municipality answers YA's supplement request `requestId` on
 * its claim; the hub sends it to YA on the same claim. Free text: never logged.
 */
export const supplementAnsweredV1 = z.lazy(() =>
  z.object({
    claimNumber: claimNumber(),
    requestId: requestId(),
    businessId: businessIdSchema,
    answers: z.array(z.object({ voucher: z.nullable(voucherSchema), text: freeText() })).check(z.minLength(1, 'must hold at least one answer')),
  }),
);
export type SupplementAnsweredV1 = z.infer<typeof supplementAnsweredV1>;
