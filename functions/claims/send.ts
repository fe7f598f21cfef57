/**
 * Sends one stored claim to YA (contracts/ya/wire.ts): its `Korvaushakemus` document, once per
 * claim number. YA answers a claim it took with its receipt (`Vastaanottoilmoitus`), the same receipt
 * for the same claim again, so a retry or a redrive after YA took it changes nothing there; the
 * receipt's case number (asianumero) is recorded on the claim, and a claim that has one is not sent
 * again. A 409 (the number used for another document) and a 400 (the document breaks the contract)
 * are permanent; 5xx, 429 and timeouts transient.
 */
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { buildClaimXml, readYaAnswerXml } from '#contracts/ya/mapper';
import { yaClaimsPath } from '#contracts/ya/wire';
import { PermanentError } from '#lib/errors';
import type { XRoadHttpClient } from '#lib/xroad-client';
import { claimsPartition, type ClaimItem } from '#functions/claims/intake';

export interface StoredClaim extends ClaimItem {
  readonly state: string;
  readonly caseId?: string;
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
