/**
 * A referral becomes a pending outreach candidate of its municipality in the correlation table,
 * once per person: a second referral of someone already pending changes nothing (conditional put).
 * The outreach run decides pending candidates later; the HETU is kept here because that decision
 * needs it, encrypted at rest, and the item's key is its keyed hash, not the code.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Envelope } from '#contracts/envelope';
import type { ReferralV1 } from '#contracts/messages/referral';

/** Days a pending candidate waits for an outreach decision before it expires. */
export const PENDING_CANDIDATE_DAYS = 180;

export const pendingCandidateKey = (municipality: string, hetuHash: string) => ({
  pk: `MUNICIPALITY#${municipality}#PENDING`,
  sk: `CANDIDATE#${hetuHash}`,
});

export interface CandidateDeps {
  readonly db: DynamoDBDocumentClient;
  readonly table: string;
  readonly hashHetu: (hetu: string) => Promise<string>;
  readonly now?: () => Date;
}

export type RecordOutcome = 'candidate-recorded' | 'candidate-already-pending';

export const recordReferralCandidate = async (referral: Envelope<ReferralV1>, deps: CandidateDeps): Promise<RecordOutcome> => {
  const now = deps.now?.() ?? new Date();
  const { payload } = referral;
  try {
    await deps.db.send(
      new PutCommand({
        TableName: deps.table,
        Item: {
          ...pendingCandidateKey(referral.municipality, await deps.hashHetu(payload.hetu)),
          origin: 'referral',
          status: 'pending',
          hetu: payload.hetu,
          municipality: referral.municipality,
          referrer: payload.referrer,
          reason: payload.reason,
          referredOn: payload.referredOn,
          correlationId: referral.correlationId,
          messageId: referral.messageId,
          recordedAt: now.toISOString(),
          expiresAt: Math.floor(now.getTime() / 1000) + PENDING_CANDIDATE_DAYS * 86_400,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return 'candidate-recorded';
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return 'candidate-already-pending';
    throw error;
  }
};
