/** DynamoDB locally: dynalite on LevelDB files in the data folder, tables created from the topology. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient, ListTablesCommand, type KeySchemaElement } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { tableNames, tableSpec, type TableName } from '#infra/topology';
import { listen, closeServer } from '#infra/local/net';

export const localTableName = (table: TableName): string => `koto-hub-${table}`;

export interface LocalDynamo {
  readonly endpoint: string;
  close(): Promise<void>;
}

export const startDynamo = async (path: string | undefined): Promise<LocalDynamo> => {
  const server: Server = dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await listen(server, 0);
  const { port } = server.address() as AddressInfo;
  return { endpoint: `http://127.0.0.1:${port}`, close: () => closeServer(server) };
};

/** Creates the topology's tables that do not exist yet. (dynalite has no TTL: items simply stay.) */
export const createTables = async (client: DynamoDBClient): Promise<void> => {
  const existing = new Set((await client.send(new ListTablesCommand({}))).TableNames ?? []);
  for (const table of tableNames) {
    const name = localTableName(table);
    if (existing.has(name)) continue;
    const spec = tableSpec(table);
    const keys: KeySchemaElement[] = [{ AttributeName: spec.partitionKey, KeyType: 'HASH' }];
    if (spec.sortKey) keys.push({ AttributeName: spec.sortKey, KeyType: 'RANGE' });
    await client.send(
      new CreateTableCommand({
        TableName: name,
        KeySchema: keys,
        AttributeDefinitions: keys.map((k) => ({ AttributeName: k.AttributeName!, AttributeType: 'S' })),
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  }
};
