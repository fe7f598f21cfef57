/**
 * The wellbeing request processes in the correlation table (docs/DESIGN.md "Process state": single
 * items, conditional writes, no transactions), and the `PseudonymStore` of the contract:
 *
 *   pk WB#<requestId>     sk PROCESS            the process (kind, municipality, county, times,
 *                                               pseudonyms) and its state (delivered, overdue raised,
 *                                               digests of the Tasks refused at the last read), with a
 *                                               version for optimistic updates
 *   pk WB#<requestId>     sk PSEUDO#<pseudonym> one person: the municipality's reference
 *   pk WBDUE#<YYYY-MM-DD> sk <requestId>        the process is due that day (UTC): what the overdue
 *                                               schedule reads, day by day, without a scan
 *   pk WBOPEN             sk <requestId>        the process still has answers to read: what the reply
 *                                               poller reads; removed when there is nothing more to read
 *
 * Every item expires with the process (`expiresAt`, the table's TTL: 90 days after the deadline);
 * DynamoDB removes expired items late, so reads leave out what has expired themselves. No item
 * holds a HETU or a name: a person is their pseudonym and the municipality's own reference.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { PseudonymEntry, PseudonymStore } from '#contracts/wellbeing/pseudonym';
import type { PreparedRequest, WellbeingProcess } from '#functions/wellbeing/prepare';
import type { ProcessState, Refused } from '#functions/wellbeing/replies';
import { allItems, queryItems } from '#lib/dynamo-pages';

export interface StoredProcess {
  readonly process: WellbeingProcess;
  readonly state: ProcessState;
  readonly version: number;
  /** What the last state change delivered, and for which message: a redelivered message sends it again. */
  readonly replay?: Replay;
}

/** The messages one hop produced with its state change, kept so that its redelivery produces them again. */
export interface Replay {
  readonly messageId: string;
  readonly messages: readonly { readonly type: string; readonly payload: unknown }[];
  /** The Tasks it set aside as refused (their dead letters). */
  readonly refused?: readonly Refused[];
}

export type StartOutcome = 'started' | 'already-started' | 'taken';

/** Whether a stored process is the one `process` describes: the same municipality, kind and people. */
const sameRequest = (stored: WellbeingProcess, process: WellbeingProcess): boolean =>
  stored.municipality === process.municipality && stored.kind === process.kind && stored.pseudonyms.join() === process.pseudonyms.join();

/** A process the poller still reads answers of. */
export interface OpenRequest {
  readonly requestId: string;
  readonly municipality: string;
  readonly dueAt: string;
}

export interface WellbeingStore extends PseudonymStore {
  /**
   * Records a prepared request once. `already-started`: its process is there, for the same request
   * (a redelivery, or the municipality posting it again); `taken`: the request id belongs to another
   * request — another municipality's, another kind, other people — and nothing was written.
   */
  start(prepared: PreparedRequest): Promise<StartOutcome>;
  get(requestId: string): Promise<StoredProcess | undefined>;
  /**
   * Saves a new state if the process is still at `version`; `false` when someone else saved first.
   * `replay` is kept with it (replacing the one before).
   */
  saveState(requestId: string, version: number, state: ProcessState, replay?: Replay): Promise<boolean>;
  /** Request ids of the processes due on a day (YYYY-MM-DD, UTC). */
  dueOn(day: string): Promise<readonly string[]>;
  /** The processes whose answers are still read. */
  openRequests(): Promise<readonly OpenRequest[]>;
  /** Nothing more to read for the process: the poller leaves it. */
  close(requestId: string): Promise<void>;
}

const processKey = (requestId: string) => ({ pk: `WB#${requestId}`, sk: 'PROCESS' });
const PSEUDO = 'PSEUDO#';
const OPEN = 'WBOPEN';

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

  const openItem = (process: WellbeingProcess) =>
    documents.send(
      new PutCommand({
        TableName: table,
        Item: { pk: OPEN, sk: process.requestId, municipality: process.municipality, dueAt: process.dueAt, expiresAt: process.expiresAt },
      }),
    );

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
      const stored = async () => (await documents.send(new GetCommand({ TableName: table, Key: processKey(process.requestId), ConsistentRead: true }))).Item;
      // A request id is one request: another municipality's (or another request of the same one)
      // must not add its people to it, nor be sent under it. A redelivered request whose process
      // exists (and may have been closed meanwhile) writes and opens nothing again: what it would
      // write was written before the process.
      const known = await stored();
      if (known) return sameRequest(known.process as WellbeingProcess, process) ? 'already-started' : 'taken';
      await put(prepared.entries);
      await documents.send(
        new PutCommand({
          TableName: table,
          Item: { pk: `WBDUE#${process.dueAt.slice(0, 10)}`, sk: process.requestId, expiresAt: process.expiresAt },
        }),
      );
      await openItem(process);
      const created = await conditional(() =>
        documents.send(
          new PutCommand({
            TableName: table,
            Item: { ...processKey(process.requestId), process, state: { delivered: [], overdueRaised: false }, version: 0, expiresAt: process.expiresAt },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
      if (created) return 'started';
      // Another request of the same id was recorded in the same moment: it keeps the id. What ours
      // overwrote is put back as the winner's (a person both name, its open item); the people and the
      // due day only ours names are taken out again.
      const winner = (await stored())?.process as WellbeingProcess | undefined;
      if (!winner || sameRequest(winner, process)) return 'already-started';
      const theirs = new Set(winner.pseudonyms);
      const [shared, ours] = [prepared.entries.filter((e) => theirs.has(e.pseudonym)), prepared.entries.filter((e) => !theirs.has(e.pseudonym))];
      await put(shared.map((entry) => ({ ...entry, municipality: winner.municipality, expiresAt: winner.expiresAt })));
      for (const entry of ours) {
        await documents.send(new DeleteCommand({ TableName: table, Key: { pk: `WB#${entry.requestId}`, sk: `${PSEUDO}${entry.pseudonym}` } }));
      }
      const [ourDay, theirDay] = [process.dueAt.slice(0, 10), winner.dueAt.slice(0, 10)];
      if (ourDay !== theirDay) await documents.send(new DeleteCommand({ TableName: table, Key: { pk: `WBDUE#${ourDay}`, sk: process.requestId } }));
      await openItem(winner);
      return 'taken';
    },

    async get(requestId) {
      const answer = await documents.send(new GetCommand({ TableName: table, Key: processKey(requestId), ConsistentRead: true }));
      const item = answer.Item;
      if (!item || !alive(item)) return undefined;
      return {
        process: item.process as WellbeingProcess,
        state: item.state as ProcessState,
        version: item.version as number,
        ...(item.replay ? { replay: item.replay as Replay } : {}),
      };
    },

    saveState(requestId, version, state, replay) {
      return conditional(() =>
        documents.send(
          new UpdateCommand({
            TableName: table,
            Key: processKey(requestId),
            UpdateExpression: `SET #state = :state, #version = :next${replay ? ', #replay = :replay' : ''}`,
            ConditionExpression: '#version = :version',
            ExpressionAttributeNames: { '#state': 'state', '#version': 'version', ...(replay ? { '#replay': 'replay' } : {}) },
            ExpressionAttributeValues: { ':state': state, ':version': version, ':next': version + 1, ...(replay ? { ':replay': replay } : {}) },
          }),
        ),
      );
    },

    async openRequests() {
      const items = await allItems(queryItems(documents, { TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': OPEN } }));
      return items.filter(alive).map((item): OpenRequest => ({ requestId: item.sk as string, municipality: item.municipality as string, dueAt: item.dueAt as string }));
    },

    async close(requestId) {
      await documents.send(new DeleteCommand({ TableName: table, Key: { pk: OPEN, sk: requestId } }));
    },

    async dueOn(day) {
      const items = await allItems(queryItems(documents, { TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `WBDUE#${day}` } }));
      return items.filter(alive).map((item) => item.sk as string);
    },
  };
}
