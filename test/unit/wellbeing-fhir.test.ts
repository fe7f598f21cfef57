/**
 * The county wire format: every resource the hub sends or reads validates with @medplum/core against
 * R4 and the profile it claims, and a resource that breaks a rule — national or the hub's — fails.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { consultationAnswerOf, consultationPatient, consultationResources } from '#contracts/wellbeing/fhir/consultation';
import { cooperationPatient, cooperationReplyOf } from '#contracts/wellbeing/fhir/cooperation';
import { TaskReadError } from '#contracts/wellbeing/fhir/task';
import { FI_BASE_PATIENT, FI_BASE_SECURITY_LABELS, PROFILES } from '#contracts/wellbeing/fhir/systems';
import { FhirInvalid, PUBLISHED_PROFILES, snapshotOf, turvakieltoFindings, validateFhir } from '#contracts/wellbeing/fhir/validate';
import { buildFhirExamples, FHIR_EXAMPLES_DIR } from '../support/wellbeing-examples.ts';

type Resource = { resourceType: string; meta?: { profile?: string[] } } & Record<string, unknown>;
const readExample = (name: string): Resource => JSON.parse(readFileSync(join(FHIR_EXAMPLES_DIR, name), 'utf8')) as Resource;
const entries = (bundle: Resource): Resource[] => (bundle.entry as { resource: Resource }[]).map((e) => e.resource);
const ownProfile = (resource: Resource) => resource.meta?.profile?.find((p) => Object.values(PROFILES).includes(p as never)) as (typeof PROFILES)[keyof typeof PROFILES];

const examples = readdirSync(FHIR_EXAMPLES_DIR).filter((f) => f.endsWith('.json'));

describe('the published FHIR examples', () => {
  it('are what the mappers produce from the message examples', () => {
    const built = buildFhirExamples();
    expect(examples.sort()).toEqual(Object.keys(built).sort());
    for (const name of examples) expect(readExample(name), name).toEqual(JSON.parse(JSON.stringify(built[name])));
  });

  it.each(examples)('%s validates against R4, and each resource against the profile it claims', (name) => {
    const document = readExample(name);
    expect(validateFhir(document)).toEqual([]);
    const resources = document.resourceType === 'Bundle' ? entries(document) : [document];
    for (const resource of resources) {
      const profile = ownProfile(resource);
      expect(profile, `${name} ${resource.resourceType} claims a profile of the hub`).toBeDefined();
      expect(validateFhir(resource, profile), `${name} ${resource.resourceType}`).toEqual([]);
    }
  });

  it('claim fi-base-patient of hl7.fhir.fi.base 2.0.0 on every Patient', () => {
    for (const name of ['consultation-transaction.json', 'cooperation-transaction.json']) {
      for (const patient of entries(readExample(name)).filter((r) => r.resourceType === 'Patient')) {
        expect(patient.meta?.profile).toContain(`${FI_BASE_PATIENT}|2.0.0`);
      }
    }
  });
});

describe("the hub's profiles", () => {
  it('are published as differentials on core R4 (4.0.1), one per profile URL', () => {
    expect(PUBLISHED_PROFILES.map((p) => p.url).sort()).toEqual(Object.values(PROFILES).sort());
    for (const profile of PUBLISHED_PROFILES) {
      expect(profile).toMatchObject({ resourceType: 'StructureDefinition', fhirVersion: '4.0.1', derivation: 'constraint', status: 'active' });
      expect(profile.snapshot).toBeUndefined();
      expect(profile.differential?.element.length).toBeGreaterThan(0);
    }
  });

  it('say which rules are national and which are the hub\'s', () => {
    for (const profile of PUBLISHED_PROFILES) {
      const root = profile.differential?.element[0] as { constraint: { key: string; human: string }[] };
      for (const rule of root.constraint) {
        expect(rule.key, profile.url).toMatch(/^(fi-base|koto)-/);
        expect(rule.human).toMatch(rule.key.startsWith('fi-base') ? /^fi-base-patient 2\.0\.0/ : /^koto-hub:/);
      }
    }
  });

  it('refuse a differential element the core definition does not have', () => {
    const [profile] = PUBLISHED_PROFILES;
    const broken = { ...profile!, differential: { element: [{ id: 'Patient.nickname', path: 'Patient.nickname', max: '0' }] } };
    expect(() => snapshotOf(broken)).toThrow(/Patient\.nickname is not in the core definition/);
  });
});

describe('a resource that breaks a rule fails validation, naming the rule, never the value', () => {
  const person = { personRef: 'asiakas-1', hetu: '231191-2774', lastName: 'Hassan', firstNames: 'Amina', turvakielto: false };
  const keys = (findings: { message: string }[]) => findings.map((f) => f.message).join(' | ');

  it('a personal identity code under the wrong identifier system (fi-base-patient)', () => {
    const patient = cooperationPatient(person, '905') as Resource & { identifier: Record<string, unknown>[] };
    expect(validateFhir(patient, PROFILES.cooperationPatient)).toEqual([]);
    const wrong = { ...patient, identifier: [{ ...patient.identifier[0], system: 'urn:oid:1.2.246.537' }] };
    const findings = validateFhir(wrong, PROFILES.cooperationPatient);
    expect(keys(findings)).toMatch(/fi-base-pic/);
    expect(JSON.stringify(findings)).not.toContain('231191');
  });

  it('a municipality code without its leading zero', () => {
    const patient = cooperationPatient(person, '091') as Resource & { extension: { valueCoding: object }[] };
    const wrong = { ...patient, extension: [{ ...patient.extension[0], valueCoding: { ...patient.extension[0]!.valueCoding, code: '91' } }] };
    expect(keys(validateFhir(wrong, PROFILES.cooperationPatient))).toMatch(/koto-municipality-code/);
  });

  it('a security label of the national system with another code', () => {
    const patient = cooperationPatient({ ...person, turvakielto: true }, '905') as Resource;
    expect(validateFhir(patient, PROFILES.cooperationPatient)).toEqual([]);
    const wrong = { ...patient, meta: { ...patient.meta, security: [{ system: FI_BASE_SECURITY_LABELS, code: 'SALAINEN' }] } };
    expect(keys(validateFhir(wrong, PROFILES.cooperationPatient))).toMatch(/fi-base-turvakielto/);
  });

  it('a protected person keeps the label on every resource that concerns them', () => {
    const context = { requestId: 'r-1', municipality: '905', county: 'pohjanmaa' as const, authoredOn: '2026-11-02T09:00:00+02:00', dueAt: '2026-11-30T09:00:00+02:00' };
    const base = { birthYear: '1988', gender: 'female' as const, languages: [], interpreterRequired: false, needs: [] };
    const [protectedOne, other] = consultationResources(
      { plannedArrival: '2027-01', entries: [], people: [{ ...base, pseudonym: 'a'.repeat(32), turvakielto: true }, { ...base, pseudonym: 'b'.repeat(32), turvakielto: false }] },
      context,
    );
    for (const resource of [protectedOne!.patient, protectedOne!.serviceRequest, protectedOne!.task]) {
      expect((resource.meta as { security?: unknown }).security, resource.resourceType).toEqual([{ system: FI_BASE_SECURITY_LABELS, code: 'TURVAKIELTO' }]);
    }
    for (const resource of [other!.patient, other!.serviceRequest, other!.task]) expect((resource.meta as { security?: unknown }).security).toBeUndefined();
  });

  it('a protected person without the TURVAKIELTO label, and an unprotected one with it', () => {
    const labelled = cooperationPatient({ ...person, turvakielto: true }, '905') as Resource;
    const unlabelled = cooperationPatient(person, '905') as Resource;
    expect(turvakieltoFindings(labelled, true)).toEqual([]);
    expect(turvakieltoFindings(unlabelled, true)).toEqual([{ path: 'Patient.meta.security', message: expect.stringMatching(/TURVAKIELTO label .* is required/) }]);
    expect(turvakieltoFindings(labelled, false)).toHaveLength(1);
  });

  const anonymous = consultationPatient(
    { pseudonym: 'a'.repeat(32), birthYear: '1988', gender: 'female', languages: ['ar'], interpreterRequired: true, needs: [], turvakielto: false },
    '905',
  ) as Resource;

  it('an anonymised Patient with a name, an address, a full date of birth or an identity code', () => {
    expect(validateFhir(anonymous, PROFILES.consultationPatient)).toEqual([]);
    expect(validateFhir({ ...anonymous, name: [{ family: 'Hassan' }] }, PROFILES.consultationPatient)).toEqual([
      { path: 'Patient.name', message: expect.stringMatching(/expected 0\.\.0/) },
    ]);
    expect(validateFhir({ ...anonymous, address: [{ city: 'Vaasa' }] }, PROFILES.consultationPatient)[0]?.path).toBe('Patient.address');
    expect(keys(validateFhir({ ...anonymous, birthDate: '1988-03-14' }, PROFILES.consultationPatient))).toMatch(/koto-birth-year/);
    const withHetu = { ...anonymous, identifier: [...(anonymous.identifier as object[]), { use: 'official', system: 'urn:oid:1.2.246.21', value: '140388-3127' }] };
    const findings = validateFhir(withHetu, PROFILES.consultationPatient);
    expect(findings).toContainEqual({ path: 'Patient.identifier', message: expect.stringMatching(/expected 1\.\.1, but found 2/) });
    expect(JSON.stringify(findings)).not.toContain('140388');
    const onlyHetu = { ...anonymous, identifier: [{ use: 'official', system: 'urn:oid:1.2.246.21', type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'NNFIN' }] }, value: '140388-3127' }] };
    expect(keys(validateFhir(onlyHetu, PROFILES.consultationPatient))).toMatch(/koto-pseudonym/);
  });

  it('something that is not FHIR R4 at all', () => {
    expect(validateFhir({ ...anonymous, gender: 7 })[0]?.path).toBe('Patient.gender');
    expect(validateFhir({ ...anonymous, nickname: 'x' })).toEqual([{ path: 'Patient.nickname', message: 'Invalid additional property "nickname"' }]);
    expect(validateFhir('Patient')).toEqual([{ path: '(resource)', message: 'not a JSON object' }]);
    expect(validateFhir({ resourceType: 'Observation' })[0]?.path).toBe('resourceType');
  });
});

describe("reading the county's Task", () => {
  it('takes a consultation answer', () => {
    const { task, answer } = consultationAnswerOf(readExample('consultation-task-completed.json'));
    expect(task).toMatchObject({ kind: 'consultation', status: 'completed', requestId: '7d0f6a2e-3b41-4c8e-9f15-2a6b8c4d1e01' });
    expect(answer).toMatchObject({ pseudonym: task.pseudonym, answer: { answer: 'services-arranged', comment: expect.stringMatching(/^Mielenterveys/) } });
  });

  it('takes an accepted cooperation with its responsible person, and a declined one with its reason', () => {
    expect(cooperationReplyOf(readExample('cooperation-task-accepted.json')).reply).toEqual({
      outcome: 'accepted',
      responsible: { name: 'Mikael Sosiaali', phone: '+358 6 218 0000', email: 'mikael.sosiaali@pohjanmaa.example' },
    });
    expect(cooperationReplyOf(readExample('cooperation-task-declined.json')).reply).toEqual({
      outcome: 'declined',
      reason: 'not-a-customer',
      explanation: 'Henkilö ei ole hyvinvointialueen asiakas.',
    });
  });

  it('refuses a Task that is not valid FHIR or breaks the profile, with the validator\'s findings', () => {
    const accepted = readExample('cooperation-task-accepted.json');
    const malformed = [
      { ...accepted, status: 'done' },
      { ...accepted, groupIdentifier: undefined },
      { ...accepted, output: [] },
    ];
    for (const task of malformed) {
      const error = (() => {
        try {
          cooperationReplyOf(task);
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(FhirInvalid);
      expect((error as FhirInvalid).findings.length).toBeGreaterThan(0);
      expect((error as FhirInvalid).message).not.toContain('Mikael');
    }
  });

  it('refuses a valid Task of the other flow, or with an answer code the contract does not know', () => {
    expect(() => consultationAnswerOf(readExample('cooperation-task-accepted.json'))).toThrow(TaskReadError);
    const completed = readExample('consultation-task-completed.json') as Resource & { output: { type: { coding: object[] } }[] };
    const unknownCode = { ...completed, output: [{ ...completed.output[0], type: { coding: [{ system: 'urn:fi:koto-hub:fhir:CodeSystem:consultation-answer', code: 'maybe' }] } }] };
    expect(() => consultationAnswerOf(unknownCode)).toThrow(/output\[0\]\.type: the answer code must be one of/);
  });

  it('is pending while the county has not answered', () => {
    const accepted = readExample('cooperation-task-accepted.json');
    expect(cooperationReplyOf({ ...accepted, status: 'received', output: undefined }).reply).toEqual({ outcome: 'pending' });
  });
});
