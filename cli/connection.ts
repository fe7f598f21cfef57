/**
 * How a command reaches the hub's tables: through the running embedded runtime of the data folder
 * (its `runtime.json`), or, when none runs, by opening the runtime's stored tables itself.
 * In AWS, the standard AWS environment and `KOTO_TABLE_*` variables name the tables.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { dataDirPaths, defaultDataDir, readRuntimeInfo } from '#infra/local/data-dir';
import { localTableName, startDynamo } from '#infra/local/dynamodb';
import { setRuntimeEndpoint, userEndpoint } from '#infra/local/endpoints';
import { tableNameEnv, tableNames } from '#infra/topology';
import { existsSync } from 'node:fs';
import { resetClients } from '#lib/clients';
import { readAuditKeySecretWith, resetAuditKey } from '#lib/audit/key';

export interface HubConnection {
  readonly where: string;
  close(): Promise<void>;
}

export class UsageError extends Error {}

const LOCAL_CREDENTIALS = { AWS_REGION: 'eu-north-1', AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' };

/**
 * The audit key secret (`KOTO_AUDIT_KEY_SECRET_ARN`) as the CLI reads it in AWS: with the operator's
 * credentials and a Secrets Manager client, since the functions' Parameters and Secrets extension
 * runs only in Lambda.
 */
const secretFromSecretsManager = async (secretId: string): Promise<string> => {
  const { GetSecretValueCommand, SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
  const client = new SecretsManagerClient({});
  try {
    const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    if (typeof SecretString !== 'string') throw new Error('configuration: the audit key secret has no SecretString');
    return SecretString;
  } finally {
    client.destroy();
  }
};

/** Points the shared clients at the hub's tables; the caller closes the connection when done. */
export const connectToHub = async (): Promise<HubConnection> => {
  if (process.env.KOTO_TABLE_AUDIT && !process.env.KOTO_DATA_DIR) {
    readAuditKeySecretWith(secretFromSecretsManager);
    return { where: `AWS (${process.env.AWS_REGION ?? 'default region'})`, close: async () => undefined };
  }
  const dir = dataDirPaths(defaultDataDir());
  const running = readRuntimeInfo(dir);
  const point = (endpoint: string) => {
    Object.assign(process.env, LOCAL_CREDENTIALS, { KOTO_AUDIT_KEY_FILE: dir.auditKeyFile });
    setRuntimeEndpoint('DYNAMODB', endpoint);
    for (const table of tableNames) process.env[tableNameEnv(table)] = localTableName(table);
    resetClients();
    resetAuditKey();
  };
  if (running) {
    point(running.dynamodbEndpoint);
    return { where: `the running hub (pid ${running.pid})`, close: async () => resetClients() };
  }
  const external = userEndpoint('DYNAMODB');
  if (external) {
    point(external);
    return { where: `the tables at ${external} (AWS_ENDPOINT_URL_DYNAMODB)`, close: async () => resetClients() };
  }
  if (!existsSync(dir.dynamodb)) throw new UsageError(`no hub data in ${dir.root}: start one with npm start, or set KOTO_DATA_DIR`);
  // dynalite writes LevelDB files even when only read: they hold personal data, so its owner's alone.
  process.umask(0o077);
  const dynamo = await startDynamo(dir.dynamodb);
  point(dynamo.endpoint);
  // Reading the tables must not create them; a quick look tells a wrong folder from an empty one.
  await new DynamoDBClient({ endpoint: dynamo.endpoint }).destroy();
  return {
    where: `the stored data in ${dir.root}`,
    async close() {
      resetClients();
      await dynamo.close();
    },
  };
};
