/**
 * `koto-hub claims status` (docs/DESIGN.md "Compensation claims"): each claim of a municipality with
 * its state and sums in integer cents — claimed, decided, paid — and the flags a finance officer
 * acts on: no decision after a configurable number of days, and a payment that differs from the
 * decision. Beside them, each batch's reconciliation: rows in = accepted + refused, and the accepted
 * cents = the totals of the claims the batch made. Built from the correlation table's items under
 * `CLAIMS#<municipality>`; nothing personal is taken from them (no row's person, no YA free text).
 */
import { sumCents } from '#contracts/claims/money';
import type { ClaimV1 } from '#contracts/claims/claim';
import type { BatchSums } from '#contracts/claims/money';
import type { ClaimDecidedV1, ClaimPaidV1 } from '#contracts/ya/answers';


export type ClaimFlag = 'NO_DECISION' | 'PAYMENT_DIFFERS';

export interface ClaimStatusRow {
  readonly claimNumber: string;
  readonly compensationType: string;
  readonly period: string;
  readonly state: string;
  readonly rows: number;
  readonly claimedCents: number;
  readonly decidedCents: number | null;
  readonly paidCents: number | null;
  readonly createdOn: string;
  readonly flags: readonly ClaimFlag[];
}

export interface BatchStatusRow {
  readonly batchId: string;
  readonly receivedOn: string;
  readonly sums: BatchSums;
  readonly claimsCents: number;
  /** Rows in = accepted + refused (rows and cents), and accepted cents = the claims' totals. */
  readonly reconciles: boolean;
}

export interface ClaimsStatus {
  readonly municipality: string;
  readonly claims: readonly ClaimStatusRow[];
  readonly batches: readonly BatchStatusRow[];
  readonly totals: { readonly claimedCents: number; readonly decidedCents: number; readonly paidCents: number };
}

type Item = Readonly<Record<string, unknown>>;

const daysBetween = (from: string, to: string): number => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);

/**
 * The status of `municipality`'s claims on `today` from its items (any order); `year` keeps the
 * claims of that year's half-years (and the batches that made them); `noDecisionDays` is when a
 * claim without a decision is flagged.
 */
export function claimsStatus(items: readonly Item[], options: { municipality: string; today: string; noDecisionDays: number; year?: string }): ClaimsStatus {
  const pk = `CLAIMS#${options.municipality}`;
  const mine = items.filter((i) => i.pk === pk);
  const claimItems = mine.filter((i) => String(i.sk).startsWith('CLAIM#'));
  const claims: ClaimStatusRow[] = claimItems
    .map((item) => {
      const claim = item.claim as ClaimV1;
      const decision = item.decision as ClaimDecidedV1 | undefined;
      const payment = item.payment as ClaimPaidV1 | undefined;
      const createdOn = String(item.createdOn);
      const flags: ClaimFlag[] = [];
      if (!decision && daysBetween(createdOn, options.today) > options.noDecisionDays) flags.push('NO_DECISION');
      if (payment && (!decision || payment.amountCents !== decision.acceptedCents)) flags.push('PAYMENT_DIFFERS');
      return {
        claimNumber: claim.claimNumber,
        compensationType: claim.compensationType,
        period: claim.period,
        state: String(item.state),
        rows: claim.rows.length,
        claimedCents: sumCents(claim.rows.map((r) => r.amountCents), claim.claimNumber),
        decidedCents: decision ? decision.acceptedCents : null,
        paidCents: payment ? payment.amountCents : null,
        createdOn,
        flags,
      };
    })
    .filter((row) => options.year === undefined || row.period.startsWith(options.year))
    .sort((a, b) => (a.period + a.claimNumber < b.period + b.claimNumber ? -1 : 1));

  const claimCents = new Map(claimItems.map((i) => [(i.claim as ClaimV1).claimNumber, (i.claim as ClaimV1).totalCents]));
  const shown = new Set(claims.map((c) => c.claimNumber));
  const batches: BatchStatusRow[] = mine
    .filter((i) => String(i.sk).startsWith('BATCH#'))
    .filter((i) => options.year === undefined || (i.claims as string[]).some((n) => shown.has(n)) || String(i.receivedOn).startsWith(options.year))
    .map((item) => {
      const sums = item.sums as BatchSums;
      const claimsCents = sumCents((item.claims as string[]).map((n) => claimCents.get(n) ?? 0), String(item.sk));
      const reconciles =
        sums.in.rows === sums.accepted.rows + sums.refused.rows && sums.in.cents === sums.accepted.cents + sums.refused.cents && sums.accepted.cents === claimsCents;
      return { batchId: String(item.sk).slice('BATCH#'.length), receivedOn: String(item.receivedOn), sums, claimsCents, reconciles };
    })
    .sort((a, b) => (a.receivedOn + a.batchId < b.receivedOn + b.batchId ? -1 : 1));

  return {
    municipality: options.municipality,
    claims,
    batches,
    totals: {
      claimedCents: sumCents(claims.map((c) => c.claimedCents), 'claimed'),
      decidedCents: sumCents(claims.map((c) => c.decidedCents ?? 0), 'decided'),
      paidCents: sumCents(claims.map((c) => c.paidCents ?? 0), 'paid'),
    },
  };
}
