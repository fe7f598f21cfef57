/**
 * The hub's Powertools metrics as CloudWatch will read them (EMF documents on stdout, no AWS): the
 * dimensions of a function's metrics, the record counts of a batch, and the latency and failures
 * of the calls to external systems, which carry the system's name and never anything of a person.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SQSRecord } from 'aws-lambda';
import { makeHetu } from '#contracts/hetu';
import { hubMetrics } from '#infra/topology';
import type { HopState } from '#lib/batch/hop';
import { countOutcomes } from '#lib/batch/sqs-handler';
import type { AuditRecord } from '#lib/audit/record';
import { createHubMetrics, recordExternalCall, resetExternalMetrics } from '#lib/metrics';
import { RateLimiter } from '#lib/rate-limit';
import { XRoadHttpClient, type XRoadClientConfig } from '#lib/xroad-client';

interface EmfDocument {
  readonly _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
  readonly [key: string]: unknown;
}

/** Every EMF document Powertools printed since the test began. */
let printed: EmfDocument[] = [];

beforeEach(() => {
  // Dev mode prints through the global console (spied on here); metrics stay enabled.
  vi.stubEnv('POWERTOOLS_DEV', 'true');
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
  vi.stubEnv('POWERTOOLS_METRICS_NAMESPACE', '');
  vi.stubEnv('POWERTOOLS_SERVICE_NAME', '');
  resetExternalMetrics();
  printed = [];
  vi.spyOn(console, 'log').mockImplementation((line: unknown) => {
    if (typeof line === 'string' && line.includes('"_aws"')) printed.push(JSON.parse(line) as EmfDocument);
  });
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  resetExternalMetrics();
});

/** The documents that carry `metric`, with their dimension names and the metric's value. */
const documentsOf = (metric: string) =>
  printed
    .filter((doc) => doc._aws.CloudWatchMetrics[0]!.Metrics.some((m) => m.Name === metric))
    .map((doc) => ({
      namespace: doc._aws.CloudWatchMetrics[0]!.Namespace,
      dimensions: [...doc._aws.CloudWatchMetrics[0]!.Dimensions[0]!].sort(),
      unit: doc._aws.CloudWatchMetrics[0]!.Metrics.find((m) => m.Name === metric)!.Unit,
      doc,
      value: doc[metric],
    }));

describe("a function's metrics", () => {
  it('carry the dimensions service and function (the topology name the stack sets as KOTO_FUNCTION_NAME)', () => {
    const metrics = createHubMetrics({ KOTO_FUNCTION_NAME: 'outreach-decide' });
    metrics.addMetric('processed', 'Count', 3);
    metrics.publishStoredMetrics();
    const [found] = documentsOf('processed');
    expect(found).toMatchObject({ namespace: hubMetrics.namespace, dimensions: ['function', 'service'], value: 3 });
    expect(found!.doc).toMatchObject({ service: hubMetrics.service, function: 'outreach-decide' });
  });

  it('carry the service alone where no function is named (the embedded runtime, whose metrics are off anyway)', () => {
    const metrics = createHubMetrics({});
    metrics.addMetric('processed', 'Count', 1);
    metrics.publishStoredMetrics();
    expect(documentsOf('processed')[0]?.dimensions).toEqual(['service']);
  });
});

describe("the function's instance when the embedded runtime makes its instances again", () => {
  it('stays the one the handlers were built with while the environment is the same, and is made anew when it changed', async () => {
    vi.resetModules();
    const live = await import('#lib/metrics');
    const built = live.metrics;
    live.resetMetrics();
    expect(live.metrics).toBe(built);
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
    live.resetMetrics();
    expect(live.metrics).not.toBe(built);
    live.metrics.addMetric('processed', 'Count', 1);
    live.metrics.publishStoredMetrics();
    expect(printed).toEqual([]);
  });
});

describe('the record counts of a batch', () => {
  const record = { messageId: 'm', body: '{}', attributes: {}, messageAttributes: {} } as unknown as SQSRecord;
  const hop = (fields: Partial<HopState>): HopState => ({
    record,
    stage: 'outreach-decide',
    receiveCount: 1,
    startedAt: Date.now(),
    envelope: undefined,
    parent: null,
    subject: undefined,
    duplicate: false,
    outcome: 'processed',
    failure: undefined,
    outputs: [],
    deadLetterOutputs: [],
    audit: undefined,
    ...fields,
  });
  const audited = (outcome: string) => ({ outcome }) as AuditRecord;
  const transient = { kind: 'transient', code: 'Timeout', reason: 'timeout' } as const;
  const permanent = { kind: 'permanent', code: 'schema-violation', reason: 'bad' } as const;

  it('counts processed, duplicates, failed, retried and dead-lettered, named as the dashboard reads them', () => {
    const metrics = createHubMetrics({ KOTO_FUNCTION_NAME: 'outreach-decide' });
    countOutcomes(
      [
        hop({}),
        hop({}),
        hop({ duplicate: true, outcome: 'duplicate' }),
        hop({ failure: transient, audit: audited('retry') }),
        // A transient failure on its last receive: SQS moves it to the DLQ, it is not retried.
        hop({ failure: transient, receiveCount: 5, audit: audited('dead-letter') }),
        hop({ failure: permanent, audit: audited('dead-letter') }),
      ],
      metrics,
    );
    metrics.publishStoredMetrics();
    expect(printed).toHaveLength(1);
    const { records } = hubMetrics;
    expect(printed[0]).toMatchObject({
      [records.processed]: 2,
      [records.duplicates]: 1,
      [records.failed]: 3,
      [records.retried]: 1,
      [records.deadLettered]: 2,
      function: 'outreach-decide',
    });
  });

  it('writes nothing for a count of zero', () => {
    const metrics = createHubMetrics({ KOTO_FUNCTION_NAME: 'outreach-decide' });
    countOutcomes([hop({})], metrics);
    metrics.publishStoredMetrics();
    expect(Object.keys(printed[0]!).filter((key) => Object.values(hubMetrics.records).includes(key as never))).toEqual(['processed']);
  });
});

describe('external calls', () => {
  it('record the latency in milliseconds by system, in a document of its own', () => {
    recordExternalCall('vtj', 42);
    const [latency, ...rest] = documentsOf(hubMetrics.externalLatency);
    expect(rest).toEqual([]);
    expect(latency).toMatchObject({ namespace: 'KotoHub', dimensions: ['service', 'system'], unit: 'Milliseconds', value: 42 });
    expect(latency!.doc).toMatchObject({ service: 'koto-hub', system: 'vtj' });
    expect(documentsOf(hubMetrics.externalFailures)).toEqual([]);
  });

  it('count a failure by system and kind', () => {
    recordExternalCall('uma', 8000, 'transient');
    recordExternalCall('uma', 12, 'permanent');
    const failures = documentsOf(hubMetrics.externalFailures);
    expect(failures.map((f) => [f.dimensions, f.doc.system, f.doc.kind, f.value, f.unit])).toEqual([
      [['kind', 'service', 'system'], 'uma', 'transient', 1, 'Count'],
      [['kind', 'service', 'system'], 'uma', 'permanent', 1, 'Count'],
    ]);
    expect(documentsOf(hubMetrics.externalLatency).map((l) => l.value)).toEqual([8000, 12]);
  });

  it('are written nowhere when metrics are disabled (the embedded runtime)', () => {
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
    resetExternalMetrics();
    recordExternalCall('kelmu', 5, 'transient');
    expect(printed).toEqual([]);
  });
});

describe('the X-Road client records each call', () => {
  let server: Server;
  let url: string;
  /** What the next answer is, by path. */
  const answers: Record<string, { status: number; body: string; delayMs?: number }> = {
    '/r1/ok': { status: 200, body: '{"ok":true}', delayMs: 20 },
    '/r1/busy': { status: 503, body: 'Service Unavailable' },
    '/r1/garbled': { status: 200, body: '<html>not json' },
  };

  beforeAll(async () => {
    server = createServer((request, response) => {
      const answer = answers[request.url ?? ''] ?? { status: 404, body: 'no' };
      setTimeout(() => response.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body), answer.delayMs ?? 0);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const config = (): XRoadClientConfig => ({
    securityServerUrl: url,
    client: { xRoadInstance: 'FI-TEST', memberClass: 'MUN', memberCode: '0000000-0', subsystemCode: 'koto-hub' },
    userId: 'koto-hub',
    timeoutMs: 2000,
    maxResponseBytes: 10_000,
  });

  it('an answered call: its latency under the system it was made for, no failure', async () => {
    const client = new XRoadHttpClient(config(), undefined, 'datastore');
    await expect(client.rest('status', 'GET', '/r1/ok')).resolves.toEqual({ ok: true });
    const [latency] = documentsOf(hubMetrics.externalLatency);
    expect(latency!.doc.system).toBe('datastore');
    // At least the answer's 15 ms delay; how much more is the machine's business, not the test's.
    expect(latency!.value).toBeGreaterThanOrEqual(15);
    expect(documentsOf(hubMetrics.externalFailures)).toEqual([]);
  });

  it('a 503: latency and a transient failure', async () => {
    const client = new XRoadHttpClient(config(), undefined, 'vtj');
    await expect(client.rest('status', 'GET', '/r1/busy')).rejects.toMatchObject({ transient: true });
    expect(documentsOf(hubMetrics.externalLatency)).toHaveLength(1);
    expect(documentsOf(hubMetrics.externalFailures).map((f) => [f.doc.system, f.doc.kind])).toEqual([['vtj', 'transient']]);
  });

  it('a malformed answer: a permanent failure', async () => {
    const client = new XRoadHttpClient(config(), undefined, 'kelmu');
    await expect(client.rest('list', 'GET', '/r1/garbled')).rejects.toMatchObject({ transient: false });
    expect(documentsOf(hubMetrics.externalFailures).map((f) => [f.doc.system, f.doc.kind])).toEqual([['kelmu', 'permanent']]);
  });

  it('a call never sent (no time left for a rate-limit slot) says nothing about the system', async () => {
    const client = new XRoadHttpClient(config(), new RateLimiter(1), 'uma');
    // The first call takes the one slot; the second would have to wait far past its deadline.
    await client.rest('status', 'GET', '/r1/ok');
    printed = [];
    await expect(client.rest('status', 'GET', '/r1/ok', undefined, { deadline: Date.now() + 50 })).rejects.toMatchObject({ transient: true });
    expect(printed).toEqual([]);
  });

  it('a client made without a system records nothing', async () => {
    const client = new XRoadHttpClient(config());
    await client.rest('status', 'GET', '/r1/ok');
    await expect(client.rest('status', 'GET', '/r1/busy')).rejects.toThrow();
    expect(printed).toEqual([]);
  });

  it('no document carries a personal identity code or a URL, whatever was asked', async () => {
    const hetu = makeHetu('1990-01-15', 123);
    const client = new XRoadHttpClient(config(), undefined, 'vtj');
    await expect(client.rest('person', 'POST', '/r1/busy', { hetu })).rejects.toThrow();
    const text = JSON.stringify(printed);
    expect(printed.length).toBeGreaterThan(0);
    expect(text).not.toContain(hetu);
    expect(text).not.toContain('127.0.0.1');
  });
});
