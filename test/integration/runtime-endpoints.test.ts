/**
 * The embedded runtime over SQS, DynamoDB and mock registers that run elsewhere (the benchmark runs
 * them in another process): the runtime creates what the topology needs on them, its functions
 * reach them, and its stop leaves them running for the next runtime.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lookupQueues, tableNames } from '#infra/topology';
import { localTableName, startDynamo, type LocalDynamo } from '#infra/local/dynamodb';
import { startRuntime } from '#infra/local/runtime';
import { startSqs, type LocalSqs } from '#infra/local/sqs';
import { loadPopulation, type PopulationIndex } from '#mocks/population-index';
import { startMocks, type Mocks } from '#mocks/start-mocks';
import { eventually, startTestHub, type TestHub } from '../support/hub.ts';
import { localXRoadPki } from '../support/security-server.ts';
import { drain } from '../support/queues.ts';
import { expectedResults, lookupRequest, personWhere } from '../support/registers.ts';

const SAMPLE = 'mocks/population/sample.json';

let dynamo: LocalDynamo;
let sqs: LocalSqs;
let mocks: Mocks;
let population: PopulationIndex;
const dataDir = mkdtempSync(join(tmpdir(), 'koto-hub-test-'));
const running: TestHub[] = [];

beforeAll(async () => {
  population = await loadPopulation(SAMPLE);
  dynamo = await startDynamo(undefined);
  sqs = await startSqs();
  // The stand-in of the shared data folder's PKI: it admits that folder's hub certificate.
  const { identity, hub } = await localXRoadPki(dataDir);
  mocks = await startMocks(population, identity);
  mocks.securityServer.admit(hub.cert, hub.issuer);
});
afterAll(async () => {
  for (const hub of running) await hub.stop();
  await mocks?.close();
  await sqs?.close();
  await dynamo?.close();
});

/** A hub on a data folder of its own calls the shared stand-in once the stand-in admitted its certificate. */
const ownDataDir = async (): Promise<{ dataDir: string; securityServerUrl: string; securityServerCa: string }> => {
  const ownDir = mkdtempSync(join(tmpdir(), 'koto-hub-test-'));
  const own = await localXRoadPki(ownDir);
  mocks.securityServer.admit(own.hub.cert, own.hub.issuer);
  return { dataDir: ownDir, securityServerUrl: mocks.securityServer.url, securityServerCa: mocks.securityServer.ca };
};

const startOnEndpoints = async (): Promise<TestHub> => {
  const hub = await startTestHub({
    dataDir,
    sqsEndpoint: sqs.endpoint,
    dynamodbEndpoint: dynamo.endpoint,
    securityServerUrl: mocks.securityServer.url,
    functions: ['vtj-adapter'],
  });
  running.push(hub);
  return hub;
};

/** Sends a VTJ lookup through the hub and returns the correlation id of its answer, checked against the fixture. */
const lookUp = async (hub: TestHub): Promise<string> => {
  const person = personWhere(population, 'a living resident', (p) => p.dateOfDeath === null && p.address !== null && !p.nonDisclosure);
  const request = lookupRequest(person, ['vtj']);
  await hub.sendRaw(lookupQueues.vtj, [JSON.stringify(request)]);
  const [answer] = await drain(hub.sqs, hub.queues.queue['outreach-decisions'], 1);
  expect(answer).toMatchObject({ type: 'lookup.completed.v1', correlationId: request.correlationId });
  expect(answer!.payload).toMatchObject({ results: { vtj: expectedResults.vtj(person) } });
  return request.correlationId;
};

describe('the embedded runtime on endpoints started elsewhere', () => {
  it('creates the tables and queues on them, calls the registers through the given security server, and leaves them running when stopped', async () => {
    const first = await startOnEndpoints();
    expect(first.sqsEndpoint).toBe(sqs.endpoint);
    expect(first.dynamodbEndpoint).toBe(dynamo.endpoint);
    expect(first.mocks).toBeUndefined();
    const correlationId = await lookUp(first);
    await eventually(async () => ((await first.auditOf(correlationId)).length > 0 ? true : undefined), 'the adapter hop audited');
    await first.stop();

    const client = new DynamoDBClient({ region: 'eu-north-1', endpoint: dynamo.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const { TableNames = [] } = await client.send(new ListTablesCommand({}));
    client.destroy();
    expect(TableNames).toEqual(expect.arrayContaining(tableNames.map(localTableName)));

    // A second runtime finds the queues and tables there already, and the first one's records with them.
    const second = await startOnEndpoints();
    expect(await second.auditOf(correlationId)).toHaveLength(1);
    await lookUp(second);
  });

  it('takes them from AWS_ENDPOINT_URL_DYNAMODB and AWS_ENDPOINT_URL_SQS when none are given, as npm start and the CLI do', async () => {
    // Services of the user's own, as a user would start DynamoDB Local or LocalStack.
    const usersDynamo = await startDynamo(undefined);
    const usersSqs = await startSqs();
    process.env.AWS_ENDPOINT_URL_DYNAMODB = usersDynamo.endpoint;
    process.env.AWS_ENDPOINT_URL_SQS = usersSqs.endpoint;
    try {
      const hub = await startTestHub({ ...(await ownDataDir()), functions: ['vtj-adapter'] });
      running.push(hub);
      expect(hub.dynamodbEndpoint).toBe(usersDynamo.endpoint);
      expect(hub.sqsEndpoint).toBe(usersSqs.endpoint);
      await lookUp(hub);
      await hub.stop();
      running.pop();
      // Stopping the hub left the user's services running, with the hub's tables in them.
      const client = new DynamoDBClient({ region: 'eu-north-1', endpoint: usersDynamo.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
      const { TableNames = [] } = await client.send(new ListTablesCommand({}));
      client.destroy();
      expect(TableNames).toEqual(expect.arrayContaining(tableNames.map(localTableName)));
    } finally {
      delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
      delete process.env.AWS_ENDPOINT_URL_SQS;
      await usersSqs.close();
      await usersDynamo.close();
    }
  });

  it('starts its own services when the endpoint variables hold only what an earlier runtime of this process set', async () => {
    const hub = await startTestHub({ ...(await ownDataDir()), functions: ['vtj-adapter'] });
    running.push(hub);
    // The first runtime pointed the variables at dynalite and local-aws-sqs it started itself, and stopped them.
    expect(process.env.AWS_ENDPOINT_URL_DYNAMODB).toBe(hub.dynamodbEndpoint);
    expect(hub.dynamodbEndpoint).not.toBe(dynamo.endpoint);
    await hub.stop();
    running.pop();
    const next = await startTestHub({ ...(await ownDataDir()), functions: ['vtj-adapter'] });
    running.push(next);
    expect(next.dynamodbEndpoint).not.toBe(hub.dynamodbEndpoint);
    await lookUp(next);
  });

  it('refuses mock registers given two ways', async () => {
    await expect(startRuntime({ dataDir, securityServerUrl: mocks.securityServer.url, population: SAMPLE })).rejects.toThrow(/one way/);
  });
});
