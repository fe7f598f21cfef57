/**
 * YA's answers back to the claims they answer (docs/DESIGN.md "Compensation claims"): the poller
 * reads YA's answers in YA's order (contracts/ya/wire.ts), one number after the last it read, and
 * matches each to its stored claim by the claim number. A supplement request, a decision and a
 * payment are kept on the claim (a decision per row: claimed and accepted cents) and delivered to
 * the municipality's inbox once.
 *
 * Once: a decision or payment that is already on the claim with the same content is delivered
 * again under the same message id (the inbox keeps a message id once), so a decision YA sends twice,
 * or one read again after a crash before the cursor moved, changes nothing. One that differs from
 * what the claim holds, one for a claim the hub does not know, one whose rows are not the claim's,
 * and an answer that is not valid XML of the contract are set aside for the operators (an item
 * under `YA#ANSWERS`, a log line with codes only) and the reading goes on.
 */
import { isDeepStrictEqual } from 'node:util';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Envelope } from '#contracts/envelope';
import { buildEnvelope } from '#contracts/messages/registry';
import type { ClaimDecisionDeliveredV1, ClaimPaymentDeliveredV1, SupplementRequestDeliveredV1 } from '#contracts/messages/claims';
import type { ClaimDecidedV1, ClaimPaidV1, SupplementRequestedV1, YaAnswerV1 } from '#contracts/ya/answers';
import { readYaAnswerXml } from '#contracts/ya/mapper';
import { sumCents } from '#contracts/claims/money';
import { deterministicUuid } from '#lib/ids';
import { claimsPartition, CLAIMS_KEEP_YEARS } from '#functions/claims/intake';
import type { StoredClaim } from '#functions/claims/send';

export const YA_ANSWERS_STAGE = 'ya-answer-poller';
const CURSOR = { pk: 'YA#ANSWERS', sk: 'CURSOR' };

/** What a claim keeps of YA's answers. */
export interface ClaimAnswers {
  readonly decision?: ClaimDecidedV1;
  readonly payment?: ClaimPaidV1;
}

export interface AnswerDeps {
  readonly db: DynamoDBDocumentClient;
  readonly table: string;
  /** YA's n-th answer as its document, or null when there is none yet. */
  readonly fetch: (n: number) => Promise<string | null>;
  /** Sends the messages to the municipalities' outbox (with their root audit records). */
  readonly deliver: (envelopes: readonly Envelope[]) => Promise<void>;
  readonly now: () => Date;
  readonly log: (message: string, fields: Record<string, unknown>) => void;
}

export interface PollResult {
  readonly read: number;
  readonly delivered: number;
  readonly setAside: number;
}

type Matched = { readonly deliver: Envelope } | { readonly aside: string } | { readonly nothing: true };

const municipalityOf = (claimNumber: string): string => claimNumber.slice(3, 6);

const toMunicipality = (
  claim: StoredClaim,
  kind: string,
  day: string,
  type: 'claims.claim.decided.v1' | 'claims.claim.paid.v1' | 'claims.supplement.requested.v1',
  payload: ClaimDecisionDeliveredV1 | ClaimPaymentDeliveredV1 | SupplementRequestDeliveredV1,
) =>
  buildEnvelope(type, payload as never, {
    messageId: deterministicUuid('ya-answer', claim.claim.claimNumber, kind),
    correlationId: claim.correlationId,
    causationId: null,
    source: 'ya',
    target: `municipality:${claim.claim.municipality}`,
    municipality: claim.claim.municipality,
    occurredAt: `${day}T00:00:00.000Z`,
  }) as Envelope;

const decisionMessage = (claim: StoredClaim, d: ClaimDecidedV1) =>
  toMunicipality(claim, 'decided', d.decidedOn, 'claims.claim.decided.v1', {
    claimNumber: d.claimNumber,
    caseId: d.caseId,
    businessId: claim.claim.businessId,
    decidedOn: d.decidedOn,
    claimedCents: sumCents(d.rows.map((r) => r.claimedCents), 'decision claimed'),
    acceptedCents: d.acceptedCents,
    rows: d.rows.map(({ voucher, outcome, claimedCents, acceptedCents, reason }) => ({ voucher, outcome, claimedCents, acceptedCents, reason })),
  });

const paymentMessage = (claim: StoredClaim & ClaimAnswers, p: ClaimPaidV1) => {
  const decided = claim.decision?.acceptedCents ?? null;
  return toMunicipality(claim, 'paid', p.paidOn, 'claims.claim.paid.v1', {
    claimNumber: p.claimNumber,
    caseId: p.caseId,
    businessId: claim.claim.businessId,
    paidOn: p.paidOn,
    amountCents: p.amountCents,
    reference: p.reference,
    iban: p.iban,
    decidedCents: decided,
    differsFromDecision: decided !== null && decided !== p.amountCents,
  });
};

const supplementMessage = (claim: StoredClaim, r: SupplementRequestedV1) =>
  toMunicipality(claim, `supplement-${r.requestId}`, r.requestedOn, 'claims.supplement.requested.v1', {
    claimNumber: r.claimNumber,
    caseId: r.caseId,
    businessId: claim.claim.businessId,
    requestId: r.requestId,
    requestedOn: r.requestedOn,
    dueOn: r.dueOn,
    questions: r.questions.map(({ voucher, text }) => ({ voucher, text })),
  });

/** A decision fits its claim when it decides exactly the claim's rows, each on the cents claimed. */
const fitsClaim = (claim: StoredClaim, d: ClaimDecidedV1): boolean => {
  const claimed = new Map(claim.claim.rows.map((r) => [r.voucher, r.amountCents]));
  return d.rows.length === claimed.size && d.rows.every((r) => claimed.get(r.voucher) === r.claimedCents);
};

export async function pollYaAnswers(deps: AnswerDeps, limit = 50): Promise<PollResult> {
  const get = async <T>(key: { pk: string; sk: string }): Promise<T | undefined> =>
    (await deps.db.send(new GetCommand({ TableName: deps.table, Key: key, ConsistentRead: true }))).Item as T | undefined;
  const claimKey = (claimNumber: string) => ({ pk: claimsPartition(municipalityOf(claimNumber)), sk: `CLAIM#${claimNumber}` });

  /** Keeps `field` on the claim unless it holds one already; the claim as it is after. */
  const keep = async (claimNumber: string, field: 'decision' | 'payment' | 'supplement', value: YaAnswerV1): Promise<StoredClaim & ClaimAnswers> => {
    try {
      await deps.db.send(
        new UpdateCommand({
          TableName: deps.table,
          Key: claimKey(claimNumber),
          UpdateExpression: 'SET #f = :v, #s = :s',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#f)',
          ExpressionAttributeNames: { '#f': field, '#s': 'state' },
          ExpressionAttributeValues: { ':v': value, ':s': field === 'decision' ? 'decided' : field === 'payment' ? 'paid' : 'supplement-requested' },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    return (await get<StoredClaim & ClaimAnswers>(claimKey(claimNumber)))!;
  };

  const match = async (answer: YaAnswerV1): Promise<Matched> => {
    const claim = await get<StoredClaim & ClaimAnswers>(claimKey(answer.claimNumber));
    if (!claim) return { aside: 'unknown-claim' };
    switch (answer.kind) {
      case 'received':
        return { nothing: true };
      case 'supplement-requested': {
        // One open request at a time: another one on the same claim is set aside.
        const kept = claim.supplement ? claim : await keep(answer.claimNumber, 'supplement', answer);
        return isDeepStrictEqual(kept.supplement, answer) ? { deliver: supplementMessage(kept, answer) } : { aside: 'supplement-differs-from-kept' };
      }
      case 'decided': {
        if (!claim.decision && !fitsClaim(claim, answer)) return { aside: 'decision-does-not-fit-claim' };
        const kept = claim.decision ? claim : await keep(answer.claimNumber, 'decision', answer);
        return isDeepStrictEqual(kept.decision, answer) ? { deliver: decisionMessage(kept, answer) } : { aside: 'decision-differs-from-kept' };
      }
      case 'paid': {
        const kept = claim.payment ? claim : await keep(answer.claimNumber, 'payment', answer);
        return isDeepStrictEqual(kept.payment, answer) ? { deliver: paymentMessage(kept, answer) } : { aside: 'payment-differs-from-kept' };
      }
    }
  };

  const cursor = (await get<{ last: number }>(CURSOR))?.last ?? 0;
  let last = cursor;
  let delivered = 0;
  let setAside = 0;
  while (last - cursor < limit) {
    const n = last + 1;
    const text = await deps.fetch(n);
    if (text === null) break;
    let matched: Matched;
    let claimNumber: string | null = null;
    try {
      const answer = readYaAnswerXml(text);
      claimNumber = answer.claimNumber;
      matched = await match(answer);
    } catch (error) {
      const name = error instanceof Error ? error.name : '';
      if (name !== 'YaContractError' && name !== 'XmlRejected') throw error;
      matched = { aside: 'not-a-contract-answer' };
    }
    if ('deliver' in matched) {
      await deps.deliver([matched.deliver]);
      delivered += 1;
    } else if ('aside' in matched) {
      setAside += 1;
      deps.log('YA answer set aside', { answer: n, reason: matched.aside });
      await deps.db.send(
        new PutCommand({
          TableName: deps.table,
          Item: { pk: CURSOR.pk, sk: `ASIDE#${String(n).padStart(9, '0')}`, reason: matched.aside, claimNumber, expiresAt: Math.floor(deps.now().getTime() / 1000) + CLAIMS_KEEP_YEARS * 366 * 86_400 },
        }),
      );
    }
    await deps.db.send(new PutCommand({ TableName: deps.table, Item: { ...CURSOR, last: n } }));
    last = n;
  }
  return { read: last - cursor, delivered, setAside };
}
