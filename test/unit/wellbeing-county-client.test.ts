/**
 * The hub's FHIR calls to a county over X-Road, against the county mock (no security server in
 * between: the mock takes the same `/r1/…` paths): a request's transaction sent and its Tasks read
 * back and matched, a refusal of the county a permanent failure.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnvelope } from '#contracts/messages/registry';
import type { CountyEndpointV1 } from '#contracts/wellbeing/endpoint';
import { PermanentError } from '#lib/errors';
import { XRoadHttpClient, parseClientId } from '#lib/xroad-client';
import { countyFhirClient, countyFhirPath } from '#functions/wellbeing/county-client';
import { prepareWellbeingRequest, type WellbeingRequest } from '#functions/wellbeing/prepare';
import { NEW_PROCESS_STATE, takeReplies } from '#functions/wellbeing/replies';
import { createCountyMock, MOCK_COUNTY_XROAD, type CountyMock } from '#mocks/wellbeing';

const KEY = new Uint8Array(32).fill(3);
const endpoint: CountyEndpointV1 = { county: 'pohjanmaa', transport: { kind: 'x-road', service: { ...MOCK_COUNTY_XROAD }, fhirBasePath: '/R4' } };
const request = (() => {
  const parsed = parseEnvelope(JSON.parse(readFileSync(join('contracts', 'messages', 'examples', 'wellbeing.cooperation.requested.v1.json'), 'utf8')));
  if (!parsed.ok) throw new Error('the example is invalid');
  return parsed.envelope as WellbeingRequest;
})();

let mock: CountyMock;
let xroad: XRoadHttpClient;
beforeAll(async () => {
  mock = await createCountyMock({ county: 'pohjanmaa', fhirBasePath: '/R4', behaviour: { cooperation: { kind: 'accept', afterMs: 0, responsible: { name: 'Mikael Sosiaali', email: 'mikael@county.example' } } } });
  xroad = new XRoadHttpClient({ securityServerUrl: mock.url, client: parseClientId('FI/MUN/0000000-0/koto-hub'), userId: 'koto-hub', timeoutMs: 5000, maxResponseBytes: 1_000_000 });
});
afterAll(async () => {
  xroad?.close();
  await mock?.close();
});

describe('the county FHIR client', () => {
  it('addresses the county below its X-Road REST service and FHIR base', () => {
    expect(countyFhirPath(endpoint, '/Task')).toBe(`/r1/FI/GOV/${MOCK_COUNTY_XROAD.memberCode}/pohjanmaa-fhir/fhir/R4/Task`);
  });

  it('sends a request and reads its Tasks back, which match the process', async () => {
    const prepared = prepareWellbeingRequest(request, [endpoint], KEY, '2026-11-03T08:00:00.000Z');
    const client = countyFhirClient(() => xroad);
    await client.sendTransaction(endpoint, prepared.transaction);
    await client.sendTransaction(endpoint, prepared.transaction);
    expect(mock.resources('Task')).toHaveLength(1);
    const tasks = await client.tasksOf(endpoint, request.correlationId);
    const taken = takeReplies(prepared.process, prepared.entries, NEW_PROCESS_STATE, tasks, '2026-11-04T08:00:00.000Z');
    expect(taken.deliver.map((m) => m.type)).toEqual(['wellbeing.cooperation.accepted.v1']);
    expect(await client.tasksOf(endpoint, '00000000-0000-4000-8000-000000000000')).toEqual([]);
  });

  it('fails permanently when the county refuses the transaction', async () => {
    const spoilt = { resourceType: 'Bundle', type: 'transaction', entry: [{ request: { method: 'DELETE', url: 'Patient/1' } }] };
    await expect(countyFhirClient(() => xroad).sendTransaction(endpoint, spoilt)).rejects.toMatchObject({ transient: false, httpStatus: 400 });
  });

  it('has no X-Road path for a county reached directly (test/unit/wellbeing-direct-county.test.ts calls those)', () => {
    const direct: CountyEndpointV1 = { county: 'helsinki', transport: { kind: 'direct', fhirBaseUrl: 'https://fhir.hel.example/R4', authentication: 'mutual-tls' } };
    expect(() => countyFhirPath(direct, '/Task')).toThrow(PermanentError);
  });
});
