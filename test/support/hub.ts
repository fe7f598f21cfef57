/**
 * The embedded runtime for integration tests: real dynalite, real local-aws-sqs, the real handlers,
 * on free loopback ports in a temporary data folder; stopped by the test that started it. Envelopes
 * go through the door over mutual TLS as a registered client: by default `te-services`, the
 * authority the referral factory speaks as (test/support/envelopes.ts), which this helper registers
 * for every municipality the hub serves; `as` names another (the demo client `vaasa-905`, the
 * `operator`, or one a test added).
 */
import { mkdtempSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReceiveMessageCommand, SendMessageBatchCommand, type Message } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { startRuntime, type Runtime, type RuntimeOptions } from '#infra/local/runtime';
import { postEnvelopes } from '#infra/local/door-client';
import { addClient } from '#infra/local/local-clients';
import { servedMunicipalities } from '#lib/config';
import { localTableName } from '#infra/local/dynamodb';
import type { QueueName, TableName } from '#infra/topology';
import type { AuditRecord } from '#lib/audit/record';

/** The client the tests post as unless they say otherwise. */
export const TEST_AUTHORITY = 'te-services';

export interface TestHub extends Runtime {
  /** Posts to ingress over mutual TLS as client `as` (default `te-services`). */
  post(body: unknown, as?: string): Promise<{ status: number; body: Record<string, unknown>; headers: Record<string, string | string[] | undefined> }>;
  sendRaw(queue: QueueName, bodies: readonly string[]): Promise<void>;
  auditOf(correlationId: string): Promise<AuditRecord[]>;
  scan(table: TableName): Promise<Record<string, unknown>[]>;
  peekDlq(queue: QueueName): Promise<Message[]>;
  logLines(): string[];
}

export const startTestHub = async (options: RuntimeOptions = {}): Promise<TestHub> => {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'koto-hub-test-'));
  const runtime = await startRuntime({ retryBaseSeconds: 1, ...options, dataDir });
  const documents = DynamoDBDocumentClient.from(runtime.dynamodb);
  if (!(await runtime.clients.get(TEST_AUTHORITY))) {
    await addClient(runtime.clients, runtime.pki, {
      clientId: TEST_AUTHORITY,
      name: 'TE services (test authority)',
      system: 'authority:te-services',
      municipalities: servedMunicipalities(),
      sends: ['outreach.referral.v1'],
      receives: [],
      ratePerMinute: 60_000,
    });
  }
  return {
    ...runtime,
    post: (body, as = TEST_AUTHORITY) => postEnvelopes(runtime.ingressUrl, runtime.credentials(as), body),
    async sendRaw(queue, bodies) {
      for (let i = 0; i < bodies.length; i += 10) {
        await runtime.sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: runtime.queues.queue[queue],
            Entries: bodies.slice(i, i + 10).map((MessageBody, n) => ({ Id: String(n), MessageBody })),
          }),
        );
      }
    },
    async auditOf(correlationId) {
      const { Items = [] } = await documents.send(
        new QueryCommand({
          TableName: localTableName('audit'),
          KeyConditionExpression: 'correlationId = :c',
          ExpressionAttributeValues: { ':c': correlationId },
        }),
      );
      return Items as AuditRecord[];
    },
    async scan(table) {
      const { Items = [] } = await documents.send(new ScanCommand({ TableName: localTableName(table) }));
      return Items;
    },
    async peekDlq(queue) {
      const { Messages = [] } = await runtime.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: runtime.queues.dlq[queue],
          MaxNumberOfMessages: 10,
          VisibilityTimeout: 0,
          MessageAttributeNames: ['All'],
          AttributeNames: ['All'],
        }),
      );
      return Messages;
    },
    logLines() {
      const file = runtime.dataDir.logFile;
      return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
    },
  };
};

/** Polls until `check` returns a value that is not undefined, or fails after `timeoutMs`. */
/**
 * How much longer the waits are on the DynamoDB Local lane: its JVM answers a few times slower than
 * dynalite, as vitest.config.ts's test timeouts there are three times as long. A wait is a bound on
 * how long to look, never an assertion on time.
 */
export const WAIT_FACTOR = process.env.KOTO_DYNAMODB === 'dynamodb-local' ? 3 : 1;

export const eventually = async <T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs * WAIT_FACTOR;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};
