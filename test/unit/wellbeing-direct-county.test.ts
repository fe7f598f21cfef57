/**
 * A county reached directly (functions/wellbeing/county-client.ts over functions/lib/direct-client.ts):
 * against the county mock served over mutual TLS, the hub's client certificate admitted and the
 * county's CA the only one trusted; a certificate the county has not registered, a server whose
 * certificate another CA issued, and a county with no CA configured each fail permanently, naming
 * no value. The TLS material comes from the secret in AWS (`ca-<county>` per county) or the files
 * the embedded runtime writes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnvelope } from '#contracts/messages/registry';
import type { CountyEndpointV1 } from '#contracts/wellbeing/endpoint';
import { issueClientCertificate } from '#infra/local/pki';
import { DirectCallFault, DirectHttpClient } from '#lib/direct-client';
import type { TlsMaterial } from '#lib/https-exchange';
import { countyFhirClient, countyFhirUrl } from '#functions/wellbeing/county-client';
import { countyTlsProvider } from '#functions/wellbeing/county-tls';
import { prepareWellbeingRequest, type WellbeingRequest } from '#functions/wellbeing/prepare';
import { NEW_PROCESS_STATE, takeReplies } from '#functions/wellbeing/replies';
import { XRoadHttpClient, parseClientId } from '#lib/xroad-client';
import { createCountyMock, type CountyMock } from '#mocks/wellbeing';
import { localXRoadPki, type LocalXRoadPki } from '../support/security-server.ts';

const KEY = new Uint8Array(32).fill(5);
const ARN = 'arn:aws:secretsmanager:eu-north-1:123456789012:secret:koto-hub-county-tls';
const request = (() => {
  const parsed = parseEnvelope(JSON.parse(readFileSync(join('contracts', 'messages', 'examples', 'wellbeing.cooperation.requested.v1.json'), 'utf8')));
  if (!parsed.ok) throw new Error('the example is invalid');
  // Helsinki (091) asks its own services.
  return { ...parsed.envelope, municipality: '091', source: 'municipality:091' } as WellbeingRequest;
})();

let local: LocalXRoadPki;
/** Another PKI: its CA vouches for nothing of the county's. */
let other: LocalXRoadPki;
let mock: CountyMock;
let endpoint: CountyEndpointV1;
let hubTls: TlsMaterial;
const clients: DirectHttpClient[] = [];
const direct = (tls: TlsMaterial, name = 'wellbeing:helsinki') => {
  const client = new DirectHttpClient({ name, tls: async () => tls, timeoutMs: 5000, maxResponseBytes: 1_000_000 });
  clients.push(client);
  return client;
};
const unused = new XRoadHttpClient({ securityServerUrl: 'https://127.0.0.1:1', client: parseClientId('FI/MUN/0000000-0/koto-hub'), userId: 'koto-hub', timeoutMs: 1000, maxResponseBytes: 1000 });

beforeAll(async () => {
  local = await localXRoadPki();
  other = await localXRoadPki();
  mock = await createCountyMock({
    county: 'helsinki',
    fhirBasePath: '/fhir',
    tls: { cert: local.identity.cert, key: local.identity.key },
    behaviour: { cooperation: { kind: 'accept', afterMs: 0, responsible: { name: 'Helena Sosiaali', email: 'helena@hel.example' } } },
  });
  hubTls = { cert: readFileSync(local.pki.countyCert, 'utf8'), key: readFileSync(local.pki.countyKey, 'utf8'), ca: local.identity.ca };
  mock.admit!(hubTls.cert, local.identity.ca);
  endpoint = { county: 'helsinki', transport: { kind: 'direct', fhirBaseUrl: `${mock.url}/fhir/`, authentication: 'mutual-tls' } };
});
afterAll(async () => {
  for (const client of clients) client.close();
  await mock?.close();
});

describe('a county reached directly over mutual TLS', () => {
  it('addresses the FHIR base URL the county publishes', () => {
    expect(mock.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(countyFhirUrl(endpoint, '/Task?x=1')).toBe(`${mock.url}/fhir/Task?x=1`);
  });

  it('sends a request with the hub’s certificate and reads its Tasks back, trusting the county’s CA only', async () => {
    const prepared = prepareWellbeingRequest(request, [endpoint], KEY, '2026-11-03T08:00:00.000Z');
    const county = countyFhirClient(() => unused, () => direct(hubTls));
    await county.sendTransaction(endpoint, prepared.transaction);
    await county.sendTransaction(endpoint, prepared.transaction);
    expect(mock.resources('Task')).toHaveLength(1);
    const tasks = await county.tasksOf(endpoint, request.correlationId);
    const taken = takeReplies(prepared.process, prepared.entries, NEW_PROCESS_STATE, tasks, '2026-11-04T08:00:00.000Z');
    expect(taken.deliver).toMatchObject([{ type: 'wellbeing.cooperation.accepted.v1', payload: { county: 'helsinki', responsible: { name: 'Helena Sosiaali' } } }]);
    // The county logged the hub's read as answered.
    expect(mock.requests.entries().at(-1)).toMatchObject({ method: 'GET', status: 200 });
  });

  it('is refused by the county with a certificate it has not registered: permanent, HTTP 401', async () => {
    const stranger = await issueClientCertificate(local.pki, 'not-the-hub');
    const tls = { cert: readFileSync(stranger.cert, 'utf8'), key: readFileSync(stranger.key, 'utf8'), ca: local.identity.ca };
    const error = await countyFhirClient(() => unused, () => direct(tls)).tasksOf(endpoint, request.correlationId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DirectCallFault);
    expect(error).toMatchObject({ code: 'Http.401', transient: false, httpStatus: 401 });
  });

  it('refuses a county whose server certificate the configured CA did not issue: permanent, a failed handshake, and nothing sent', async () => {
    const before = mock.requests.entries().length;
    const error = await countyFhirClient(() => unused, () => direct({ ...hubTls, ca: other.identity.ca })).tasksOf(endpoint, request.correlationId).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'DirectCallFault', code: 'TlsHandshakeFailed', transient: false });
    expect(mock.requests.entries().length).toBe(before);
  });

  it('is not called at all by a client with no direct transport', async () => {
    await expect(countyFhirClient(() => unused).tasksOf(endpoint, request.correlationId)).rejects.toMatchObject({ code: 'wellbeing-direct-transport' });
  });
});

describe('the counties’ TLS material', () => {
  const reader = (text: string) => async () => text;

  it('comes from the secret in AWS: the hub’s certificate and key, and each county’s CA under ca-<county>', async () => {
    const secret = JSON.stringify({ certificate: hubTls.cert, privateKey: hubTls.key, 'ca-helsinki': local.identity.ca });
    const provider = countyTlsProvider({ env: { KOTO_COUNTY_TLS_SECRET_ARN: ARN }, readSecret: reader(secret) });
    expect(await provider('helsinki')).toEqual(hubTls);
    await expect(provider('pohjanmaa')).rejects.toThrow("configuration: the county TLS secret (ca-pohjanmaa) names no CA for the wellbeing services county 'pohjanmaa', reached directly");
  });

  it('refuses a secret whose CA is not a certificate, naming the field and quoting nothing of it', async () => {
    const secret = JSON.stringify({ certificate: hubTls.cert, privateKey: hubTls.key, 'ca-helsinki': 'Salainen-9f3a' });
    const error = (await countyTlsProvider({ env: { KOTO_COUNTY_TLS_SECRET_ARN: ARN }, readSecret: reader(secret) })('helsinki').catch((e: unknown) => e)) as Error;
    expect(error.message).toBe("configuration: the county TLS secret's ca-helsinki is not a PEM certificate");
  });

  it('comes from the files the embedded runtime writes, and says which settings are missing', async () => {
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(local.pki.countyCaDir, 'helsinki.crt'), local.identity.ca);
    const env = { KOTO_COUNTY_TLS_CERT_FILE: local.pki.countyCert, KOTO_COUNTY_TLS_KEY_FILE: local.pki.countyKey, KOTO_COUNTY_TLS_CA_DIR: local.pki.countyCaDir };
    expect(await countyTlsProvider({ env })('helsinki')).toEqual(hubTls);
    await expect(countyTlsProvider({ env })('lappi')).rejects.toThrow(/KOTO_COUNTY_TLS_CA_DIR \(lappi\.crt\) names no CA/);
    await expect(countyTlsProvider({ env: {} })('helsinki')).rejects.toThrow(/needs KOTO_COUNTY_TLS_SECRET_ARN, or KOTO_COUNTY_TLS_CERT_FILE/);
  });

  it('missing, fails the call permanently as a configuration error, naming the setting', async () => {
    const client = new DirectHttpClient({ name: 'wellbeing:helsinki', tls: () => countyTlsProvider({ env: {} })('helsinki'), timeoutMs: 1000, maxResponseBytes: 1000 });
    clients.push(client);
    const error = (await client.json('GET', `${mock.url}/fhir/Task`, undefined, 'application/fhir+json').catch((e: unknown) => e)) as DirectCallFault;
    expect(error).toMatchObject({ code: 'Configuration', transient: false });
    expect(error.message).toContain('KOTO_COUNTY_TLS_SECRET_ARN');
  });
});
