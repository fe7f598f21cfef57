/** Where a function finds its queues and tables: environment variables named by the topology. */
import { isMunicipalityCode, municipalityCodeProblem } from '#contracts/municipalities';
import { dlqUrlEnv, MUNICIPALITIES_ENV, queueUrlEnv, tableNameEnv, type QueueName, type TableName } from '#infra/topology';

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

/** The municipalities the hub serves: KOTO_MUNICIPALITIES, comma-separated current municipality codes, no duplicates. */
export const servedMunicipalities = (value: string = required(MUNICIPALITIES_ENV)): string[] => {
  const codes = [...new Set(value.split(',').map((code) => code.trim()).filter(Boolean))];
  for (const code of codes) {
    if (!isMunicipalityCode(code)) throw new Error(`configuration: ${MUNICIPALITIES_ENV}: ${municipalityCodeProblem(code)}`);
  }
  if (codes.length === 0) throw new Error(`configuration: ${MUNICIPALITIES_ENV} names no municipality`);
  return codes;
};
