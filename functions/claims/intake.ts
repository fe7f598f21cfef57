/**
 * Takes one batch of a municipality's cost rows (docs/DESIGN.md "Compensation claims"): every row
 * judged by the compensation rules (contracts/claims/eligibility.ts) against what UMA says of its
 * person, the accepted rows grouped into claims, and an answer per row for the municipality's
 * inbox — accepted into its claim or refused with one reason — with a warning for each row whose
 * claim deadline is near. Once per batch: a batch id seen before changes nothing.
 *
 * What the hub keeps, in the correlation table under `CLAIMS#<municipality>` (encrypted at rest;
 * no personal data in any key):
 * - `VOUCHER#<voucher>`: the batch whose claim took the voucher (rule 6: a voucher is claimed once);
 * - `CLAIM#<claim number>`: the claim with its rows and total, and the correlation of its batch;
 * - `BATCH#<batch id>`: the message that brought it, the answers it produced and its sums (rows in
 *   = accepted + refused, in cents), written last.
 *
 * Without transactions (dynalite), the writes are ordered to be safe to repeat: the vouchers first
 * (conditional on being free or this batch's), the claims next, the batch last. A crash in between
 * re-runs the same steps on redelivery: the vouchers it took are still its own, so the verdicts and
 * the claim numbers come out the same.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { groupClaims, type ClaimV1 } from '#contracts/claims/claim';
import type { CostsSubmittedV1 } from '#contracts/claims/cost-rows';
import { addDays } from '#contracts/claims/dates';
import { decideRows, type PersonFacts, type Verdict } from '#contracts/claims/eligibility';
import { sumCents, type BatchSums, type Tally } from '#contracts/claims/money';
import type { ClaimsDeadlineNearV1, ClaimsRowDecidedV1 } from '#contracts/messages/claims';

/** Years the hub keeps a batch, its claims and vouchers: past the claim deadline (two years after the costs' year) and YA's decision. */
export const CLAIMS_KEEP_YEARS = 5;

/** Days before a row's claim deadline from which the municipality is warned (KOTO_CLAIMS_DEADLINE_WARNING_DAYS). */
export const deadlineWarningDays = (env: NodeJS.ProcessEnv = process.env): number => {
  const value = Number(env.KOTO_CLAIMS_DEADLINE_WARNING_DAYS ?? 60);
  if (!Number.isInteger(value) || value < 0) throw new Error('configuration: KOTO_CLAIMS_DEADLINE_WARNING_DAYS must be a whole number of days');
  return value;
};

export interface ClaimsIntakeDeps {
  readonly db: DynamoDBDocumentClient;
  readonly table: string;
  readonly now: () => Date;
  readonly warningDays: number;
}

export interface IntakeAnswers {
  readonly decisions: readonly ClaimsRowDecidedV1[];
  readonly warnings: readonly ClaimsDeadlineNearV1[];
}

export type IntakeResult =
  | ({ readonly outcome: 'taken' | 'replayed'; readonly claims: readonly string[]; readonly sums: BatchSums } & IntakeAnswers)
  | { readonly outcome: 'duplicate' | 'deferred' };

/** What a stored claim holds: the claim as YA will get it, and where it came from. */
export interface ClaimItem {
  readonly claim: ClaimV1;
  readonly batchId: string;
  readonly correlationId: string;
  readonly createdOn: string;
}

interface BatchItem extends IntakeAnswers {
  readonly messageId: string;
  readonly claims: readonly string[];
  readonly sums: BatchSums;
}

export const claimsPartition = (municipality: string) => `CLAIMS#${municipality}`;

/** Looks up UMA's facts of the rows' persons; null when the lookup was put off (UMA's breaker is open). */
export type LookUp = (hetus: readonly (string | null)[], today: string) => Promise<((hetu: string) => PersonFacts) | null>;

const dayOf = (date: Date): string => date.toISOString().slice(0, 10);
const daysBetween = (from: string, to: string): number => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
const tally = (amounts: readonly number[], where: string): Tally => ({ rows: amounts.length, cents: sumCents(amounts, where) });

/**
 * The rows to warn of: those whose claim deadline is on `today` or within `days` after it. Not a
 * row refused for its deadline (it has passed) or as a duplicate (its voucher is claimed already).
 */
export const deadlineWarnings = (decisions: readonly ClaimsRowDecidedV1[], today: string, days: number): ClaimsDeadlineNearV1[] => {
  const warnUntil = addDays(today, days);
  return decisions
    .filter((d) => d.reason !== 'DEADLINE_PASSED' && d.reason !== 'DUPLICATE_ROW' && d.deadline >= today && d.deadline <= warnUntil)
    .map((d) => ({ batchId: d.batchId, voucher: d.voucher, businessId: d.businessId, deadline: d.deadline, daysLeft: daysBetween(today, d.deadline), claimNumber: d.claimNumber }));
};

/** A batch's sums: every row in, and the accepted and refused by their verdicts (each an exact integer sum of cents). */
export const batchSums = (rows: readonly { amountCents: number }[], decisions: readonly Pick<ClaimsRowDecidedV1, 'outcome' | 'amountCents'>[]): BatchSums => ({
  in: tally(rows.map((r) => r.amountCents), 'rows in'),
  accepted: tally(decisions.filter((d) => d.outcome === 'accepted').map((d) => d.amountCents), 'accepted rows'),
  refused: tally(decisions.filter((d) => d.outcome === 'refused').map((d) => d.amountCents), 'refused rows'),
});

/** The claims of a batch's accepted rows and the answer of every row, in row order: pure. */
export function judged(municipality: string, batch: CostsSubmittedV1, verdicts: readonly Verdict[]): { claims: ClaimV1[]; decisions: ClaimsRowDecidedV1[] } {
  const accepted = batch.rows.filter((_, i) => verdicts[i]!.verdict === 'ACCEPTED');
  const claims = groupClaims(municipality, batch.businessId, accepted);
  const claimOf = new Map(claims.flatMap((claim) => claim.rows.map((row) => [row.voucher, claim.claimNumber] as const)));
  const decisions: ClaimsRowDecidedV1[] = batch.rows.map((row, i) => {
    const verdict = verdicts[i]!;
    const ok = verdict.verdict === 'ACCEPTED';
    return {
      batchId: batch.batchId,
      voucher: row.voucher,
      businessId: batch.businessId,
      outcome: ok ? 'accepted' : 'refused',
      reason: ok ? null : verdict.reason,
      claimNumber: ok ? claimOf.get(row.voucher)! : null,
      amountCents: row.amountCents,
      deadline: verdict.deadline,
    };
  });
  return { claims, decisions };
}

export function claimsIntake(deps: ClaimsIntakeDeps) {
  const pk = (municipality: string) => claimsPartition(municipality);
  const expiresAt = () => Math.floor(deps.now().getTime() / 1000) + CLAIMS_KEEP_YEARS * 366 * 86_400;

  /** The vouchers of `vouchers` another batch's claim holds already. */
  const claimedElsewhere = async (municipality: string, batchId: string, vouchers: readonly string[]): Promise<Set<string>> => {
    const claimed = new Set<string>();
    const keys = [...new Set(vouchers)].map((v) => ({ pk: pk(municipality), sk: `VOUCHER#${v}` }));
    for (let i = 0; i < keys.length; i += 100) {
      let request: Record<string, { Keys: Record<string, unknown>[]; ConsistentRead?: boolean }> | undefined = {
        [deps.table]: { Keys: keys.slice(i, i + 100), ConsistentRead: true },
      };
      while (request && Object.keys(request).length > 0) {
        const answer = await deps.db.send(new BatchGetCommand({ RequestItems: request }));
        for (const item of answer.Responses?.[deps.table] ?? []) {
          if (item.batchId !== batchId) claimed.add(String(item.sk).slice('VOUCHER#'.length));
        }
        request = answer.UnprocessedKeys as typeof request;
      }
    }
    return claimed;
  };

  /** Takes the voucher for this batch; false when another batch took it meanwhile. */
  const takeVoucher = async (municipality: string, batchId: string, voucher: string): Promise<boolean> => {
    try {
      await deps.db.send(
        new PutCommand({
          TableName: deps.table,
          Item: { pk: pk(municipality), sk: `VOUCHER#${voucher}`, batchId, expiresAt: expiresAt() },
          ConditionExpression: 'attribute_not_exists(pk) OR batchId = :b',
          ExpressionAttributeValues: { ':b': batchId },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  };

  const putClaim = async (claim: ClaimV1, item: Omit<ClaimItem, 'claim'>): Promise<void> => {
    try {
      await deps.db.send(
        new PutCommand({
          TableName: deps.table,
          Item: { pk: pk(claim.municipality), sk: `CLAIM#${claim.claimNumber}`, claim, ...item, state: 'accepted', expiresAt: expiresAt() },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      // Written by this batch before a crash; what came after it (YA's answers) stays.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  };

  return {
    async take(municipality: string, batch: CostsSubmittedV1, messageId: string, correlationId: string, lookUp: LookUp): Promise<IntakeResult> {
      const seen = (await deps.db.send(new GetCommand({ TableName: deps.table, Key: { pk: pk(municipality), sk: `BATCH#${batch.batchId}` }, ConsistentRead: true })))
        .Item as BatchItem | undefined;
      if (seen) {
        return seen.messageId === messageId
          ? { outcome: 'replayed', decisions: seen.decisions, warnings: seen.warnings, claims: seen.claims, sums: seen.sums }
          : { outcome: 'duplicate' };
      }

      const today = dayOf(deps.now());
      const factsOf = await lookUp(batch.rows.map((row) => row.hetu), today);
      if (!factsOf) return { outcome: 'deferred' };

      let verdicts: Verdict[] = decideRows(batch.rows, factsOf, {
        today,
        claimedVouchers: await claimedElsewhere(municipality, batch.batchId, batch.rows.map((r) => r.voucher)),
      });
      // A voucher another batch took between the look and now is that batch's: this row is a duplicate.
      for (const [i, row] of batch.rows.entries()) {
        const verdict = verdicts[i]!;
        if (verdict.verdict === 'ACCEPTED' && !(await takeVoucher(municipality, batch.batchId, row.voucher))) {
          verdicts = verdicts.map((v, j) => (j === i ? { verdict: 'REFUSED', reason: 'DUPLICATE_ROW', deadline: v.deadline } : v));
        }
      }

      const { claims, decisions } = judged(municipality, batch, verdicts);
      for (const claim of claims) await putClaim(claim, { batchId: batch.batchId, correlationId, createdOn: today });

      const warnings = deadlineWarnings(decisions, today, deps.warningDays);

      const sums = batchSums(batch.rows, decisions);
      const item: BatchItem = { messageId, decisions, warnings, claims: claims.map((c) => c.claimNumber), sums };
      await deps.db.send(
        new PutCommand({
          TableName: deps.table,
          Item: { pk: pk(municipality), sk: `BATCH#${batch.batchId}`, ...item, correlationId, receivedOn: today, expiresAt: expiresAt() },
        }),
      );
      return { outcome: 'taken', ...item };
    },
  };
}
