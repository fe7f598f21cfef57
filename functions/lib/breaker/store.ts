/**
 * Where a breaker's state lives: one record per external system, read and replaced whole under a
 * version number (optimistic locking), so that every instance of every adapter sees one state and
 * two of them cannot both claim a probe or both count one failure away. In AWS and on the embedded
 * runtime alike the record is in the `pacing` table (`BREAKER#<system>`), beside the system's
 * pacing record; a test keeps it in memory.
 */
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { closedState, type BreakerState } from '#lib/breaker/state';
import { scanItems } from '#lib/dynamo-pages';

export interface Versioned {
  readonly state: BreakerState;
  /** 0 when no record exists yet. */
  readonly version: number;
}

export interface BreakerStore {
  read(system: string): Promise<Versioned>;
  /** Writes `state` if the record is still at `version`; false when another writer came first. */
  write(system: string, state: BreakerState, version: number): Promise<boolean>;
  /**
   * Counts one more failure in a row, in one atomic step, if the breaker is closed: the record
   * after it, or undefined when it is not closed. (Every failing call counts one: as a versioned
   * write, dozens at once would race each other for many rounds.)
   */
  countFailure(system: string): Promise<Versioned | undefined>;
}

export class MemoryBreakerStore implements BreakerStore {
  private readonly records = new Map<string, Versioned>();

  async read(system: string): Promise<Versioned> {
    return this.records.get(system) ?? { state: closedState, version: 0 };
  }

  async write(system: string, state: BreakerState, version: number): Promise<boolean> {
    if ((this.records.get(system)?.version ?? 0) !== version) return false;
    this.records.set(system, { state, version: version + 1 });
    return true;
  }

  async countFailure(system: string): Promise<Versioned | undefined> {
    const { state, version } = await this.read(system);
    if (state.phase !== 'closed') return undefined;
    const counted = { state: { ...state, failures: state.failures + 1 }, version: version + 1 };
    this.records.set(system, counted);
    return counted;
  }
}

const PREFIX = 'BREAKER#';
const keyOf = (system: string) => ({ pk: `${PREFIX}${system}` });

const fromItem = (item: Record<string, unknown> | undefined): Versioned => {
  if (!item) return { state: closedState, version: 0 };
  // A record made by a counted failure holds only the count: the rest is as when closed.
  const state = Object.fromEntries(
    (Object.keys(closedState) as (keyof BreakerState)[]).map((field) => [field, item[field] ?? closedState[field]]),
  ) as unknown as BreakerState;
  return { state, version: Number(item.version ?? 0) };
};

export class DynamoBreakerStore implements BreakerStore {
  /** The read of each system's record now under way, by system. */
  private readonly reading = new Map<string, Promise<Versioned>>();

  /** The client and table are looked up on each call: the embedded runtime may have replaced them since. */
  constructor(
    private readonly documents: () => DynamoDBDocumentClient,
    private readonly tableName: () => string,
  ) {}

  /**
   * Reads that overlap share one request: every call of a batch asks its breaker at once (ten
   * strongly consistent reads of one item, with the same answer, where one does). A read that
   * joins sees the record as it was at most one read's time before it asked; a write made from it
   * is still checked against the version, so a stale one loses its race and reads again.
   */
  read(system: string): Promise<Versioned> {
    const under = this.reading.get(system);
    if (under) return under;
    const read = this.documents()
      .send(new GetCommand({ TableName: this.tableName(), Key: keyOf(system), ConsistentRead: true }))
      .then(({ Item }) => fromItem(Item))
      .finally(() => this.reading.delete(system));
    this.reading.set(system, read);
    return read;
  }

  async write(system: string, state: BreakerState, version: number): Promise<boolean> {
    try {
      await this.documents().send(
        new PutCommand({
          TableName: this.tableName(),
          Item: { ...keyOf(system), system, ...state, version: version + 1 },
          ConditionExpression: version === 0 ? 'attribute_not_exists(pk)' : 'version = :version',
          ...(version === 0 ? {} : { ExpressionAttributeValues: { ':version': version } }),
        }),
      );
      return true;
    } catch (error) {
      if ((error as { name?: string })?.name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  async countFailure(system: string): Promise<Versioned | undefined> {
    try {
      const { Attributes } = await this.documents().send(
        new UpdateCommand({
          TableName: this.tableName(),
          Key: keyOf(system),
          UpdateExpression: 'ADD failures :one, version :one SET #system = :system',
          ConditionExpression: 'attribute_not_exists(phase) OR phase = :closed',
          ExpressionAttributeNames: { '#system': 'system' },
          ExpressionAttributeValues: { ':one': 1, ':system': system, ':closed': 'closed' },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return fromItem(Attributes);
    } catch (error) {
      if ((error as { name?: string })?.name === 'ConditionalCheckFailedException') return undefined;
      throw error;
    }
  }
}

/** Every breaker with a record, by system (for the status and the ops page): a scan of the small `pacing` table. */
export const readAllBreakers = async (documents: DynamoDBDocumentClient, tableName: string): Promise<Map<string, BreakerState>> => {
  const found = new Map<string, BreakerState>();
  const items = scanItems(documents, { TableName: tableName, FilterExpression: 'begins_with(pk, :prefix)', ExpressionAttributeValues: { ':prefix': PREFIX } });
  for await (const item of items) found.set(String(item.system), fromItem(item).state);
  return found;
};
