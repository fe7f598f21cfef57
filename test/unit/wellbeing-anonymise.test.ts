/**
 * A consultation leaves anonymised: no field outside the documented list, and none of a person's
 * identifying values anywhere in what the county receives — checked on the whole produced FHIR JSON,
 * over generated people.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { containsHetuShape, makeHetu } from '#contracts/hetu';
import { buildEnvelope } from '#contracts/messages/registry';
import { serviceNeeds, genders, type ConsultationPersonV1, type ConsultationRequestedV1 } from '#contracts/messages/wellbeing';
import { anonymiseConsultation, restorePersonRefs } from '#contracts/wellbeing/anonymise';
import { consultationAnswerOf, consultationTransaction } from '#contracts/wellbeing/fhir/consultation';
import { CODE_SYSTEMS } from '#contracts/wellbeing/fhir/systems';
import { CONSULTATION_SENT_FIELDS, leafPaths } from '#contracts/wellbeing/sent-fields';
import { PSEUDONYM_PATTERN, pseudonymExpiry, pseudonymOf } from '#contracts/wellbeing/pseudonym';
import { createPrng } from '#mocks/framework/prng';

const KEY = new Uint8Array(32).fill(11);
const context = (requestId: string) => ({
  requestId,
  municipality: '905',
  county: 'pohjanmaa' as const,
  authoredOn: '2026-11-02T09:00:00+02:00',
  dueAt: '2026-11-30T09:00:00+02:00',
});

/** People with every kind of value a municipality's record might hold, drawn from a seeded PRNG. */
function generatePeople(seed: number, count: number): ConsultationPersonV1[] {
  const random = createPrng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const languages = ['ar', 'fa', 'so', 'uk', 'ru', 'ti', 'ps', 'ku', 'fi', 'sv', 'en'];
  return Array.from({ length: count }, (_, i) => {
    const year = 1930 + Math.floor(random() * 95);
    const birthDate = `${year}-${String(1 + Math.floor(random() * 12)).padStart(2, '0')}-${String(1 + Math.floor(random() * 28)).padStart(2, '0')}`;
    return {
      personRef: `asiakas-${seed}-${i}-${Math.floor(random() * 1e9)}`,
      ...(random() < 0.8 ? { hetu: makeHetu(birthDate, 2 + Math.floor(random() * 897)) } : {}),
      birthDate,
      gender: pick(genders),
      languages: [...new Set(Array.from({ length: Math.floor(random() * 4) }, () => pick(languages)))],
      interpreterRequired: random() < 0.5,
      needs: [...new Set(Array.from({ length: Math.floor(random() * 4) }, () => pick(serviceNeeds)))],
      turvakielto: random() < 0.1,
    };
  });
}

const requestOf = (people: ConsultationPersonV1[]): ConsultationRequestedV1 => ({ people, plannedArrival: '2027-03' });

describe('an anonymised consultation', () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8])('sends only the documented fields, and no identifying value of anyone (generated people, seed %i)', (seed) => {
    const people = generatePeople(seed, 1 + (seed * 7) % 50);
    const requestId = `00000000-0000-4000-8000-00000000000${seed}`;
    const sent = consultationTransaction(anonymiseConsultation(requestOf(people), context(requestId), KEY), context(requestId));

    const undocumented = leafPaths(sent).filter((path) => !Object.hasOwn(CONSULTATION_SENT_FIELDS, path));
    expect(undocumented).toEqual([]);

    const text = JSON.stringify(sent);
    expect(containsHetuShape(text)).toBe(false);
    for (const person of people) {
      expect(text).not.toContain(person.personRef);
      expect(text).not.toContain(person.birthDate);
      expect(text).not.toContain(person.birthDate.slice(0, 7));
      if (person.hetu) expect(text).not.toContain(person.hetu.slice(0, 6));
    }
  });

  it('gives each person a keyed pseudonym: the same within a request, unrelated across requests and keys', () => {
    const a = pseudonymOf(KEY, 'request-1', 'asiakas-1');
    expect(a).toMatch(PSEUDONYM_PATTERN);
    expect(pseudonymOf(KEY, 'request-1', 'asiakas-1')).toBe(a);
    expect(pseudonymOf(KEY, 'request-2', 'asiakas-1')).not.toBe(a);
    expect(pseudonymOf(new Uint8Array(32).fill(12), 'request-1', 'asiakas-1')).not.toBe(a);
    expect(() => pseudonymOf(new Uint8Array(16), 'request-1', 'asiakas-1')).toThrow(/at least 32 bytes/);
  });

  it('keeps the way back at the hub only, until a grace period after the deadline', () => {
    const people = generatePeople(20, 3);
    const anonymised = anonymiseConsultation(requestOf(people), context('request-20'), KEY);
    expect(anonymised.entries.map((e) => e.personRef).sort()).toEqual(people.map((p) => p.personRef).sort());
    for (const entry of anonymised.entries) {
      expect(entry).toMatchObject({ requestId: 'request-20', municipality: '905', expiresAt: pseudonymExpiry('2026-11-30T09:00:00+02:00') });
      expect(entry.expiresAt).toBe(Date.parse('2026-11-30T07:00:00Z') / 1000 + 90 * 86_400);
    }
    expect(anonymised.people.map((p) => p.pseudonym)).toEqual(anonymised.entries.map((e) => e.pseudonym));
  });

  it('does not keep the order of the municipality\'s list', () => {
    const people = generatePeople(21, 12);
    const forward = anonymiseConsultation(requestOf(people), context('request-21'), KEY).people;
    const backward = anonymiseConsultation(requestOf([...people].reverse()), context('request-21'), KEY).people;
    expect(backward).toEqual(forward);
    expect(forward.map((p) => p.pseudonym)).toEqual([...forward.map((p) => p.pseudonym)].sort());
  });

  it('sends the year of birth alone', () => {
    const [person] = anonymiseConsultation(requestOf(generatePeople(22, 1)), context('request-22'), KEY).people;
    expect(person?.birthYear).toMatch(/^\d{4}$/);
  });

  it('documents every field it sends in the contract README', () => {
    const readme = readFileSync(join(import.meta.dirname, '..', '..', 'contracts', 'wellbeing', 'README.md'), 'utf8');
    for (const path of Object.keys(CONSULTATION_SENT_FIELDS)) expect(readme, path).toContain(`\`${path}\``);
  });
});

describe("the county's answer", () => {
  const people = generatePeople(30, 3);
  const ctx = context('5d7c1a2b-3e4f-4a5b-9c6d-7e8f9a0b1c2d');
  const anonymised = anonymiseConsultation(requestOf(people), ctx, KEY);
  const bundle = consultationTransaction(anonymised, ctx) as { entry: { resource: { resourceType: string } & Record<string, unknown> }[] };
  const tasks = bundle.entry.map((e) => e.resource).filter((r) => r.resourceType === 'Task');

  /** What the county does: completes the Task with its answer. */
  const answered = (task: Record<string, unknown>, code: string, comment: string) => ({
    ...task,
    id: 'county-side-id',
    status: 'completed',
    lastModified: '2026-11-16T14:15:00+02:00',
    output: [{ type: { coding: [{ system: CODE_SYSTEMS.consultationAnswer, code }] }, valueString: comment }],
  });

  it('comes back to the municipality on its own person references', () => {
    const answers = tasks.map((task, i) => consultationAnswerOf(answered(task, i === 0 ? 'proposal' : 'no-objection', `kommentti ${i}`)).answer!);
    const { restored, unknown } = restorePersonRefs(answers, anonymised.entries);
    expect(unknown).toEqual([]);
    expect(restored.map((r) => r.personRef).sort()).toEqual(people.map((p) => p.personRef).sort());

    const envelope = buildEnvelope(
      'wellbeing.consultation.answered.v1',
      { county: 'pohjanmaa', answeredAt: '2026-11-16T14:15:00+02:00', people: restored.map(({ personRef, answer, comment }) => ({ personRef, answer, comment })) },
      { messageId: '6e8d2b3c-4f5a-4b6c-8d7e-8f9a0b1c2d3e', correlationId: ctx.requestId, causationId: null, source: 'hub', target: 'municipality:905', municipality: '905' },
    );
    expect(envelope.payload.people).toHaveLength(3);
  });

  it('about a pseudonym the request does not know is never restored', () => {
    const stranger = { ...(tasks[0] as Record<string, unknown>), identifier: [{ system: 'urn:fi:koto-hub:fhir:NamingSystem:request-item', value: 'f'.repeat(32) }] };
    const { restored, unknown } = restorePersonRefs([consultationAnswerOf(answered(stranger, 'no-objection', 'x')).answer!], anonymised.entries);
    expect(restored).toEqual([]);
    expect(unknown).toEqual(['f'.repeat(32)]);
  });

  it('is not there while the Task is not completed', () => {
    expect(consultationAnswerOf({ ...(tasks[0] as object), status: 'in-progress' }).answer).toBeUndefined();
  });
});
