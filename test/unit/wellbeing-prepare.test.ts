/**
 * The first step of the wellbeing flow: a request is routed to the county serving its municipality
 * (Åland and unconfigured counties refused with a reason naming no person), gets its deadline from
 * the county's endpoint, and becomes a valid transaction that the county mock accepts, plus the
 * process and pseudonym entries the hub keeps to match the answer.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseEnvelope } from '#contracts/messages/registry';
import type { CountyEndpointV1 } from '#contracts/wellbeing/endpoint';
import { consultationAnswerOf } from '#contracts/wellbeing/fhir/consultation';
import { restorePersonRefs } from '#contracts/wellbeing/anonymise';
import { CONSULTATION_SENT_FIELDS, leafPaths } from '#contracts/wellbeing/sent-fields';
import { NAMING_SYSTEMS } from '#contracts/wellbeing/fhir/systems';
import { PermanentError } from '#lib/errors';
import { prepareWellbeingRequest, routeToCounty, type WellbeingRequest } from '#functions/wellbeing/prepare';
import { createCountyMock, type CountyMock } from '#mocks/wellbeing';

const KEY = new Uint8Array(32).fill(7);
const REQUESTED_AT = '2026-11-02T07:00:00.000Z';

const example = (type: string): WellbeingRequest => {
  const parsed = parseEnvelope(JSON.parse(readFileSync(join('contracts', 'messages', 'examples', `${type}.json`), 'utf8')));
  if (!parsed.ok) throw new Error(`${type} example is invalid`);
  return parsed.envelope as WellbeingRequest;
};
const consultation = example('wellbeing.consultation.requested.v1');
const cooperation = example('wellbeing.cooperation.requested.v1');

const pohjanmaa: CountyEndpointV1 = {
  county: 'pohjanmaa',
  transport: { kind: 'direct', fhirBaseUrl: 'https://127.0.0.1:1/R4', authentication: 'mutual-tls' },
  answerWithinDays: { consultation: 21 },
};

const mocks: CountyMock[] = [];
afterEach(async () => {
  await Promise.all(mocks.splice(0).map((m) => m.close()));
});

describe('routing a request to its county', () => {
  it("routes Vaasa (905) to Pohjanmaa's endpoint", () => {
    expect(routeToCounty('905', [pohjanmaa])).toBe(pohjanmaa);
  });

  it.each([
    ['478', 'wellbeing-no-county-aland', /Åland.*no wellbeing services county serves it/],
    ['091', 'wellbeing-county-not-configured', /'helsinki', whose FHIR endpoint is not configured/],
    ['999', 'wellbeing-unknown-municipality', /not a current municipality code/],
  ])('refuses municipality %s permanently (%s) with a clear reason', (municipality, code, reason) => {
    const refusal = (() => {
      try {
        routeToCounty(municipality, [pohjanmaa]);
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(refusal).toBeInstanceOf(PermanentError);
    expect((refusal as PermanentError).code).toBe(code);
    expect((refusal as PermanentError).message).toMatch(reason);
  });

  it('refuses a consultation from Åland before anything is built', () => {
    const fromAland = { ...consultation, municipality: '478' } as WellbeingRequest;
    expect(() => prepareWellbeingRequest(fromAland, [pohjanmaa], KEY, REQUESTED_AT)).toThrow(/Åland/);
  });
});

describe('preparing a consultation', () => {
  const prepared = prepareWellbeingRequest(consultation, [pohjanmaa], KEY, REQUESTED_AT);

  it('keeps a process keyed by the correlation id, with the county\'s own deadline in days', () => {
    expect(prepared.process).toMatchObject({
      requestId: consultation.correlationId,
      kind: 'consultation',
      municipality: '905',
      county: 'pohjanmaa',
      requestedAt: REQUESTED_AT,
      dueAt: '2026-11-23T07:00:00.000Z',
    });
    expect(prepared.process.pseudonyms).toHaveLength(2);
    expect(prepared.entries.map((e) => e.personRef).sort()).toEqual(['asiakas-10231', 'asiakas-10232']);
    expect(prepared.entries.every((e) => e.expiresAt === prepared.process.expiresAt)).toBe(true);
  });

  it('sends only the documented fields and none of the municipality\'s values that identify a person', () => {
    expect(leafPaths(prepared.transaction).filter((path) => !Object.hasOwn(CONSULTATION_SENT_FIELDS, path))).toEqual([]);
    const text = JSON.stringify(prepared.transaction);
    for (const person of (consultation.payload as { people: { personRef: string; birthDate: string; hetu?: string }[] }).people) {
      expect(text).not.toContain(person.personRef);
      expect(text).not.toContain(person.birthDate);
      if (person.hetu) expect(text).not.toContain(person.hetu);
    }
  });

  it('is accepted by the county mock, and its answers restore to the municipality\'s references', async () => {
    const mock = await createCountyMock({ county: 'pohjanmaa', fhirBasePath: '/R4' });
    mocks.push(mock);
    const sent = await fetch(`${mock.url}/R4`, { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify(prepared.transaction) });
    expect(sent.status).toBe(200);
    const search = await fetch(`${mock.url}/R4/Task?group-identifier=${encodeURIComponent(`${NAMING_SYSTEMS.request}|${consultation.correlationId}`)}`);
    const tasks = ((await search.json()) as { entry: { resource: unknown }[] }).entry.map((e) => e.resource);
    const answers = tasks.map((task) => consultationAnswerOf(task).answer!);
    const { restored, unknown } = restorePersonRefs(answers, prepared.entries);
    expect(unknown).toEqual([]);
    expect(restored.map((r) => r.personRef).sort()).toEqual(['asiakas-10231', 'asiakas-10232']);
  });
});

describe('preparing a cooperation request', () => {
  it('names the person to the county (identified, by design) and keeps one entry, due in the default 14 days', () => {
    const prepared = prepareWellbeingRequest(cooperation, [pohjanmaa], KEY, REQUESTED_AT);
    expect(prepared.process).toMatchObject({ kind: 'cooperation', county: 'pohjanmaa', dueAt: '2026-11-16T07:00:00.000Z' });
    expect(prepared.entries).toEqual([
      expect.objectContaining({ requestId: cooperation.correlationId, personRef: 'asiakas-20417', pseudonym: prepared.process.pseudonyms[0] }),
    ]);
    expect(JSON.stringify(prepared.transaction)).toContain('231191-2774');
  });

  it('keeps turvakielto on every resource naming the person', () => {
    const protectedRequest = structuredClone(cooperation) as WellbeingRequest & { payload: { person: { turvakielto: boolean } } };
    protectedRequest.payload.person.turvakielto = true;
    const { transaction } = prepareWellbeingRequest(protectedRequest, [pohjanmaa], KEY, REQUESTED_AT);
    const resources = (transaction.entry as { resource: { meta?: { security?: { code: string }[] } } }[]).map((e) => e.resource);
    expect(resources).toHaveLength(3);
    for (const resource of resources) expect(resource.meta?.security?.map((s) => s.code)).toEqual(['TURVAKIELTO']);
  });
});
