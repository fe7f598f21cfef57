/**
 * The audit table's sparse `bySubject` index on a real dynalite: hops that concern a person are
 * found by the keyed hash of their HETU, hops that concern none are written without the key (a
 * null would not be a string and DynamoDB would refuse the item), and a table made before the
 * index existed is still searched, by a scan.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { makeHetu } from '#contracts/hetu';
import { createTables, localTableName, startDynamo, type LocalDynamo } from '#infra/local/dynamodb';
import { tableNameEnv } from '#infra/topology';
import { resetClients } from '#lib/clients';
import { payloadDigest, sealRecord, subjectHash, type AuditRecord } from '#lib/audit/record';
import { readCorrelation, writeAuditRecords } from '#lib/audit/store';
import { correlationsSince, readBySubject } from '#ops/audit/query';

const KEY = randomBytes(32);
const HETU = makeHetu('1984-02-29', 321);

let dynamo: LocalDynamo;
let client: DynamoDBClient;

beforeEach(async () => {
  dynamo = await startDynamo(undefined);
  client = new DynamoDBClient({ region: 'eu-north-1', endpoint: dynamo.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  Object.assign(process.env, { AWS_REGION: 'eu-north-1', AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint });
  process.env[tableNameEnv('audit')] = localTableName('audit');
  resetClients();
});
afterEach(async () => {
  delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
  resetClients();
  client.destroy();
  await dynamo.close();
});

const record = (correlationId: string, subject: string | null, recordedAt: string): AuditRecord =>
  sealRecord(
    {
      correlationId,
      messageId: randomUUID(),
      causationId: null,
      type: 'outreach.referral.v1',
      source: 'authority:te-services',
      target: 'hub',
      municipality: '905',
      stage: 'ingress',
      outcome: 'accepted',
      reason: null,
      subjectHash: subject ? subjectHash(KEY, subject) : null,
      payloadDigest: payloadDigest(KEY, {}),
      occurredAt: recordedAt,
      parentHop: null,
      parentDigest: null,
      recordedAt,
      durationMs: 0,
      expiresAt: 1_900_000_000,
    },
    KEY,
  );

describe('the bySubject index of the audit table', () => {
  it('is created with the table, takes hops without a subject, and finds a person by hash through the index', async () => {
    await createTables(client);
    const { Table } = await client.send(new DescribeTableCommand({ TableName: localTableName('audit') }));
    expect(Table?.GlobalSecondaryIndexes?.map((i) => [i.IndexName, i.KeySchema?.map((k) => k.AttributeName)])).toEqual([['bySubject', ['subjectHash', 'recordedAt']]]);

    const first = randomUUID();
    const second = randomUUID();
    const withSubject = [record(second, HETU, '2026-11-02T08:00:00.000Z'), record(first, HETU, '2026-11-01T08:00:00.000Z')];
    const without = record(first, null, '2026-11-01T08:00:01.000Z');
    await writeAuditRecords([...withSubject, without]);

    const found = await readBySubject(subjectHash(KEY, HETU));
    expect(found.scanned).toBe(false);
    expect(found.records.map((r) => r.correlationId)).toEqual([first, second]);
    expect(found.records[0]).toEqual(withSubject[1]);
    expect((await readBySubject(subjectHash(KEY, makeHetu('1984-02-29', 322)))).records).toEqual([]);
    // Read back, a hop without a subject has a null subjectHash, as it was sealed.
    expect((await readCorrelation(first)).find((r) => r.hop === without.hop)).toEqual(without);
    expect(await correlationsSince('2026-11-01T08:00:01.000Z')).toEqual([first, second].sort());
    expect(await correlationsSince('2026-11-02T00:00:00.000Z')).toEqual([second]);
  });

  it('is not there on a table made before it existed: the person is still found, by a scan', async () => {
    await client.send(
      new CreateTableCommand({
        TableName: localTableName('audit'),
        KeySchema: [
          { AttributeName: 'correlationId', KeyType: 'HASH' },
          { AttributeName: 'hop', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: [
          { AttributeName: 'correlationId', AttributeType: 'S' },
          { AttributeName: 'hop', AttributeType: 'S' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    await createTables(client);
    const correlationId = randomUUID();
    await writeAuditRecords([record(correlationId, HETU, '2026-11-01T08:00:00.000Z'), record(correlationId, null, '2026-11-01T08:00:01.000Z')]);
    const found = await readBySubject(subjectHash(KEY, HETU));
    expect(found.scanned).toBe(true);
    expect(found.records.map((r) => r.correlationId)).toEqual([correlationId]);
  });
});
