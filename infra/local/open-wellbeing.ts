/**
 * The wellbeing requests whose answers the hub still reads, for the hub's status: what the reply
 * poller reads (functions/wellbeing/store.ts, `WBOPEN`), each with its process. Counts only: no
 * person reference, no pseudonym.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dynamoWellbeingStore } from '#functions/wellbeing/store';

export interface OpenWellbeingRequest {
  readonly requestId: string;
  readonly kind: 'consultation' | 'cooperation';
  readonly municipality: string;
  readonly county: string;
  readonly requestedAt: string;
  readonly dueAt: string;
  /** People in the request, and those the county's answer about has been delivered. */
  readonly people: number;
  readonly answered: number;
  /** Its deadline has passed with someone unanswered (the overdue event is raised, or about to be). */
  readonly overdue: boolean;
}

export const readOpenWellbeing = async (db: DynamoDBDocumentClient, table: string, now: number = Date.now()): Promise<OpenWellbeingRequest[]> => {
  const store = dynamoWellbeingStore(db, table, () => now);
  const requests: OpenWellbeingRequest[] = [];
  for (const open of await store.openRequests()) {
    const stored = await store.get(open.requestId);
    if (!stored) continue;
    const { process, state } = stored;
    requests.push({
      requestId: process.requestId,
      kind: process.kind,
      municipality: process.municipality,
      county: process.county,
      requestedAt: process.requestedAt,
      dueAt: process.dueAt,
      people: process.pseudonyms.length,
      answered: state.delivered.length,
      overdue: state.overdueRaised || (state.delivered.length < process.pseudonyms.length && now >= Date.parse(process.dueAt)),
    });
  }
  return requests.sort((a, b) => a.dueAt.localeCompare(b.dueAt));
};
