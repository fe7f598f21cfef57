/**
 * Reads of the audit log for operators: the hops concerning a person (by the keyed hash of their
 * HETU, through the sparse `bySubject` index) and the correlations recorded since a time.
 */
import { QueryCommand, ScanCommand, type QueryCommandOutput, type ScanCommandOutput } from '@aws-sdk/lib-dynamodb';
import { tableSpec } from '#infra/topology';
import { documentClient } from '#lib/clients';
import { tableName } from '#lib/config';
import type { AuditRecord } from '#lib/audit/record';
import { fromItem } from '#lib/audit/store';

type Page = QueryCommandOutput | ScanCommandOutput;

const SUBJECT_INDEX = tableSpec('audit').indexes?.find((index) => index.partitionKey === 'subjectHash')?.name ?? 'bySubject';

const readAll = async (page: (startKey: Page['LastEvaluatedKey']) => Promise<Page>): Promise<Record<string, unknown>[]> => {
  const items: Record<string, unknown>[] = [];
  let startKey: Page['LastEvaluatedKey'];
  do {
    const result = await page(startKey);
    items.push(...(result.Items ?? []));
    startKey = result.LastEvaluatedKey;
  } while (startKey);
  return items;
};

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
    const items = await readAll((ExclusiveStartKey) =>
      documentClient().send(
        new QueryCommand({
          TableName: table,
          IndexName: SUBJECT_INDEX,
          KeyConditionExpression: 'subjectHash = :h',
          ExpressionAttributeValues: { ':h': hash },
          ExclusiveStartKey,
        }),
      ),
    );
    return { records: items.map(fromItem), scanned: false };
  } catch (error) {
    if (!isMissingIndex(error)) throw error;
  }
  const items = await readAll((ExclusiveStartKey) =>
    documentClient().send(
      new ScanCommand({
        TableName: table,
        FilterExpression: 'subjectHash = :h',
        ExpressionAttributeValues: { ':h': hash },
        ExclusiveStartKey,
      }),
    ),
  );
  const records = items.map(fromItem).sort((a, b) => (a.recordedAt < b.recordedAt ? -1 : a.recordedAt > b.recordedAt ? 1 : 0));
  return { records, scanned: true };
};

/**
 * The correlations with at least one record at or after `since` (an ISO-8601 instant as
 * `Date.toISOString` writes it, which is how `recordedAt` is written, so strings compare as times).
 * A scan: the audit table has no index on time, and an auditor's sweep is rare.
 */
export const correlationsSince = async (since: string): Promise<string[]> => {
  const items = await readAll((ExclusiveStartKey) =>
    documentClient().send(
      new ScanCommand({
        TableName: tableName('audit'),
        FilterExpression: '#at >= :since',
        ProjectionExpression: 'correlationId',
        ExpressionAttributeNames: { '#at': 'recordedAt' },
        ExpressionAttributeValues: { ':since': since },
        ExclusiveStartKey,
      }),
    ),
  );
  return [...new Set(items.map((item) => String(item.correlationId)))].sort();
};
