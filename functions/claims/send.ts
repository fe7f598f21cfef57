/**
 * Sends one stored claim to YA (contracts/ya/wire.ts): its `Korvaushakemus` document, once per
 * claim number. YA answers a claim it took with its receipt (`Vastaanottoilmoitus`), the same receipt
 * for the same claim again, so a retry or a redrive after YA took it changes nothing there; the
 * receipt's case number (asianumero) is recorded on the claim, and a claim that has one is not sent
 * again. A 409 (the number used for another document) and a 400 (the document breaks the contract)
 * are permanent; 5xx, 429 and timeouts transient.
 */
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SupplementAnsweredV1 } from '#contracts/messages/claims';
import type { SupplementRequestedV1 } from '#contracts/ya/answers';
import { buildClaimXml, buildSupplementXml, readYaAnswerXml } from '#contracts/ya/mapper';
import { yaClaimsPath, yaSupplementsPath } from '#contracts/ya/wire';
import { PermanentError } from '#lib/errors';
import type { XRoadHttpClient } from '#lib/xroad-client';
import { claimsPartition, type ClaimItem } from '#functions/claims/intake';

export interface StoredClaim extends ClaimItem {
  readonly state: string;
  readonly caseId?: string;
  /** YA's open supplement request (one at a time), and the day it was answered. */
  readonly supplement?: SupplementRequestedV1;
  readonly supplementAnsweredOn?: string;
}

export const readClaim = async (db: DynamoDBDocumentClient, table: string, municipality: string, claimNumber: string): Promise<StoredClaim> => {
  const { Item } = await db.send(new GetCommand({ TableName: table, Key: { pk: claimsPartition(municipality), sk: `CLAIM#${claimNumber}` }, ConsistentRead: true }));
  if (!Item) throw new PermanentError('unknown-claim', 'no claim is stored under this claim number for the municipality');
  return Item as StoredClaim;
};

/** Posts the claim; YA's receipt: its case number and the day it took the claim. */
export async function postClaim(client: XRoadHttpClient, stored: StoredClaim, deadline: number): Promise<{ caseId: string; receivedOn: string }> {
  const text = await client.restXml('ya-hakemukset', 'POST', yaClaimsPath(client.config.client.xRoadInstance), buildClaimXml(stored.claim), { deadline });
  const answer = readYaAnswerXml(text);
  if (answer.kind !== 'received' || answer.claimNumber !== stored.claim.claimNumber) {
    throw new PermanentError('ya-unexpected-answer', 'YA answered the claim with something other than its receipt');
  }
  return { caseId: answer.caseId, receivedOn: answer.receivedOn };
}

export const recordReceipt = (db: DynamoDBDocumentClient, table: string, municipality: string, claimNumber: string, receipt: { caseId: string; receivedOn: string }) =>
  db.send(
    new UpdateCommand({
      TableName: table,
      Key: { pk: claimsPartition(municipality), sk: `CLAIM#${claimNumber}` },
      UpdateExpression: 'SET #s = :s, caseId = :c, receivedOn = :r',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#s': 'state' },
      ExpressionAttributeValues: { ':s': 'received', ':c': receipt.caseId, ':r': receipt.receivedOn },
    }),
  );

/**
 * The municipality's answer to YA's supplement request, checked against the claim it names: the
 * request must be the claim's open one; an answer already sent is not sent again. Permanent
 * failures name the rule, never the answer's text.
 */
export async function postSupplementAnswer(client: XRoadHttpClient, stored: StoredClaim, answer: SupplementAnsweredV1, today: string, deadline: number): Promise<void> {
  if (!stored.supplement || stored.supplement.requestId !== answer.requestId || !stored.caseId) {
    throw new PermanentError('unknown-supplement-request', 'the claim has no open supplement request of this requestId');
  }
  if (answer.businessId !== stored.claim.businessId) throw new PermanentError('business-id-mismatch', 'businessId is not the claim’s');
  const xml = buildSupplementXml({ claimNumber: answer.claimNumber, caseId: stored.caseId, requestId: answer.requestId, answeredOn: today, answers: answer.answers });
  await client.restXml('ya-taydennykset', 'POST', yaSupplementsPath(client.config.client.xRoadInstance), xml, { deadline });
}

export const recordSupplementAnswered = (db: DynamoDBDocumentClient, table: string, municipality: string, claimNumber: string, answeredOn: string) =>
  db.send(
    new UpdateCommand({
      TableName: table,
      Key: { pk: claimsPartition(municipality), sk: `CLAIM#${claimNumber}` },
      UpdateExpression: 'SET supplementAnsweredOn = :d, #s = :s',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#s': 'state' },
      ExpressionAttributeValues: { ':d': answeredOn, ':s': 'supplemented' },
    }),
  );
