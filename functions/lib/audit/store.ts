/** Reads and writes of the audit table. Writes are batched: one BatchWriteItem per 25 records. */
import { BatchGetCommand, BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '#lib/clients';
import { tableName } from '#lib/config';
import type { AuditRecord } from '#lib/audit/record';
import { allItems, queryItems } from '#lib/dynamo-pages';

const chunks = <T>(items: readonly T[], size: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};

const MAX_ATTEMPTS = 6;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The item of a record. A hop that concerns no person has no `subjectHash` attribute at all (rather
 * than a null one), so that it stays out of the sparse `bySubject` index, whose key must be a string.
 * The digest reads a missing field as null, so the record verifies either way.
 */
const toItem = (record: AuditRecord): Record<string, unknown> => {
  if (record.subjectHash !== null) return { ...record };
  const { subjectHash: _none, ...rest } = record;
  return rest;
};

/** A stored item as a record: a missing `subjectHash` is null again. */
export const fromItem = (item: Record<string, unknown>): AuditRecord => ({ ...item, subjectHash: item.subjectHash ?? null }) as AuditRecord;

export const writeAuditRecords = async (records: readonly AuditRecord[], client: DynamoDBDocumentClient = documentClient()): Promise<void> => {
  const table = tableName('audit');
  for (const chunk of chunks(records, 25)) {
    let pending: Record<string, unknown>[] | undefined = chunk.map((record) => ({ PutRequest: { Item: toItem(record) } }));
    for (let attempt = 1; pending?.length; attempt++) {
      if (attempt > MAX_ATTEMPTS) throw new Error(`audit: ${pending.length} records were not written after ${MAX_ATTEMPTS} attempts`);
      const result = await client.send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
      pending = result.UnprocessedItems?.[table] as Record<string, unknown>[] | undefined;
      if (pending?.length) await pause(25 * 2 ** attempt);
    }
  }
};

export interface HopRef {
  readonly correlationId: string;
  readonly hop: string;
}

/** Which of the given hops already have a record (one BatchGetItem per 100 keys). */
export const existingHops = async (refs: readonly HopRef[], client: DynamoDBDocumentClient = documentClient()): Promise<Set<string>> => {
  const table = tableName('audit');
  const found = new Set<string>();
  const unique = [...new Map(refs.map((r) => [`${r.correlationId}|${r.hop}`, r])).values()];
  for (const chunk of chunks(unique, 100)) {
    let keys: Record<string, unknown>[] | undefined = chunk.map(({ correlationId, hop }) => ({ correlationId, hop }));
    for (let attempt = 1; keys?.length; attempt++) {
      if (attempt > MAX_ATTEMPTS) throw new Error('audit: duplicate check did not complete');
      const result = await client.send(
        new BatchGetCommand({ RequestItems: { [table]: { Keys: keys, ProjectionExpression: 'correlationId, hop' } } }),
      );
      for (const item of result.Responses?.[table] ?? []) found.add(`${String(item.correlationId)}|${String(item.hop)}`);
      keys = result.UnprocessedKeys?.[table]?.Keys as Record<string, unknown>[] | undefined;
      if (keys?.length) await pause(25 * 2 ** attempt);
    }
  }
  return found;
};

/** Every record of one correlation, in hop order. */
export const readCorrelation = async (correlationId: string): Promise<AuditRecord[]> => {
  const items = queryItems(documentClient(), { TableName: tableName('audit'), KeyConditionExpression: 'correlationId = :c', ExpressionAttributeValues: { ':c': correlationId } });
  return (await allItems(items)).map(fromItem);
};
