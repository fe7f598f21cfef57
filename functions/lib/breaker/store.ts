/**
 * Where a breaker's state lives: one record per external system, read and replaced whole under a
 * version number (optimistic locking), so that every instance of every adapter sees one state and
 * two of them cannot both claim a probe or both count one failure away. In AWS and on the embedded
 * runtime alike the record is in the `pacing` table (`BREAKER#<system>`), beside the system's
 * pacing record; a test keeps it in memory.
 */
import { GetCommand, PutCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { closedState, type BreakerState } from '#lib/breaker/state';

export interface Versioned {
  readonly state: BreakerState;
  /** 0 when no record exists yet. */
  readonly version: number;
}

export interface BreakerStore {
  read(system: string): Promise<Versioned>;
  /** Writes `state` if the record is still at `version`; false when another writer came first. */
  write(system: string, state: BreakerState, version: number): Promise<boolean>;
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
}

const PREFIX = 'BREAKER#';
const keyOf = (system: string) => ({ pk: `${PREFIX}${system}` });

const fromItem = (item: Record<string, unknown> | undefined): Versioned => {
  if (!item) return { state: closedState, version: 0 };
  const { phase, failures, openedAt, probeIntervalMs, nextProbeAt, probeStartedAt, failedProbes, version } = item as unknown as BreakerState & { version: number };
  return { state: { phase, failures, openedAt, probeIntervalMs, nextProbeAt, probeStartedAt, failedProbes }, version: Number(version) };
};

export class DynamoBreakerStore implements BreakerStore {
  /** The client and table are looked up on each call: the embedded runtime may have replaced them since. */
  constructor(
    private readonly documents: () => DynamoDBDocumentClient,
    private readonly tableName: () => string,
  ) {}

  async read(system: string): Promise<Versioned> {
    const { Item } = await this.documents().send(new GetCommand({ TableName: this.tableName(), Key: keyOf(system), ConsistentRead: true }));
    return fromItem(Item);
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
}

/** Every breaker with a record, by system (for the status and the ops page): a scan of the small `pacing` table. */
export const readAllBreakers = async (documents: DynamoDBDocumentClient, tableName: string): Promise<Map<string, BreakerState>> => {
  const found = new Map<string, BreakerState>();
  let start: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression: 'begins_with(pk, :prefix)',
        ExpressionAttributeValues: { ':prefix': PREFIX },
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) found.set(String(item.system), fromItem(item).state);
    start = page.LastEvaluatedKey;
  } while (start);
  return found;
};
