import { afterEach, describe, expect, it } from 'vitest';
import { makeHetu } from '#contracts/hetu';
import { datastorePath } from '#contracts/datastore/wire';
import { kelmuListPath } from '#contracts/kelmu/wire';
import { json, startMockServer, type MockServer } from '#mocks/framework';
import { startSecurityServer, type SecurityServer } from '#mocks/security-server';
import { createDatastoreMock } from '#mocks/datastore';
import { callDoor } from '#infra/local/door-client';
import { hubCredentials, localXRoadPki } from '../support/security-server.ts';
import { recordMockUrls, requestsWithHetu, urlHasHetuShape, type MockUrlRecorder } from '../support/mock-urls.ts';

const HETU = '131052-308T';
const OLD_CENTURY = makeHetu('1890-01-01', 123); // century sign +

describe('urlHasHetuShape: the check of test/support/no-hetu-in-urls.setup.ts', () => {
  it.each([
    ['in a path', `/r1/FI/GOV/2296962-1/kotoutumistietovaranto/asiakkuus/v1/${HETU}`],
    ['in a query', `/r1/FI/GOV/0246246-0/kelmu/kotoutumislista/v1/905?hetu=${HETU}&sivu=1`],
    ['percent-encoded (+ as %2B)', `/person/${encodeURIComponent(OLD_CENTURY)}`],
    ['with a raw + in a query (form-decoded it is a space)', `/q?h=${OLD_CENTURY}`],
    ['encoded twice', `/person/${encodeURIComponent(encodeURIComponent(OLD_CENTURY))}`],
    ['every character encoded', `/person/${[...HETU].map((c) => `%${c.charCodeAt(0).toString(16)}`).join('')}`],
    ['in lower case', `/person/${HETU.toLowerCase()}`],
    ['with a century sign of 2023', `/person/${makeHetu('2010-05-01', 456, 'B')}`],
    ['malformed (a wrong check character)', '/person/131052-308X'],
  ])('finds a HETU %s', (_, target) => {
    expect(urlHasHetuShape(target)).toBe(true);
  });

  it('leaves alone the URLs the hub calls', () => {
    for (const target of [
      datastorePath('FI-TEST', 'status'),
      datastorePath('FI-TEST', 'plans'),
      kelmuListPath({ instance: 'FI-TEST', municipality: '905', date: '2026-11-01', page: 3, pageSize: 200 }),
      '/r1/FI-TEST/GOV/0245437-2/VTJmutpa/muutokset',
      '/r1/FI-TEST/GOV/0245437-2/VTJmutpa/kirjausavain/2026-11-01',
      '/cgi-bin/consumer_proxy',
      '/__faults',
      '/x/5d7c1c0e-8d5e-4a4f-9d2b-000000000001',
    ]) {
      expect(urlHasHetuShape(target), target).toBe(false);
    }
  });

  it('describes each offending request with the code masked', () => {
    const found = requestsWithHetu([
      { system: 'datastore', method: 'GET', target: `/asiakkuus/v1/${encodeURIComponent(OLD_CENTURY)}` },
      { system: 'datastore', method: 'POST', target: datastorePath('FI', 'status') },
    ]);
    expect(found).toEqual(['datastore: GET /asiakkuus/v1/[HETU]']);
  });
});

describe('recordMockUrls', () => {
  let recorder: MockUrlRecorder | undefined;
  const servers: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    recorder?.stop();
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  it('hears every mock server and the security-server stand-in start and receive, and stops when told', async () => {
    recorder = recordMockUrls();
    const probe: MockServer = await startMockServer({
      system: 'probe',
      population: null,
      routes: [{ name: 'probe', method: 'GET', pattern: /^\/person\/[^/]+$/, handle: () => json(200, {}) }],
    });
    servers.push(probe);
    const datastore = await createDatastoreMock({ persons: [] });
    servers.push(datastore);
    const { pki, identity, hub } = await localXRoadPki();
    const securityServer: SecurityServer = await startSecurityServer({ datastore: datastore.url }, identity);
    securityServer.admit(hub.cert, hub.issuer);
    servers.push(securityServer);
    expect(recorder.started).toEqual(['probe', 'datastore', 'security-server']);

    await (await fetch(`${probe.url}/person/${encodeURIComponent(OLD_CENTURY)}?x=1`)).text();
    // The retired data store call, through the stand-in: both hops are recorded, and the store refuses it.
    const old = await callDoor(`${securityServer.url}/r1/FI/GOV/2296962-1/kotoutumistietovaranto/asiakkuus/v1/${HETU}`, hubCredentials(pki), {
      method: 'GET',
      headers: { 'X-Road-Client': 'FI/MUN/0201256-6/koto-hub' },
    });
    expect(old.status).toBe(410);
    expect(old.text).not.toContain(HETU);

    expect(recorder.requests).toEqual([
      { system: 'probe', method: 'GET', target: `/person/${encodeURIComponent(OLD_CENTURY)}?x=1` },
      { system: 'security-server', method: 'GET', target: `/r1/FI/GOV/2296962-1/kotoutumistietovaranto/asiakkuus/v1/${HETU}` },
      { system: 'datastore', method: 'GET', target: `/r1/FI/GOV/2296962-1/kotoutumistietovaranto/asiakkuus/v1/${HETU}` },
    ]);
    const found = requestsWithHetu(recorder.requests);
    expect(found).toHaveLength(3);
    expect(found.join('\n')).not.toContain(HETU.slice(0, 6));
    expect(found.join('\n')).not.toContain(OLD_CENTURY.slice(0, 6));

    recorder.stop();
    await (await fetch(`${probe.url}/person/x`)).text();
    expect(recorder.requests).toHaveLength(3);
  });
});
