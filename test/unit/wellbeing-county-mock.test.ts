/**
 * The county mock speaks the FHIR R4 REST the hub uses (transaction, create, read, search by
 * identifier, OperationOutcome errors), answers after its delay on its own clock, and what it
 * answers is what the hub's readers accept, or refuse when a fault spoils it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { consultationAnswerOf } from '#contracts/wellbeing/fhir/consultation';
import { cooperationReplyOf } from '#contracts/wellbeing/fhir/cooperation';
import { NAMING_SYSTEMS, PROFILES } from '#contracts/wellbeing/fhir/systems';
import { FhirInvalid, validateFhir } from '#contracts/wellbeing/fhir/validate';
import type { MockClock } from '#mocks/framework';
import { createCountyMock, type CountyMock, type CountyMockOptions } from '#mocks/wellbeing';
import { FHIR_EXAMPLES_DIR } from '../support/wellbeing-examples.ts';

type Resource = { resourceType: string; id?: string } & Record<string, unknown>;
type Bundle = Resource & { entry?: { resource?: Resource; response?: { status: string; location: string } }[] };

const example = (name: string): Resource => JSON.parse(readFileSync(join(FHIR_EXAMPLES_DIR, name), 'utf8')) as Resource;
const consultation = example('consultation-transaction.json');
const cooperation = example('cooperation-transaction.json');
const pseudonymsOf = (bundle: Resource): string[] =>
  [
    ...new Set(
      (bundle.entry as { resource: { identifier: { system: string; value: string }[] } }[]).flatMap((e) =>
        e.resource.identifier.filter((i) => i.system === NAMING_SYSTEMS.requestItem).map((i) => i.value),
      ),
    ),
  ];
/** `Type/id` of a transaction-response location, without its version. */
const resourceOf = (location: string | undefined): string | undefined => location?.replace(/\/_history\/.*$/, '');

/** Time the test moves by hand; the county's answers wait on it. */
class TestClock implements MockClock {
  constructor(public time = Date.parse('2026-11-03T08:00:00Z')) {}
  now = (): number => this.time;
  sleep = (): Promise<void> => Promise.resolve();
}

const mocks: CountyMock[] = [];
afterEach(async () => {
  await Promise.all(mocks.splice(0).map((m) => m.close()));
});

async function county(options: Partial<CountyMockOptions> = {}): Promise<CountyMock> {
  const mock = await createCountyMock({ county: 'pohjanmaa', fhirBasePath: '/R4', ...options });
  mocks.push(mock);
  return mock;
}

const post = (mock: CountyMock, path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${mock.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/fhir+json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
const get = async (mock: CountyMock, path: string): Promise<{ status: number; body: Bundle }> => {
  const res = await fetch(`${mock.url}${path}`);
  return { status: res.status, body: (await res.json()) as Bundle };
};
const taskSearch = (pseudonym: string) => `/R4/Task?identifier=${encodeURIComponent(`${NAMING_SYSTEMS.requestItem}|${pseudonym}`)}`;

describe('the county mock over FHIR R4 REST', () => {
  it('creates a transaction once: a re-sent one finds every resource by its conditional create', async () => {
    const mock = await county();
    const first = await post(mock, '/R4', consultation);
    expect(first.status).toBe(200);
    const answer = (await first.json()) as Bundle;
    expect(answer.type).toBe('transaction-response');
    expect(answer.entry?.map((e) => e.response?.status)).toEqual((consultation.entry as unknown[]).map(() => '201 Created'));

    const again = (await (await post(mock, '/R4', consultation)).json()) as Bundle;
    expect(again.entry?.map((e) => e.response?.status).every((s) => s === '200 OK')).toBe(true);
    expect(again.entry?.map((e) => resourceOf(e.response?.location))).toEqual(answer.entry?.map((e) => resourceOf(e.response?.location)));
    expect(mock.resources('Task')).toHaveLength(pseudonymsOf(consultation).length);
  });

  it('stores references to the created resources, and each stored resource still validates against its profile', async () => {
    const mock = await county({ behaviour: { consultation: { kind: 'never' } } });
    await post(mock, '/R4', consultation);
    const [task] = mock.resources('Task') as (Resource & { for: { reference: string }; basedOn: { reference: string }[] })[];
    expect(task!.for.reference).toMatch(/^Patient\/pohjanmaa-\d{6}$/);
    expect(task!.basedOn[0]!.reference).toMatch(/^ServiceRequest\/pohjanmaa-\d{6}$/);
    const patient = await get(mock, `/R4/${task!.for.reference}`);
    expect(patient.status).toBe(200);
    expect(patient.body.resourceType).toBe('Patient');
    expect(validateFhir(task, PROFILES.requestTask)).toEqual([]);
  });

  it('searches Tasks by identifier and by group identifier', async () => {
    const mock = await county({ behaviour: { consultation: { kind: 'never' } } });
    await post(mock, '/R4', consultation);
    await post(mock, '/R4', cooperation);
    const [pseudonym] = pseudonymsOf(consultation);
    const one = await get(mock, taskSearch(pseudonym!));
    expect(one.body.type).toBe('searchset');
    expect(one.body.entry).toHaveLength(1);
    const requestId = (consultation.entry as { resource: { groupIdentifier?: { value: string } } }[]).find((e) => e.resource.groupIdentifier)!.resource.groupIdentifier!.value;
    const group = await get(mock, `/R4/Task?group-identifier=${encodeURIComponent(`${NAMING_SYSTEMS.request}|${requestId}`)}`);
    expect(group.body.entry).toHaveLength(pseudonymsOf(consultation).length);
    const none = await get(mock, taskSearch('0'.repeat(32)));
    expect(none.body.total).toBe(0);
  });

  it('creates a single resource, honouring If-None-Exist', async () => {
    const mock = await county();
    const patient = (consultation.entry as { resource: Resource }[])[0]!.resource;
    const criteria = `identifier=${NAMING_SYSTEMS.requestItem}|${(patient.identifier as { value: string }[])[0]!.value}`;
    const created = await post(mock, '/R4/Patient', patient, { 'if-none-exist': criteria });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toMatch(/^Patient\/pohjanmaa-000001\/_history\/1$/);
    const again = await post(mock, '/R4/Patient', patient, { 'if-none-exist': criteria });
    expect(again.status).toBe(200);
    expect(mock.resources('Patient')).toHaveLength(1);
  });

  it('answers OperationOutcomes: not JSON, unknown resource, unknown search parameter', async () => {
    const mock = await county();
    const notJson = await post(mock, '/R4', '{');
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'structure' }] });
    const missing = await get(mock, '/R4/Task/nope');
    expect(missing.status).toBe(404);
    expect(missing.body.resourceType).toBe('OperationOutcome');
    const unsupported = await get(mock, '/R4/Task?name=x');
    expect(unsupported.status).toBe(400);
    expect(JSON.stringify(unsupported.body)).toContain('search parameter name');
  });

  it('refuses a transaction with a resource that breaks its profile, naming the element and not the value, and stores nothing', async () => {
    const mock = await county();
    const spoilt = structuredClone(cooperation) as unknown as { entry: { resource: Resource & { identifier: { system: string; value: string }[] } }[] };
    const patient = spoilt.entry.find((e) => e.resource.resourceType === 'Patient')!.resource;
    const hetu = patient.identifier.find((i) => i.system === 'urn:oid:1.2.246.21')!;
    hetu.system = 'urn:oid:1.2.246.99';
    const refused = await post(mock, '/R4', spoilt);
    expect(refused.status).toBe(422);
    const outcome = JSON.stringify(await refused.json());
    expect(outcome).toContain('Bundle.entry[0].resource');
    expect(outcome).not.toContain(hetu.value);
    expect(mock.resources('Patient')).toEqual([]);
  });

  it('is reached below an X-Road REST service path as well', async () => {
    const mock = await county();
    const res = await post(mock, '/r1/FI/GOV/1234567-8/pohjanmaa-fhir/fhir/R4', consultation);
    expect(res.status).toBe(200);
    const found = await get(mock, `/r1/FI/GOV/1234567-8/pohjanmaa-fhir/fhir${taskSearch(pseudonymsOf(consultation)[0]!)}`);
    expect(found.body.entry).toHaveLength(1);
  });

  it('re-seeds its resources on reset', async () => {
    const seeded = { ...(cooperation.entry as { resource: Resource }[])[0]!.resource, id: 'seeded-1' };
    const mock = await county({ resources: [seeded] });
    await post(mock, '/R4', consultation);
    mock.reset();
    expect(mock.resources('Patient').map((p) => p.id)).toEqual(['seeded-1']);
    expect(mock.resources('Task')).toEqual([]);
  });
});

describe('the county mock answering', () => {
  it('answers a consultation after its delay on its clock, in a Task the hub reads as the answer', async () => {
    const clock = new TestClock();
    const mock = await county({
      timing: clock,
      behaviour: { consultation: { kind: 'answer', afterMs: 3_600_000, answer: () => ({ answer: 'proposal', comment: 'Ehdotamme Vaasaa.' }) } },
    });
    await post(mock, '/R4', consultation);
    const pseudonym = pseudonymsOf(consultation)[0]!;
    const before = await get(mock, taskSearch(pseudonym));
    expect(consultationAnswerOf(before.body.entry![0]!.resource).answer).toBeUndefined();

    clock.time += 3_600_000;
    const after = await get(mock, taskSearch(pseudonym));
    const task = after.body.entry![0]!.resource!;
    expect(validateFhir(task, PROFILES.requestTask)).toEqual([]);
    expect(consultationAnswerOf(task).answer).toEqual({ pseudonym, answer: { answer: 'proposal', comment: 'Ehdotamme Vaasaa.' } });
    expect((task.meta as { versionId: string }).versionId).toBe('2');
  });

  it('accepts a cooperation request naming the responsible person, or declines it with a reason', async () => {
    const mock = await county({ behaviour: { cooperation: { kind: 'accept', afterMs: 0, responsible: { name: 'Mikael Sosiaali', email: 'mikael@county.example' } } } });
    await post(mock, '/R4', cooperation);
    const pseudonym = pseudonymsOf(cooperation)[0]!;
    const accepted = cooperationReplyOf((await get(mock, taskSearch(pseudonym))).body.entry![0]!.resource);
    expect(accepted.reply).toEqual({ outcome: 'accepted', responsible: { name: 'Mikael Sosiaali', email: 'mikael@county.example' } });

    mock.reset();
    mock.behave({ cooperation: { kind: 'decline', afterMs: 0, reason: 'not-our-area', explanation: 'Asuu muualla.' } });
    await post(mock, '/R4', cooperation);
    const declined = cooperationReplyOf((await get(mock, taskSearch(pseudonym))).body.entry![0]!.resource);
    expect(declined.reply).toEqual({ outcome: 'declined', reason: 'not-our-area', explanation: 'Asuu muualla.' });
  });

  it('never answers when told so, however late it is read', async () => {
    const clock = new TestClock();
    const mock = await county({ timing: clock, behaviour: { cooperation: { kind: 'never' } } });
    await post(mock, '/R4', cooperation);
    clock.time += 365 * 86_400_000;
    const task = (await get(mock, taskSearch(pseudonymsOf(cooperation)[0]!))).body.entry![0]!.resource!;
    expect(task.status).toBe('requested');
    expect(cooperationReplyOf(task).reply).toEqual({ outcome: 'pending' });
  });

  it('spoils its Tasks under the invalidTask fault, which the hub refuses with the validator\'s finding', async () => {
    const mock = await county({ faults: [{ route: 'county.search', times: 1, effect: { kind: 'custom', name: 'invalidTask' } }] });
    await post(mock, '/R4', consultation);
    const spoilt = (await get(mock, taskSearch(pseudonymsOf(consultation)[0]!))).body.entry![0]!.resource;
    expect(() => consultationAnswerOf(spoilt)).toThrow(FhirInvalid);
    expect(() => consultationAnswerOf(spoilt)).toThrow(/koto-status/);
    const fine = (await get(mock, taskSearch(pseudonymsOf(consultation)[0]!))).body.entry![0]!.resource;
    expect(consultationAnswerOf(fine).answer?.answer.answer).toBe('no-objection');
  });
});
