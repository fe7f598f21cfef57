/**
 * The hub and its X-Road security server over TLS on the embedded runtime (#10 item 4): the
 * security-server stand-in authenticates the hub by the TLS certificate it presents, as a security
 * server does an information system of the "HTTPS" connection type. A caller without a certificate
 * is refused in the handshake, one with a certificate the stand-in has not registered gets 401 and
 * X-Road's `Server.ClientProxy.SslAuthenticationFailed`, and neither reaches a register; the hub's
 * own lookups go through.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VTJ_SERVICE } from '#contracts/vtj/wire';
import { MOCK_COUNTY_XROAD } from '#mocks/wellbeing';
import { XROAD_TLS_CA_FILE_ENV, XROAD_TLS_CERT_FILE_ENV, XROAD_TLS_KEY_FILE_ENV } from '#infra/topology';
import { XRoadHttpClient, parseClientId } from '#lib/xroad-client';
import { xroadTlsProvider } from '#lib/xroad-tls';
import { countyFhirClient } from '#functions/wellbeing/county-client';
import { lookupQueues } from '#infra/topology';
import { callDoor } from '#infra/local/door-client';
import { loadPopulation, type PopulationIndex } from '#mocks/population-index';
import { startTestHub, type TestHub } from '../support/hub.ts';
import { drain } from '../support/queues.ts';
import { expectedResults, lookupRequest, personWhere } from '../support/registers.ts';

const SAMPLE = 'mocks/population/sample.json';
const SOAP_PATH = '/';
const REST_PATH = `/r1/FI-TEST/GOV/${VTJ_SERVICE.memberCode}/probe/v1`;

let hub: TestHub;
let population: PopulationIndex;

beforeAll(async () => {
  population = await loadPopulation(SAMPLE);
  hub = await startTestHub({ population: SAMPLE, functions: ['vtj-adapter'], inMemory: true });
});
afterAll(async () => {
  await hub?.stop();
});

const standIn = () => hub.mocks!.securityServer.url;
const vtjRequests = () => hub.mocks!.vtj.requests.count('vtj.person');

describe('the security-server stand-in', () => {
  it('speaks HTTPS only, with a certificate the hub checks by the CA in its data folder', () => {
    expect(standIn()).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(readFileSync(hub.pki.securityServerCa, 'utf8')).toBe(hub.mocks!.securityServer.ca);
  });

  it('refuses a caller without a client certificate in the TLS handshake, before any request reaches a register', async () => {
    const before = vtjRequests();
    await expect(callDoor(`${standIn()}${SOAP_PATH}`, { ca: hub.pki.caCert }, { body: '<x/>' })).rejects.toThrow();
    expect(vtjRequests()).toBe(before);
  });

  it.each([
    ['SOAP', SOAP_PATH, /<faultcode>[^<]*Server\.ClientProxy\.SslAuthenticationFailed<\/faultcode>/],
    ['REST', REST_PATH, /"type":"Server\.ClientProxy\.SslAuthenticationFailed"/],
  ])('answers a %s caller whose certificate it has not registered 401 SslAuthenticationFailed, and forwards nothing', async (_kind, path, fault) => {
    // A certificate of the very CA that issued the hub's, but a municipality's client's, not the hub's.
    const before = vtjRequests();
    const answer = await callDoor(`${standIn()}${path}`, hub.credentials('vaasa-905'), { body: '<x/>', headers: { 'content-type': 'text/xml' } });
    expect(answer.status).toBe(401);
    expect(answer.text).toMatch(fault);
    expect(vtjRequests()).toBe(before);
  });

  it("lets the hub's own VTJ lookup through with the hub's certificate, answered as the fixture says", async () => {
    const person = personWhere(population, 'a living resident', (p) => p.dateOfDeath === null && p.address !== null && !p.nonDisclosure);
    const request = lookupRequest(person, ['vtj']);
    const before = vtjRequests();
    await hub.sendRaw(lookupQueues.vtj, [JSON.stringify(request)]);
    const [answer] = await drain(hub.sqs, hub.queues.queue['outreach-decisions'], 1);
    expect(answer).toMatchObject({ type: 'lookup.completed.v1', correlationId: request.correlationId, payload: { results: { vtj: expectedResults.vtj(person) } } });
    expect(vtjRequests()).toBe(before + 1);
  });

  it("routes the hub's FHIR calls to a county by its member code to that county's mock, as the county configuration says", async () => {
    const endpoint = hub.mocks!.counties.endpoints.find((e) => e.county === 'pohjanmaa')!;
    expect(endpoint.transport).toMatchObject({ kind: 'x-road', service: { memberCode: MOCK_COUNTY_XROAD.memberCode } });
    const county = hub.mocks!.counties.mocks.find((m) => m.county === 'pohjanmaa')!;
    const before = county.requests.count('county.search');
    const xroad = new XRoadHttpClient({
      securityServerUrl: standIn(),
      client: parseClientId('FI-TEST/MUN/0000000-0/koto-hub'),
      userId: 'koto-hub',
      timeoutMs: 5000,
      maxResponseBytes: 1_000_000,
      tls: xroadTlsProvider({
        env: { [XROAD_TLS_CERT_FILE_ENV]: hub.pki.xroadCert, [XROAD_TLS_KEY_FILE_ENV]: hub.pki.xroadKey, [XROAD_TLS_CA_FILE_ENV]: hub.pki.securityServerCa },
      }),
    });
    try {
      expect(await countyFhirClient(() => xroad).tasksOf(endpoint, '00000000-0000-4000-8000-000000000000')).toEqual([]);
    } finally {
      xroad.close();
    }
    expect(county.requests.count('county.search')).toBe(before + 1);
  });
});
