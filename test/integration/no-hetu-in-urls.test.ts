/**
 * No HETU in any URL the hub calls. A whole outreach run through the embedded runtime asks every
 * register about every candidate — VTJ and UMA over SOAP, Kelmu's list and the data store over
 * REST — through the X-Road security-server stand-in; every request target the stand-in and the
 * mocks receive is recorded, and none may hold anything HETU-shaped, encoded or not (the security
 * servers and proxies of a real deployment keep the request line in their access logs).
 * test/support/no-hetu-in-urls.setup.ts checks the same of every integration file.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datastorePath } from '#contracts/datastore/wire';
import { startTestHub, type TestHub } from '../support/hub.ts';
import { recordMockUrls, requestsWithHetu, type MockUrlRecorder } from '../support/mock-urls.ts';
import { deliveredResult, requestRun, SAMPLE } from '../support/outreach-runs.ts';

/** This file is about what the registers are sent, not about pacing. */
const RATE_LIMITS = { KOTO_RATE_LIMIT_VTJ: '500', KOTO_RATE_LIMIT_UMA: '500', KOTO_RATE_LIMIT_DATASTORE: '500', KOTO_RATE_LIMIT_KELMU: '500' };
const savedEnv = Object.fromEntries(Object.keys(RATE_LIMITS).map((name) => [name, process.env[name]]));

let hub: TestHub;
let recorder: MockUrlRecorder;

beforeAll(async () => {
  Object.assign(process.env, RATE_LIMITS);
  recorder = recordMockUrls();
  hub = await startTestHub({ population: SAMPLE, scheduleSeconds: 0 });
});
afterAll(async () => {
  recorder?.stop();
  await hub?.stop();
  for (const [name, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

describe('no personal identity code in a URL', () => {
  it('a whole outreach run sends none to the security server or any register', async () => {
    const municipality = '905';
    const asOf = '2026-11-01';
    const runId = randomUUID();
    await requestRun(hub, { runId, municipality, asOf, pageSize: 20 });
    const { run } = await deliveredResult(hub, runId, 60_000);
    const candidates = run.expected ?? 0;
    expect(candidates).toBeGreaterThan(0);
    expect(run).toMatchObject({ decided: candidates, unresolved: 0 });

    // Every system was asked, through the stand-in; the data store only on the new call (a slip
    // stops once a candidate is decided, so not about every candidate).
    const systems = new Set(recorder.requests.map((r) => r.system));
    for (const system of ['security-server', 'vtj', 'uma', 'kelmu', 'datastore']) expect(systems, system).toContain(system);
    const mocks = hub.mocks!;
    expect(mocks.datastore.requests.count('datastore.status')).toBeGreaterThan(0);
    expect(mocks.datastore.requests.count('datastore.status.v1')).toBe(0);
    const statusPath = datastorePath('FI-TEST', 'status');
    const toDatastore = recorder.requests.filter((r) => r.system === 'datastore');
    expect(toDatastore.filter((r) => r.target === statusPath).every((r) => r.method === 'POST')).toBe(true);
    expect(toDatastore.filter((r) => r.target === statusPath)).toHaveLength(mocks.datastore.requests.count('datastore.status'));

    expect(requestsWithHetu(recorder.requests), 'requests with a HETU-shaped URL').toEqual([]);
  });
});
