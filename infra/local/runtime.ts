/**
 * The embedded runtime: the whole hub on one machine, with no cloud account and no Docker.
 * dynalite and local-aws-sqs stand in for DynamoDB and SQS, the topology creates the tables and
 * queues, the runner feeds each function from its queue, and ingress listens on loopback. The
 * handlers are the very modules the CDK stack bundles; only the endpoints differ.
 *
 * Handlers find everything through environment variables, so one runtime runs per process.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  dlqUrlEnv,
  functionNames,
  functionSpec,
  queueNames,
  queueSpec,
  queueUrlEnv,
  tableNameEnv,
  tableNames,
  type FunctionName,
  type ScheduleSpec,
  MUNICIPALITIES_ENV,
  PSEUDONYM_KEY_FILE_ENV,
  WEBHOOK_SECRETS_DIR_ENV,
  WELLBEING_COUNTIES_ENV,
  COUNTY_TLS_CA_DIR_ENV,
  COUNTY_TLS_CERT_FILE_ENV,
  COUNTY_TLS_KEY_FILE_ENV,
  XROAD_CLIENT_ENV,
  XROAD_SECURITY_SERVER_ENV,
  XROAD_TLS_CA_FILE_ENV,
  XROAD_TLS_CERT_FILE_ENV,
  XROAD_TLS_KEY_FILE_ENV,
} from '#infra/topology';
import type { FixturePopulation } from '#contracts/population';
import type { CountyEndpointV1 } from '#contracts/wellbeing/endpoint';
import { startMocks, type Mocks } from '#mocks/start-mocks';
import { resetXRoadClients } from '#lib/xroad';
import { resetMetrics } from '#lib/metrics';
import { closeLogFile } from '#lib/logger';
import { resetClients } from '#lib/clients';
import { resetAuditKey } from '#lib/audit/key';
import { clearRuntimeInfo, defaultDataDir, prepareDataDir, writeRuntimeInfo, type DataDir } from '#infra/local/data-dir';
import { setRuntimeEndpoint, userEndpoint } from '#infra/local/endpoints';
import { createTables, localTableName, startDynamo } from '#infra/local/dynamodb';
import { startIngressServer } from '#infra/local/ingress-server';
import { inboxRoutes, ingressRoutes, startDoorServer } from '#infra/local/door-server';
import { ensurePki, hubCountyCertificate, hubXRoadCertificate, securityServerIdentity, type PkiPaths } from '#infra/local/pki';
import { clientCredentials, ensureLocalClients } from '#infra/local/local-clients';
import type { ClientCredentials } from '#infra/local/door-client';
import { Door } from '#functions/ingress/door';
import type { DoorClock } from '#lib/door/client-rate';
import { ClientRegistry } from '#lib/door/client-registry';
import { resetRefusalMetrics } from '#lib/door/refusals';
import { servedMunicipalities } from '#lib/config';
import { EventSourceRunner, type RunnerClock, type SqsHandler } from '#infra/local/runner';
import { Scheduler, type ScheduledHandler } from '#infra/local/scheduler';
import { createQueues, startSqs, type QueueUrls } from '#infra/local/sqs';
import { readStatus, type HubStatus } from '#infra/local/status';
import { readOpenRuns } from '#infra/local/open-runs';
import { readBreakers } from '#infra/local/breakers';
import { readOpenWellbeing } from '#infra/local/open-wellbeing';
import { opsPageRoutes } from '#infra/local/ops-page/api';
import { recoverOpenWork } from '#functions/outreach-recovery/recover';
import { recoveryDeps } from '#functions/outreach-recovery/deps';

const REPO_ROOT = resolve(import.meta.dirname, '..', '..');

export interface RuntimeOptions {
  /** Data folder; default `.koto-hub` (or `KOTO_DATA_DIR`). */
  readonly dataDir?: string;
  /** Keep DynamoDB in memory instead of the data folder (tests that need no restart). */
  readonly inMemory?: boolean;
  /** The operator's plain-HTTP port (status, ops page); default a free one. */
  readonly ingressPort?: number;
  /** The door's HTTPS port (mutual TLS; ingress); default a free one. */
  readonly doorPort?: number;
  /** The door's clock (the clients' rates); default the system's. */
  readonly doorClock?: DoorClock;
  /**
   * The scheduled functions' clock: their event's `time`, their remaining time and their timeout;
   * default the system's. A test's clock decides how much time a poll sees pass.
   */
  readonly scheduleClock?: RunnerClock;
  /** Functions to run; default all that are bound to a queue or run on a schedule. */
  readonly functions?: readonly FunctionName[];
  /**
   * Fixture population (a file, or in memory) that seeds the mock external systems; the hub's
   * X-Road calls then go to them through a local security server. Without it no mock starts.
   */
  readonly population?: string | FixturePopulation;
  /** Seed of the mocks' fault injection. */
  readonly mockSeed?: number;
  /**
   * Mock external systems started by the caller (`startMocks`), used instead of starting them from
   * `population`, and left running by `stop()`: a test can stop a runtime and start another
   * against the same mocks.
   */
  readonly mocks?: Mocks;
  /**
   * The X-Road security server of mock external systems running elsewhere (another process, say),
   * used instead of `population` or `mocks`; `Runtime.mocks` is then undefined. It must have
   * admitted this data folder's X-Road certificate (`tls/xroad/hub.crt`), and its own certificate
   * must chain to `securityServerCa` (PEM), by default this data folder's CA: a stand-in started
   * with `securityServerIdentity` of this data folder's PKI is both.
   */
  readonly securityServerUrl?: string;
  readonly securityServerCa?: string;
  /**
   * With `securityServerUrl`: how the hub reaches the wellbeing services counties' mocks running
   * there (`CountyMocks.endpoints`). Those reached directly must have admitted this data folder's
   * county certificate (`tls/counties/hub.crt`), and their CAs be in `tls/counties/ca/`.
   */
  readonly countyEndpoints?: readonly CountyEndpointV1[];
  /**
   * SQS and DynamoDB running elsewhere (another process, say), used instead of starting
   * local-aws-sqs and dynalite, and left running by `stop()`. The topology's queues and tables
   * are created on them when missing.
   */
  readonly sqsEndpoint?: string;
  readonly dynamodbEndpoint?: string;
  /** The municipalities the hub serves (KOTO_MUNICIPALITIES); default those of the sample population. */
  readonly municipalities?: readonly string[];
  /**
   * Seconds between invocations of every scheduled function, instead of each one's `everyMinutes`
   * (default KOTO_SCHEDULE_SECONDS when set); 0 runs them only when triggered. Without it a
   * function on a `cron` schedule runs only when triggered.
   */
  readonly scheduleSeconds?: number;
  /** Base of the retry backoff in seconds (visibility timeout of a failed record: base * 2^(n-1)). */
  readonly retryBaseSeconds?: number;
  readonly onEvent?: (line: string) => void;
}

export interface Runtime {
  readonly dataDir: DataDir;
  /** POST envelopes here, over mutual TLS: `https://127.0.0.1:<door port>/envelopes`. */
  readonly ingressUrl: string;
  /** The door: `https://127.0.0.1:<port>`. */
  readonly doorUrl: string;
  /** The local CA, the door's certificate and the clients' certificates (`tls/` in the data folder). */
  readonly pki: PkiPaths;
  /** The client registry (the `clients` table). */
  readonly clients: ClientRegistry;
  /** The certificate, key and CA files a client calls the door with. */
  credentials(clientId: string): ClientCredentials;
  readonly statusUrl: string;
  /** The local ops page (GET /): status, dead letters and a trace search in a browser. */
  readonly opsPageUrl: string;
  readonly sqsEndpoint: string;
  readonly dynamodbEndpoint: string;
  readonly queues: QueueUrls;
  readonly sqs: SQSClient;
  readonly dynamodb: DynamoDBClient;
  /** The mock external systems, when a population (or mocks) was given. */
  readonly mocks: Mocks | undefined;
  status(): Promise<HubStatus>;
  /** Invokes a scheduled function now (after its running invocation, if any); resolves with its result. */
  trigger(name: FunctionName): Promise<unknown>;
  stop(): Promise<void>;
}

const LOCAL_REGION = 'eu-north-1';
/** The hub's X-Road client identity on the embedded runtime (the test instance). */
const LOCAL_XROAD_CLIENT = 'FI-TEST/MUN/0000000-0/koto-hub';
/** The municipalities of the sample population (mocks/population/sample.json). */
const SAMPLE_MUNICIPALITIES = ['905', '091', '837'] as const;

/** Points the AWS SDK and the handlers at the local services (what CDK sets in AWS). */
const configureEnvironment = (dir: DataDir, sqsEndpoint: string, dynamodbEndpoint: string, queues: QueueUrls, options: RuntimeOptions) => {
  Object.assign(process.env, {
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    KOTO_AUDIT_KEY_FILE: dir.auditKeyFile,
    [PSEUDONYM_KEY_FILE_ENV]: dir.pseudonymKeyFile,
    KOTO_LOG_FILE: dir.logFile,
    KOTO_RESULTS_DIR: dir.results,
    [WEBHOOK_SECRETS_DIR_ENV]: dir.webhookSecrets,
    KOTO_RETRY_BASE_SECONDS: String(options.retryBaseSeconds ?? 2),
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_SERVICE_NAME: 'koto-hub',
    AWS_LAMBDA_NODEJS_DISABLE_CALLBACK_WARNING: 'true',
    // Every invocation shares this process, so one limiter per system holds the whole rate.
    KOTO_RATE_LIMIT_SCOPE: 'process',
    [MUNICIPALITIES_ENV]: (options.municipalities ?? SAMPLE_MUNICIPALITIES).join(','),
  });
  // The user's own endpoint stays the user's; one this runtime chose is marked as its own.
  if (sqsEndpoint !== userEndpoint('SQS')) setRuntimeEndpoint('SQS', sqsEndpoint);
  if (dynamodbEndpoint !== userEndpoint('DYNAMODB')) setRuntimeEndpoint('DYNAMODB', dynamodbEndpoint);
  delete process.env.AWS_PROFILE;
  for (const queue of queueNames) {
    process.env[queueUrlEnv(queue)] = queues.queue[queue];
    process.env[dlqUrlEnv(queue)] = queues.dlq[queue];
  }
  for (const table of tableNames) process.env[tableNameEnv(table)] = localTableName(table);
  resetClients();
  resetAuditKey();
  resetXRoadClients();
  closeLogFile();
  // Powertools reads POWERTOOLS_METRICS_DISABLED when an instance is made: make them now.
  resetMetrics();
  resetRefusalMetrics();
};

/**
 * The hub calls its security server as an information system with the "HTTPS" connection type:
 * presenting `tls/xroad/hub.crt`, which a stand-in in this process is told to admit (as an
 * operator registers it on a real security server), and checking the server's certificate by the
 * CA written to `tls/xroad/security-server-ca.crt`.
 */
const useXRoadTls = (pki: PkiPaths, mocks: Mocks | undefined, givenCa: string | undefined): void => {
  if (mocks) {
    const hub = hubXRoadCertificate(pki);
    mocks.securityServer.admit(hub.cert, hub.issuer);
  }
  writeFileSync(pki.securityServerCa, mocks?.securityServer.ca ?? givenCa ?? readFileSync(pki.caCert, 'utf8'), { mode: 0o600 });
  Object.assign(process.env, {
    [XROAD_TLS_CERT_FILE_ENV]: pki.xroadCert,
    [XROAD_TLS_KEY_FILE_ENV]: pki.xroadKey,
    [XROAD_TLS_CA_FILE_ENV]: pki.securityServerCa,
  });
};

/**
 * The hub calls a county reached directly with `tls/counties/hub.crt`, which the county mocks are
 * told to admit (as a county registers it), and checks each county's server certificate by the CA
 * the county names, written to `tls/counties/ca/<county>.crt`: that one only.
 */
const useCountyTls = (pki: PkiPaths, mocks: Mocks | undefined): void => {
  if (mocks) {
    const hub = hubCountyCertificate(pki);
    mocks.counties.admit(hub.cert, hub.issuer);
    for (const [county, ca] of Object.entries(mocks.counties.directCas)) writeFileSync(join(pki.countyCaDir, `${county}.crt`), ca, { mode: 0o600 });
  }
  Object.assign(process.env, {
    [COUNTY_TLS_CERT_FILE_ENV]: pki.countyCert,
    [COUNTY_TLS_KEY_FILE_ENV]: pki.countyKey,
    [COUNTY_TLS_CA_DIR_ENV]: pki.countyCaDir,
  });
};

const loadHandler = async <H = SqsHandler>(name: FunctionName): Promise<H> => {
  const module = (await import(pathToFileURL(join(REPO_ROOT, functionSpec(name).entry)).href)) as { handler: H };
  return module.handler;
};

/**
 * Milliseconds between a scheduled function's invocations on this runtime. A calendar (`cron`)
 * schedule, monthly say, is not kept on one machine: 0, run only when triggered, unless overridden.
 */
const schedulePeriodMs = (schedule: ScheduleSpec, options: RuntimeOptions): number => {
  const override = options.scheduleSeconds ?? (process.env.KOTO_SCHEDULE_SECONDS ? Number(process.env.KOTO_SCHEDULE_SECONDS) : undefined);
  if (override !== undefined && !(Number.isFinite(override) && override >= 0)) throw new Error('configuration: KOTO_SCHEDULE_SECONDS must be 0 or more');
  return Math.round((override ?? ('everyMinutes' in schedule ? schedule.everyMinutes * 60 : 0)) * 1000);
};

export const startRuntime = async (options: RuntimeOptions = {}): Promise<Runtime> => {
  // What has started is stopped again, in reverse, if a later step fails (a busy port, say).
  const started: (() => Promise<void>)[] = [];
  const stopStarted = async () => {
    for (const stop of started.reverse()) await stop().catch(() => undefined);
  };
  try {
    return await assemble(options, started, stopStarted);
  } catch (error) {
    await stopStarted();
    throw error;
  }
};

/** Starts a service that this runtime owns (its `stop()` closes it); resolves with its endpoint. */
const startOwn = async (started: (() => Promise<void>)[], start: () => Promise<{ endpoint: string; close(): Promise<void> }>): Promise<string> => {
  const service = await start();
  started.push(() => service.close());
  return service.endpoint;
};

const assemble = async (
  options: RuntimeOptions,
  started: (() => Promise<void>)[],
  stopStarted: () => Promise<void>,
): Promise<Runtime> => {
  if (options.securityServerUrl !== undefined && (options.mocks !== undefined || options.population !== undefined)) {
    throw new Error('startRuntime: give the mock external systems one way: population, mocks or securityServerUrl');
  }
  const dir = prepareDataDir(options.dataDir ?? defaultDataDir());
  // Given, or the user's through the standard variables, or started here.
  const dynamodbEndpoint =
    options.dynamodbEndpoint ?? userEndpoint('DYNAMODB') ?? (await startOwn(started, () => startDynamo(options.inMemory ? undefined : dir.dynamodb)));
  const givenSqs = options.sqsEndpoint ?? userEndpoint('SQS');
  const sqsEndpoint = givenSqs ?? (await startOwn(started, startSqs));
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  // Every poller holds a socket through its 20-second long poll (34 of them): the SDK's default of
  // 50 would leave status() and the ops page, which share this client, waiting for a free one.
  const sqs = new SQSClient({ region: LOCAL_REGION, endpoint: sqsEndpoint, credentials, requestHandler: { httpAgent: { maxSockets: 200 } } });
  const dynamodb = new DynamoDBClient({ region: LOCAL_REGION, endpoint: dynamodbEndpoint, credentials });
  started.push(async () => {
    resetClients();
    sqs.destroy();
    dynamodb.destroy();
  });
  await createTables(dynamodb);
  const queues = await createQueues(sqs);
  const pki = await ensurePki(dir.root);
  const ownMocks =
    options.mocks === undefined && options.population !== undefined
      ? await startMocks(options.population, await securityServerIdentity(pki), options.mockSeed)
      : undefined;
  if (ownMocks) started.push(() => ownMocks.close());
  const mocks = options.mocks ?? ownMocks;
  const securityServerUrl = options.securityServerUrl ?? mocks?.securityServer.url;
  configureEnvironment(dir, sqsEndpoint, dynamodbEndpoint, queues, options);
  // The counties the mocks stand in for, as a deployment configures its counties' endpoints.
  process.env[WELLBEING_COUNTIES_ENV] = JSON.stringify(mocks?.counties.endpoints ?? options.countyEndpoints ?? []);
  useCountyTls(pki, mocks);
  if (securityServerUrl) {
    process.env[XROAD_SECURITY_SERVER_ENV] = securityServerUrl;
    process.env[XROAD_CLIENT_ENV] = LOCAL_XROAD_CLIENT;
    useXRoadTls(pki, mocks, options.securityServerCa);
  }

  const runner = new EventSourceRunner(sqs, LOCAL_REGION, { onEvent: options.onEvent });
  started.push(() => runner.stop());
  const bound = (options.functions ?? functionNames).filter((name) => functionSpec(name).consumes);
  for (const name of bound) {
    const spec = functionSpec(name);
    const binding = spec.consumes!;
    runner.start({
      functionName: name,
      queueUrl: queues.queue[binding.queue],
      queueArn: queues.arn[binding.queue]!,
      batchSize: binding.batchSize,
      maxConcurrency: binding.maxConcurrency,
      timeoutSeconds: spec.timeoutSeconds,
      memoryMb: spec.memoryMb,
      maxReceiveCount: queueSpec(binding.queue).maxReceiveCount,
      handler: await loadHandler(name),
    });
  }

  const scheduler = new Scheduler(runner.stats, LOCAL_REGION, { onEvent: options.onEvent, clock: options.scheduleClock });
  started.push(() => scheduler.stop());
  const scheduled = (options.functions ?? functionNames).filter((name) => functionSpec(name).schedule);
  for (const name of scheduled) {
    const spec = functionSpec(name);
    if (spec.consumes) throw new Error(`topology: function ${name} has both a schedule and a queue`);
    scheduler.start({
      functionName: name,
      everyMs: schedulePeriodMs(spec.schedule!, options),
      timeoutSeconds: spec.timeoutSeconds,
      memoryMb: spec.memoryMb,
      handler: await loadHandler<ScheduledHandler>(name),
    });
  }

  const clients = new ClientRegistry();
  await ensureLocalClients(clients, pki, servedMunicipalities());
  const door = new Door(clients, options.doorClock);
  const doorServer = await startDoorServer(door, { ...ingressRoutes(door), ...inboxRoutes() }, pki, options.doorPort ?? 0);
  started.push(() => doorServer.close());
  // The watchdog's recovery, once at start: what the tables say is still waited for is put back.
  // Queues this runtime has just created hold nothing of an earlier process: all of it is lost.
  if (scheduled.includes('outreach-watchdog')) await recoverOpenWork(recoveryDeps({ queuesAreNew: givenSqs === undefined }));

  const documents = DynamoDBDocumentClient.from(dynamodb);
  const status = () =>
    readStatus(sqs, queues, runner.stats, {
      oldestSentAt: (queueUrl) => runner.oldestUnfinished(queueUrl),
      openRuns: () => readOpenRuns(documents, localTableName('correlation')),
      breakers: () => readBreakers(documents, localTableName('pacing')),
      openWellbeing: () => readOpenWellbeing(documents, localTableName('correlation')),
    });
  const ingress = await startIngressServer(
    {
      get: {
        '/status': async () => ({ status: 200, type: 'application/json', body: JSON.stringify(await status()) }),
        ...opsPageRoutes({ status, sqs, queues }),
      },
    },
    options.ingressPort ?? 0,
  );
  started.push(() => ingress.close());
  writeRuntimeInfo(dir, {
    pid: process.pid,
    startedAt: new Date().toISOString(),
    ingressUrl: `${doorServer.url}/envelopes`,
    statusUrl: `${ingress.url}/status`,
    sqsEndpoint,
    dynamodbEndpoint,
    ...(mocks ? { mocks: mocks.urls } : securityServerUrl ? { mocks: { securityServer: securityServerUrl } } : {}),
    ...(typeof options.population === 'string' ? { population: resolve(options.population) } : {}),
  });
  started.push(async () => clearRuntimeInfo(dir));

  let stopping: Promise<void> | undefined;
  return {
    dataDir: dir,
    ingressUrl: `${doorServer.url}/envelopes`,
    doorUrl: doorServer.url,
    pki,
    clients,
    credentials: (clientId) => clientCredentials(pki, clientId),
    statusUrl: `${ingress.url}/status`,
    opsPageUrl: `${ingress.url}/`,
    sqsEndpoint,
    dynamodbEndpoint,
    queues,
    sqs,
    dynamodb,
    mocks,
    status,
    trigger: (name) => scheduler.trigger(name),
    stop: () => (stopping ??= stopStarted()),
  };
};
