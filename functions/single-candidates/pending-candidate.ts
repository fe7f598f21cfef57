/**
 * A single outreach candidate — a person referred by another authority, or one who moved into the
 * municipality — waits in the correlation table as pending until its decision is made, once per
 * person: a second referral of someone already pending changes nothing (conditional put). The
 * HETU is kept because the lookups need it, encrypted at rest; the item's key is its keyed hash.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { queryItems } from '#lib/dynamo-pages';

/** Days a pending candidate waits for its decision before it expires. */
export const PENDING_CANDIDATE_DAYS = 180;

export type CandidateOrigin = 'referral' | 'moved-in';

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

export interface PendingCandidate {
  readonly municipality: string;
  readonly hetu: string;
  readonly origin: CandidateOrigin;
  readonly correlationId: string;
  readonly messageId: string;
  /** The day the candidate is decided on (kept so that a lookup put back after a crash asks the same). */
  readonly asOf: string;
  /** What the origin says of the person (who referred and why; when they moved in). */
  readonly details: Record<string, unknown>;
}

export type RecordOutcome = 'candidate-recorded' | 'candidate-already-pending';

export const recordPendingCandidate = async (candidate: PendingCandidate, deps: CandidateDeps): Promise<{ outcome: RecordOutcome; key: string }> => {
  const now = deps.now?.() ?? new Date();
  const key = await deps.hashHetu(candidate.hetu);
  try {
    await deps.db.send(
      new PutCommand({
        TableName: deps.table,
        Item: {
          ...pendingCandidateKey(candidate.municipality, key),
          origin: candidate.origin,
          status: 'pending',
          hetu: candidate.hetu,
          municipality: candidate.municipality,
          asOf: candidate.asOf,
          ...candidate.details,
          correlationId: candidate.correlationId,
          messageId: candidate.messageId,
          recordedAt: now.toISOString(),
          expiresAt: Math.floor(now.getTime() / 1000) + PENDING_CANDIDATE_DAYS * 86_400,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return { outcome: 'candidate-recorded', key };
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    // Recorded by this very message before (a redelivery, or a retry after a crash): carry on as
    // the first time, so the lookup it started is sure to be sent and its audit record is the same.
    const { Item } = await deps.db.send(
      new GetCommand({ TableName: deps.table, Key: pendingCandidateKey(candidate.municipality, key), ConsistentRead: true }),
    );
    return { outcome: Item?.messageId === candidate.messageId ? 'candidate-recorded' : 'candidate-already-pending', key };
  }
};

/** Records the decision of a pending candidate (the last one made, if decided again after a redrive). */
export const recordSingleDecision = async (
  municipality: string,
  key: string,
  decision: { outcome: string },
  deps: Pick<CandidateDeps, 'db' | 'table' | 'now'>,
): Promise<void> => {
  await deps.db.send(
    new UpdateCommand({
      TableName: deps.table,
      Key: pendingCandidateKey(municipality, key),
      UpdateExpression: 'SET #status = :decided, #outcome = :outcome, decidedAt = :at',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#status': 'status', '#outcome': 'outcome' },
      ExpressionAttributeValues: { ':decided': 'decided', ':outcome': decision.outcome, ':at': (deps.now?.() ?? new Date()).toISOString() },
    }),
  );
};

/** A pending candidate as recovery reads it: what its lookup needs, and when it was last looked after. */
export interface PendingItem {
  readonly key: string;
  readonly municipality: string;
  readonly hetu: string;
  readonly origin: CandidateOrigin;
  readonly status: string;
  readonly correlationId: string;
  readonly messageId: string;
  readonly asOf: string;
  readonly recordedAt: string;
  readonly recoveredAt?: string;
}

/** The municipality's candidates still pending, one Query (paged) over its partition. */
export const pendingCandidates = async (municipality: string, deps: Pick<CandidateDeps, 'db' | 'table'>): Promise<PendingItem[]> => {
  const found: PendingItem[] = [];
  const items = queryItems(deps.db, {
    TableName: deps.table,
    KeyConditionExpression: 'pk = :pk',
    FilterExpression: '#status = :pending',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':pk': pendingCandidateKey(municipality, '').pk, ':pending': 'pending' },
    ConsistentRead: true,
  });
  for await (const item of items) {
    const recordedAt = String(item.recordedAt);
    found.push({
      key: String(item.sk).slice('CANDIDATE#'.length),
      municipality,
      hetu: String(item.hetu),
      origin: item.origin as CandidateOrigin,
      status: String(item.status),
      correlationId: String(item.correlationId),
      messageId: String(item.messageId),
      // A candidate recorded before the day was kept is decided as of the day it was recorded.
      asOf: typeof item.asOf === 'string' ? item.asOf : recordedAt.slice(0, 10),
      recordedAt,
      ...(typeof item.recoveredAt === 'string' ? { recoveredAt: item.recoveredAt } : {}),
    });
  }
  return found;
};

/** Claims the putting back of a pending candidate's lookup, once per silence (as `RunStore.claimRecovery`). */
export const claimPendingRecovery = async (candidate: PendingItem, deps: Pick<CandidateDeps, 'db' | 'table' | 'now'>): Promise<boolean> => {
  try {
    await deps.db.send(
      new UpdateCommand({
        TableName: deps.table,
        Key: pendingCandidateKey(candidate.municipality, candidate.key),
        UpdateExpression: 'SET #rec = :now',
        ConditionExpression: `#status = :pending AND ${candidate.recoveredAt ? '#rec = :rec' : 'attribute_not_exists(#rec)'}`,
        ExpressionAttributeNames: { '#rec': 'recoveredAt', '#status': 'status' },
        ExpressionAttributeValues: {
          ':now': (deps.now?.() ?? new Date()).toISOString(),
          ':pending': 'pending',
          ...(candidate.recoveredAt ? { ':rec': candidate.recoveredAt } : {}),
        },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
};
