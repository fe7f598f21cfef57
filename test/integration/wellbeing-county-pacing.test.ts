/**
 * Each wellbeing services county is its own FHIR server with its own rate limit, and the hub paces
 * each apart (functions/lib/xroad.ts, `wellbeing:<county>`), through the embedded runtime: Pohjanmaa
 * behind X-Road, Helsinki directly.
 *
 * The counties' default rate here is one request in 105 seconds (KOTO_RATE_LIMIT_WELLBEING=0.01), so
 * a county's second request has no slot within its invocation's deadline: it fails at once as a
 * transient timeout and waits on the queue. Nothing is timed: what is checked is which requests
 * reached which county while another county's pacing was holding its own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WELLBEING_COUNTIES_ENV } from '#infra/topology';
import { DEMO_CLIENT } from '#infra/local/local-clients';
import type { CountyEndpointV1 } from '#contracts/wellbeing/endpoint';
import { eventually, startTestHub, type TestHub } from '../support/hub.ts';
import { addMunicipalSystem, consultation, consultationPerson, wellbeingEnvelope } from '../support/wellbeing.ts';

// A request refused its slot is a transient failure, which counts toward the county's breaker: kept closed here.
const ENV = { KOTO_RATE_LIMIT_WELLBEING: '0.01', KOTO_BREAKER_FAILURES_TO_OPEN: '1000' };
const savedEnv = Object.fromEntries(Object.keys(ENV).map((name) => [name, process.env[name]]));

/** Helsinki's (091) municipal system. */
const HELSINKI_CLIENT = 'helsinki-091';

let hub: TestHub;
beforeAll(async () => {
  Object.assign(process.env, ENV);
  hub = await startTestHub({
    population: 'mocks/population/sample.json',
    municipalities: ['905', '091'],
    functions: ['wellbeing-intake', 'county-adapter', 'municipality-inbox'],
    scheduleSeconds: 0,
    retryBaseSeconds: 0.5,
    inMemory: true,
  });
  await addMunicipalSystem(hub, {
    clientId: HELSINKI_CLIENT,
    municipality: '091',
    name: 'Helsinki',
    sends: ['wellbeing.consultation.requested.v1'],
    receives: ['wellbeing.request.refused.v1'],
  });
});
afterAll(async () => {
  await hub?.stop();
  for (const [name, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

type Identifier = { system?: string; value?: string };

const post = async (municipality: '905' | '091') => {
  const envelope = wellbeingEnvelope('wellbeing.consultation.requested.v1', consultation([consultationPerson()]), municipality);
  const response = await hub.post(envelope, municipality === '091' ? HELSINKI_CLIENT : DEMO_CLIENT);
  expect(response.status, JSON.stringify(response.body)).toBe(202);
  return envelope.correlationId;
};

const tasksAt = (county: string, requestId: string) =>
  hub
    .mocks!.counties.mocks.find((m) => m.county === county)!
    .resources('Task')
    .filter((t) => (t.groupIdentifier as Identifier | undefined)?.value === requestId);

const adapterOutcomes = async (requestId: string) =>
  (await hub.auditOf(requestId)).filter((r) => r.stage === 'county-adapter').map((r) => String(r.outcome));

const sentTo = (county: string, requestId: string) =>
  eventually(async () => ((await adapterOutcomes(requestId)).includes(`sent-${county}`) && tasksAt(county, requestId).length === 1 ? true : undefined), `the request sent to ${county}`);

/** The request's first attempt failed for want of a slot, and it waits on the queue. */
const heldByPacing = (requestId: string) =>
  eventually(async () => ((await adapterOutcomes(requestId)).includes('retry') ? true : undefined), 'the request waiting for its county’s next slot');

describe('the counties’ rate limits', () => {
  it('paces each county on its own: Pohjanmaa’s next slot, far off, holds no request to Helsinki', async () => {
    const first = await post('905');
    await sentTo('pohjanmaa', first);
    const second = await post('905');
    await heldByPacing(second);

    // Under one limit for all counties Helsinki's request would wait behind Pohjanmaa's as well.
    const helsinki = await post('091');
    await sentTo('helsinki', helsinki);
    expect(tasksAt('pohjanmaa', second)).toEqual([]);
    expect(await adapterOutcomes(second)).not.toContain('sent-pohjanmaa');
  });

  it('paces a county at the rate its configuration gives, and the others at the topology’s', async () => {
    // Helsinki's endpoint names its own limit; Pohjanmaa's does not.
    const endpoints = JSON.parse(process.env[WELLBEING_COUNTIES_ENV]!) as CountyEndpointV1[];
    process.env[WELLBEING_COUNTIES_ENV] = JSON.stringify(endpoints.map((e) => (e.county === 'helsinki' ? { ...e, ratePerSecond: 20 } : e)));
    try {
      const requests = [await post('091'), await post('091'), await post('091')];
      for (const request of requests) await sentTo('helsinki', request);
      const vaasa = await post('905');
      await heldByPacing(vaasa);
      expect(tasksAt('pohjanmaa', vaasa)).toEqual([]);
    } finally {
      process.env[WELLBEING_COUNTIES_ENV] = JSON.stringify(endpoints);
    }
  });
});
