/**
 * DynamoDB locally: dynalite on LevelDB files in the data folder, or Amazon's DynamoDB Local with
 * `KOTO_DYNAMODB=dynamodb-local`; tables created from the topology.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient, ListTablesCommand, type KeySchemaElement } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { tableNames, tableSpec, type TableName } from '#infra/topology';
import { listen, closeServer } from '#infra/local/net';
import { startDynamoDBLocal } from '#infra/local/dynamodb-local';

export const localTableName = (table: TableName): string => `koto-hub-${table}`;

export interface LocalDynamo {
  readonly endpoint: string;
  close(): Promise<void>;
}

/** The DynamoDB stand-ins a runtime can start (`KOTO_DYNAMODB`); dynalite unless told otherwise. */
const ENGINES = ['dynalite', 'dynamodb-local'] as const;
export type DynamoEngine = (typeof ENGINES)[number];

export const dynamoEngine = (env: NodeJS.ProcessEnv = process.env): DynamoEngine => {
  const value = env.KOTO_DYNAMODB || 'dynalite';
  if (!(ENGINES as readonly string[]).includes(value)) {
    throw new Error(`KOTO_DYNAMODB: unknown DynamoDB '${value}', expected one of ${ENGINES.join(', ')}`);
  }
  return value as DynamoEngine;
};

/** Starts the chosen stand-in on a free loopback port: in memory, or with its tables in `path`. One per runtime. */
export const startDynamo = async (path: string | undefined): Promise<LocalDynamo> => {
  if (dynamoEngine() === 'dynamodb-local') return startDynamoDBLocal(path);
  const server: Server = dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await listen(server, 0);
  const { port } = server.address() as AddressInfo;
  return { endpoint: `http://127.0.0.1:${port}`, close: () => closeServer(server) };
};

const keySchema = (partitionKey: string, sortKey: string | undefined): KeySchemaElement[] => [
  { AttributeName: partitionKey, KeyType: 'HASH' },
  ...(sortKey ? [{ AttributeName: sortKey, KeyType: 'RANGE' as const }] : []),
];

/**
 * Creates the topology's tables that do not exist yet, with their global secondary indexes.
 * (dynalite has no TTL: items simply stay.) A table made before an index was added to the topology
 * stays without it: dynalite's UpdateTable cannot create an index. Readers that use an index fall
 * back to a scan on such a table (see `#ops/audit/query`); removing the data folder's `dynamodb/`
 * gives the next start the index (and discards the stored tables).
 */
export const createTables = async (client: DynamoDBClient): Promise<void> => {
  const existing = new Set((await client.send(new ListTablesCommand({}))).TableNames ?? []);
  for (const table of tableNames) {
    const name = localTableName(table);
    if (existing.has(name)) continue;
    const spec = tableSpec(table);
    const keys = keySchema(spec.partitionKey, spec.sortKey);
    const indexes = (spec.indexes ?? []).map((index) => ({
      IndexName: index.name,
      KeySchema: keySchema(index.partitionKey, index.sortKey),
      Projection: { ProjectionType: 'ALL' as const },
    }));
    // Every key the hub writes is a string (see infra/cdk/constructs/table.ts).
    const attributes = [...new Set([...keys, ...indexes.flatMap((i) => i.KeySchema)].map((k) => k.AttributeName!))];
    await client.send(
      new CreateTableCommand({
        TableName: name,
        KeySchema: keys,
        AttributeDefinitions: attributes.map((AttributeName) => ({ AttributeName, AttributeType: 'S' })),
        BillingMode: 'PAY_PER_REQUEST',
        ...(indexes.length ? { GlobalSecondaryIndexes: indexes } : {}),
      }),
    );
  }
};
