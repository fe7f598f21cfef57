/** Where a function finds its queues and tables: environment variables named by the topology. */
import { dlqUrlEnv, queueUrlEnv, tableNameEnv, type QueueName, type TableName } from '#infra/topology';

const required = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`configuration: environment variable ${name} is not set`);
  return value;
};

export const queueUrl = (queue: QueueName): string => required(queueUrlEnv(queue));
export const dlqUrl = (queue: QueueName): string => required(dlqUrlEnv(queue));
export const tableName = (table: TableName): string => required(tableNameEnv(table));

/** Days an audit record is kept before DynamoDB's TTL removes it. */
export const auditRetentionDays = (): number => Number(process.env.KOTO_AUDIT_RETENTION_DAYS ?? 2 * 365);
