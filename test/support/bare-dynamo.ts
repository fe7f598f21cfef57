/** dynalite with the topology's tables and nothing else of the runtime, for tests of one table's code. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createTables, startDynamo } from '#infra/local/dynamodb';

export interface BareDynamo {
  readonly documents: DynamoDBDocumentClient;
  close(): Promise<void>;
}

export const startBareDynamo = async (): Promise<BareDynamo> => {
  const dynamo = await startDynamo(undefined);
  const client = new DynamoDBClient({ region: 'eu-north-1', endpoint: dynamo.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  await createTables(client);
  return {
    documents: DynamoDBDocumentClient.from(client),
    async close() {
      client.destroy();
      await dynamo.close();
    },
  };
};

/**
 * `documents` with its `send` replaced (a crash or a race staged by a test): still a document
 * client to the SDK, whose paginators refuse any object that is not one.
 */
export const withSend = (documents: DynamoDBDocumentClient, send: (command: unknown) => Promise<unknown>): DynamoDBDocumentClient =>
  Object.assign(Object.create(documents) as DynamoDBDocumentClient, { send });
