/** Taking a wellbeing request (functions/wellbeing/intake.ts): routed and started once, or refused to the sender with the rule. */
import { describe, expect, it } from 'vitest';
import type { CountyEndpointV1 } from '#contracts/wellbeing/endpoint';
import { takeWellbeingRequest, type IntakeDeps } from '#functions/wellbeing/intake';
import type { WellbeingRequest } from '#functions/wellbeing/prepare';
import type { StartOutcome } from '#functions/wellbeing/store';
import { PermanentError } from '#lib/errors';
import { consultation, wellbeingEnvelope } from '../support/wellbeing.ts';

const KEY = new Uint8Array(32).fill(7);
const xroad: CountyEndpointV1 = {
  county: 'pohjanmaa',
  transport: { kind: 'x-road', service: { xRoadInstance: 'FI', memberClass: 'GOV', memberCode: '9000001-1', subsystemCode: 'fhir', serviceCode: 'fhir' }, fhirBasePath: '/R4' },
};
const direct: CountyEndpointV1 = { county: 'helsinki', transport: { kind: 'direct', fhirBaseUrl: 'https://fhir.hel.example/R4', authentication: 'mutual-tls' } };

const deps = (started: boolean[] = [], outcome?: StartOutcome): IntakeDeps => ({
  store: { start: async () => (started.push(true), outcome ?? (started.length === 1 ? 'started' : 'already-started')) },
  endpoints: [xroad, direct],
  key: KEY,
  now: () => new Date('2026-11-02T07:00:00.000Z'),
});

const request = (municipality: string) => wellbeingEnvelope('wellbeing.consultation.requested.v1', consultation(), municipality) as WellbeingRequest;

describe('taking a wellbeing request', () => {
  it('routes Vaasa’s request to Pohjanmaa with its deadline, and a second time finds it started', async () => {
    const started: boolean[] = [];
    const vaasa = request('905');
    const first = await takeWellbeingRequest(vaasa, deps(started));
    expect(first).toMatchObject({ outcome: 'started', prepared: { process: { county: 'pohjanmaa', municipality: '905', dueAt: '2026-11-30T07:00:00.000Z' } } });
    expect((await takeWellbeingRequest(vaasa, deps(started))).outcome).toBe('already-started');
  });

  it('fails a request whose correlation id another request holds permanently, naming the id and no one', async () => {
    const vaasa = request('905');
    const taken = takeWellbeingRequest(vaasa, deps([], 'taken'));
    await expect(taken).rejects.toBeInstanceOf(PermanentError);
    await expect(taken).rejects.toMatchObject({ code: 'wellbeing-request-id-taken', message: expect.stringContaining(vaasa.correlationId) });
    await expect(taken).rejects.not.toMatchObject({ message: expect.stringMatching(/091|asiakas-/) });
  });

  it('routes Helsinki’s request to the city’s own services, reached directly', async () => {
    const taken = await takeWellbeingRequest(request('091'), deps());
    expect(taken).toMatchObject({ outcome: 'started', prepared: { endpoint: { county: 'helsinki', transport: { kind: 'direct' } }, process: { county: 'helsinki', municipality: '091' } } });
  });

  it.each([
    ['478', 'NO_COUNTY_ALAND', /'478'.*Åland/],
    ['837', 'COUNTY_NOT_CONFIGURED', /'837'.*'pirkanmaa'.*not configured/],
  ])('refuses a request of %s with %s, naming the municipality and the rule, and starts nothing', async (municipality, code, message) => {
    const started: boolean[] = [];
    const taken = await takeWellbeingRequest(request(municipality), deps(started));
    expect(taken).toMatchObject({ outcome: 'refused', refusal: { requestType: 'wellbeing.consultation.requested.v1', code, field: 'municipality' } });
    expect(taken.outcome === 'refused' && taken.refusal.message).toMatch(message);
    expect(started).toEqual([]);
  });
});
