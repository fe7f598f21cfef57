/**
 * The one declaration of the hub's wiring: every queue, table and function, and which queue feeds
 * which function. The CDK stack (infra/cdk) and the embedded runtime (infra/local) are both built
 * by looping over this file, and the handlers find their queues and tables through the names here.
 *
 * Pure data and a few lookups: no AWS construct and no I/O, so it can be imported anywhere.
 */

export interface QueueSpec {
  /** What the queue carries, for the dashboard and the operators. */
  readonly description: string;
  /** Seconds a received message stays invisible; at least six times the consuming function's timeout (AWS guidance for SQS event sources). */
  readonly visibilityTimeoutSeconds: number;
  /** Receives before SQS moves a message to the queue's DLQ. */
  readonly maxReceiveCount: number;
  /** Seconds a message may wait before the "oldest message" alarm fires. */
  readonly maxAgeSeconds: number;
  /** Days a message is kept on the queue (its DLQ keeps messages 14 days, the SQS maximum). */
  readonly retentionDays: number;
}

export interface TableSpec {
  readonly description: string;
  readonly partitionKey: string;
  readonly sortKey?: string;
  /** Attribute holding an epoch-seconds expiry, when items expire. */
  readonly ttlAttribute?: string;
}

export type TableAccess = 'read' | 'write' | 'readwrite';

export interface BindingSpec {
  /** The queue whose messages invoke the function (Lambda SQS event source mapping). */
  readonly queue: QueueName;
  /** Messages per invocation, at most 10 (one ReceiveMessage call). */
  readonly batchSize: number;
  /** Concurrent invocations the event source may start (2–1000 in AWS). */
  readonly maxConcurrency: number;
}

export interface FunctionSpec {
  readonly description: string;
  /** Module that exports `handler`, relative to the repository root. */
  readonly entry: string;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  readonly consumes?: BindingSpec;
  /** Queues the function sends to; its IAM role gets SendMessage on exactly these. */
  readonly sends: readonly QueueName[];
  /** Tables the function uses and how; its IAM role gets exactly these actions. */
  readonly tables: Readonly<Partial<Record<TableName, TableAccess>>>;
  /** External systems the function calls (through the X-Road security server or directly). */
  readonly calls?: readonly string[];
  /** Invoked over HTTPS (a Lambda function URL with AWS_IAM auth) rather than by a queue. */
  readonly http?: 'iam';
}

export const tables = {
  correlation: {
    description: 'Process state keyed by correlation id: pending candidates, runs, request/reply matching',
    partitionKey: 'pk',
    sortKey: 'sk',
    ttlAttribute: 'expiresAt',
  },
  audit: {
    description: 'Append-only hop log with a keyed hash of the HETU and a causation digest chain',
    partitionKey: 'correlationId',
    sortKey: 'hop',
    ttlAttribute: 'expiresAt',
  },
} as const satisfies Record<string, TableSpec>;

export type TableName = keyof typeof tables;

export const queues = {
  'referral-intake': {
    description: 'outreach.referral.v1 from other authorities, posted to ingress',
    visibilityTimeoutSeconds: 60,
    maxReceiveCount: 5,
    maxAgeSeconds: 900,
    retentionDays: 14,
  },
} as const satisfies Record<string, QueueSpec>;

export type QueueName = keyof typeof queues;

export const functions = {
  ingress: {
    description: 'Validates envelopes posted by municipal systems and authorities and enqueues them by type',
    entry: 'functions/ingress/handler.ts',
    memoryMb: 256,
    timeoutSeconds: 10,
    http: 'iam',
    sends: ['referral-intake'],
    tables: { audit: 'write' },
  },
  'referral-intake': {
    description: 'Records a referral as a pending outreach candidate of its municipality',
    entry: 'functions/referral-intake/handler.ts',
    memoryMb: 256,
    timeoutSeconds: 10,
    consumes: { queue: 'referral-intake', batchSize: 10, maxConcurrency: 2 },
    sends: [],
    tables: { correlation: 'readwrite', audit: 'readwrite' },
  },
} as const satisfies Record<string, FunctionSpec>;

export type FunctionName = keyof typeof functions;

/** Which queue ingress puts an accepted envelope on, by message type. */
export const ingressRoutes: Readonly<Record<string, QueueName>> = {
  'outreach.referral.v1': 'referral-intake',
};

/** Name of the DLQ that belongs to a queue. */
export const dlqName = (queue: QueueName): string => `${queue}-dlq`;

/** Environment variable through which a function finds a queue's URL. */
export const queueUrlEnv = (queue: QueueName): string => `KOTO_QUEUE_${envSuffix(queue)}_URL`;

/** Environment variable through which a function finds a DLQ's URL. */
export const dlqUrlEnv = (queue: QueueName): string => `KOTO_DLQ_${envSuffix(queue)}_URL`;

/** Environment variable through which a function finds a table's name. */
export const tableNameEnv = (table: TableName): string => `KOTO_TABLE_${envSuffix(table)}`;

/** Environment variables every runtime sets the same way (CDK in AWS, infra/local on one machine). */
export const AUDIT_KEY_SECRET_ARN_ENV = 'KOTO_AUDIT_KEY_SECRET_ARN';
export const AUDIT_KEY_FILE_ENV = 'KOTO_AUDIT_KEY_FILE';
export const XROAD_SECURITY_SERVER_ENV = 'KOTO_XROAD_SECURITY_SERVER';
export const XROAD_CLIENT_ENV = 'KOTO_XROAD_CLIENT';

const envSuffix = (name: string): string => name.toUpperCase().replace(/[^A-Z0-9]/g, '_');

export const queueNames = Object.keys(queues) as QueueName[];
export const tableNames = Object.keys(tables) as TableName[];
export const functionNames = Object.keys(functions) as FunctionName[];

export const queueSpec = (name: QueueName): QueueSpec => queues[name];
export const tableSpec = (name: TableName): TableSpec => tables[name];
export const functionSpec = (name: FunctionName): FunctionSpec => functions[name];

/** The function fed by a queue, if any. */
export const consumerOf = (queue: QueueName): FunctionName | undefined =>
  functionNames.find((name) => functionSpec(name).consumes?.queue === queue);
