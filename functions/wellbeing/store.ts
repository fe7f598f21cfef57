/**
 * The wellbeing request processes in the correlation table (docs/DESIGN.md "Process state": single
 * items, conditional writes, no transactions), and the `PseudonymStore` of the contract:
 *
 *   pk WB#<requestId>     sk PROCESS            the process (kind, municipality, county, times,
 *                                               pseudonyms) and its state (delivered, overdue raised),
 *                                               with a version for optimistic updates
 *   pk WB#<requestId>     sk PSEUDO#<pseudonym> one person: the municipality's reference
 *   pk WBDUE#<YYYY-MM-DD> sk <requestId>        the process is due that day (UTC): what the overdue
 *                                               schedule reads, day by day, without a scan
 *
 * Every item expires with the process (`expiresAt`, the table's TTL: 90 days after the deadline);
 * DynamoDB removes expired items late, so reads leave out what has expired themselves. No item
 * holds a HETU or a name: a person is their pseudonym and the municipality's own reference.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { PseudonymEntry, PseudonymStore } from '#contracts/wellbeing/pseudonym';
import type { PreparedRequest, WellbeingProcess } from '#functions/wellbeing/prepare';
import type { ProcessState } from '#functions/wellbeing/replies';

export interface StoredProcess {
  readonly process: WellbeingProcess;
  readonly state: ProcessState;
  readonly version: number;
}

export interface WellbeingStore extends PseudonymStore {
  /** Records a prepared request once: `false` when its process was already there (a redelivery). */
  start(prepared: PreparedRequest): Promise<boolean>;
  get(requestId: string): Promise<StoredProcess | undefined>;
  /** Saves a new state if the process is still at `version`; `false` when someone else saved first. */
  saveState(requestId: string, version: number, state: ProcessState): Promise<boolean>;
  /** Request ids of the processes due on a day (YYYY-MM-DD, UTC). */
  dueOn(day: string): Promise<readonly string[]>;
}

const processKey = (requestId: string) => ({ pk: `WB#${requestId}`, sk: 'PROCESS' });
const PSEUDO = 'PSEUDO#';

/** `now` in epoch milliseconds: the hub's clock, injected. */
export function dynamoWellbeingStore(documents: DynamoDBDocumentClient, table: string, now: () => number = Date.now): WellbeingStore {
  const alive = (item: { expiresAt?: number } | undefined): boolean => item !== undefined && (item.expiresAt ?? Infinity) > now() / 1000;

  const put = async (entries: readonly PseudonymEntry[]): Promise<void> => {
    // Each entry is the same item however often it is written: a redelivered request changes nothing.
    for (const entry of entries) {
      await documents.send(
        new PutCommand({
          TableName: table,
          Item: { pk: `WB#${entry.requestId}`, sk: `${PSEUDO}${entry.pseudonym}`, ...entry },
        }),
      );
    }
  };

  const conditional = async (write: () => Promise<unknown>): Promise<boolean> => {
    try {
      await write();
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  };

  return {
    put,

    async entriesOf(requestId) {
      const answer = await documents.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
          ExpressionAttributeValues: { ':pk': `WB#${requestId}`, ':sk': PSEUDO },
        }),
      );
      return (answer.Items ?? []).filter(alive).map((item) => ({
        requestId: item.requestId as string,
        pseudonym: item.pseudonym as string,
        personRef: item.personRef as string,
        municipality: item.municipality as string,
        expiresAt: item.expiresAt as number,
      }));
    },

    async start(prepared) {
      const { process } = prepared;
      await put(prepared.entries);
      await documents.send(
        new PutCommand({
          TableName: table,
          Item: { pk: `WBDUE#${process.dueAt.slice(0, 10)}`, sk: process.requestId, expiresAt: process.expiresAt },
        }),
      );
      return conditional(() =>
        documents.send(
          new PutCommand({
            TableName: table,
            Item: { ...processKey(process.requestId), process, state: { delivered: [], overdueRaised: false }, version: 0, expiresAt: process.expiresAt },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
    },

    async get(requestId) {
      const answer = await documents.send(new GetCommand({ TableName: table, Key: processKey(requestId), ConsistentRead: true }));
      const item = answer.Item;
      if (!item || !alive(item)) return undefined;
      return { process: item.process as WellbeingProcess, state: item.state as ProcessState, version: item.version as number };
    },

    saveState(requestId, version, state) {
      return conditional(() =>
        documents.send(
          new UpdateCommand({
            TableName: table,
            Key: processKey(requestId),
            UpdateExpression: 'SET #state = :state, #version = :next',
            ConditionExpression: '#version = :version',
            ExpressionAttributeNames: { '#state': 'state', '#version': 'version' },
            ExpressionAttributeValues: { ':state': state, ':version': version, ':next': version + 1 },
          }),
        ),
      );
    },

    async dueOn(day) {
      const ids: string[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const answer = await documents.send(
          new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `WBDUE#${day}` }, ExclusiveStartKey: start }),
        );
        ids.push(...(answer.Items ?? []).filter(alive).map((item) => item.sk as string));
        start = answer.LastEvaluatedKey;
      } while (start);
      return ids;
    },
  };
}
