/**
 * Reads of the audit log for operators: the hops concerning a person (by the keyed hash of their
 * HETU, through the sparse `bySubject` index) and the correlations recorded since a time.
 */
import { tableSpec } from '#infra/topology';
import { documentClient } from '#lib/clients';
import { tableName } from '#lib/config';
import type { AuditRecord } from '#lib/audit/record';
import { fromItem } from '#lib/audit/store';
import { allItems, queryItems, scanItems } from '#lib/dynamo-pages';

const SUBJECT_INDEX = tableSpec('audit').indexes?.find((index) => index.partitionKey === 'subjectHash')?.name ?? 'bySubject';

/** dynalite and DynamoDB both answer a query on an index the table lacks with this validation error. */
const isMissingIndex = (error: unknown): boolean =>
  error instanceof Error && error.name === 'ValidationException' && /specified index/i.test(error.message);

export interface SubjectRecords {
  readonly records: AuditRecord[];
  /**
   * The table had no `bySubject` index (a local table made before the index existed), so the
   * whole table was scanned instead.
   */
  readonly scanned: boolean;
}

/** Every audit record whose subject has the given keyed hash, oldest first. */
export const readBySubject = async (hash: string): Promise<SubjectRecords> => {
  const table = tableName('audit');
  try {
    const items = await allItems(
      queryItems(documentClient(), { TableName: table, IndexName: SUBJECT_INDEX, KeyConditionExpression: 'subjectHash = :h', ExpressionAttributeValues: { ':h': hash } }),
    );
    return { records: items.map(fromItem), scanned: false };
  } catch (error) {
    if (!isMissingIndex(error)) throw error;
  }
  const items = await allItems(scanItems(documentClient(), { TableName: table, FilterExpression: 'subjectHash = :h', ExpressionAttributeValues: { ':h': hash } }));
  const records = items.map(fromItem).sort((a, b) => (a.recordedAt < b.recordedAt ? -1 : a.recordedAt > b.recordedAt ? 1 : 0));
  return { records, scanned: true };
};

/**
 * The correlations with at least one record at or after `since` (an ISO-8601 instant as
 * `Date.toISOString` writes it, which is how `recordedAt` is written, so strings compare as times).
 * A scan: the audit table has no index on time, and an auditor's sweep is rare.
 */
export const correlationsSince = async (since: string): Promise<string[]> => {
  const items = await allItems(
    scanItems(documentClient(), {
      TableName: tableName('audit'),
      FilterExpression: '#at >= :since',
      ProjectionExpression: 'correlationId',
      ExpressionAttributeNames: { '#at': 'recordedAt' },
      ExpressionAttributeValues: { ':since': since },
    }),
  );
  return [...new Set(items.map((item) => String(item.correlationId)))].sort();
};
