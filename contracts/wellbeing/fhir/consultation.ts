/**
 * Consultation before a municipality placement, on the wire (contracts/wellbeing/README.md): per
 * person an anonymised Patient, a ServiceRequest and a Task, all in one transaction; the county
 * answers each person on their Task (status `completed`, one output: the answer code and comment).
 */
import { consultationAnswers, type ConsultationAnsweredV1 } from '#contracts/messages/wellbeing';
import type { AnonymisedConsultation, AnonymisedPerson, PseudonymousAnswer } from '#contracts/wellbeing/anonymise';
import {
  CODE_SYSTEMS,
  FI_BASE_PATIENT,
  FI_BASE_VERSION,
  INTERPRETER_REQUIRED_EXTENSION,
  LANGUAGE_SYSTEM,
  PROFILES,
} from '#contracts/wellbeing/fhir/systems';
import {
  itemIdentifier,
  metaOf,
  municipalityExtension,
  requestResources,
  transactionOf,
  type Json,
  type PersonResources,
  type RequestContext,
} from '#contracts/wellbeing/fhir/common';
import { assertFhir } from '#contracts/wellbeing/fhir/validate';
import { readRequestTask, TaskReadError, type RequestTask } from '#contracts/wellbeing/fhir/task';

export const consultationPatient = (person: AnonymisedPerson, municipality: string): PersonResources['patient'] => ({
  resourceType: 'Patient',
  meta: metaOf([`${FI_BASE_PATIENT}|${FI_BASE_VERSION}`, PROFILES.consultationPatient], person.turvakielto),
  identifier: [itemIdentifier(person.pseudonym)],
  extension: [municipalityExtension(municipality), { url: INTERPRETER_REQUIRED_EXTENSION, valueBoolean: person.interpreterRequired }],
  gender: person.gender,
  birthDate: person.birthYear,
  ...(person.languages.length > 0
    ? { communication: person.languages.map((code) => ({ language: { coding: [{ system: LANGUAGE_SYSTEM, code }] } })) }
    : {}),
});

/** Every person's resources, each checked against R4 and its profile before it may leave. */
export function consultationResources(consultation: AnonymisedConsultation, context: RequestContext): PersonResources[] {
  return consultation.people.map((person) => {
    const patient = consultationPatient(person, context.municipality);
    const needs: Json[] = person.needs.map((code) => ({ coding: [{ system: CODE_SYSTEMS.serviceNeed, code }] }));
    const { serviceRequest, task } = requestResources(
      'consultation',
      person.pseudonym,
      context,
      person.turvakielto,
      { ...(needs.length > 0 ? { reasonCode: needs } : {}), occurrenceDateTime: consultation.plannedArrival },
      {},
      { request: PROFILES.request, task: PROFILES.requestTask },
    );
    return {
      pseudonym: person.pseudonym,
      patient: assertFhir(patient, PROFILES.consultationPatient, 'the consultation Patient', person.turvakielto),
      serviceRequest: assertFhir(serviceRequest, PROFILES.request, 'the consultation ServiceRequest', person.turvakielto),
      task: assertFhir(task, PROFILES.requestTask, 'the consultation Task', person.turvakielto),
    };
  });
}

/** The transaction the county receives; each resource in it is checked as it is built (the Bundle around them is ours alone). */
export const consultationTransaction = (consultation: AnonymisedConsultation, context: RequestContext): Json =>
  transactionOf(consultationResources(consultation, context));

export type ConsultationAnswer = Omit<ConsultationAnsweredV1['people'][number], 'personRef'>;

/**
 * The county's answer about one person, from their Task: `undefined` while the Task is not
 * completed. Throws `FhirInvalid` for a Task that breaks R4 or the profile, `TaskReadError` for one
 * of another flow.
 */
export function consultationAnswerOf(raw: unknown): { task: RequestTask; answer: PseudonymousAnswer<ConsultationAnswer> | undefined } {
  const task = readRequestTask(raw);
  if (task.kind !== 'consultation') throw new TaskReadError('code', 'the Task is not a consultation');
  if (task.status !== 'completed') return { task, answer: undefined };
  const output = task.output[0];
  const code = output?.type?.coding?.find((c) => c.system === CODE_SYSTEMS.consultationAnswer)?.code;
  const answer = consultationAnswers.find((known) => known === code);
  if (!answer) throw new TaskReadError('output[0].type', `the answer code must be one of ${consultationAnswers.join(', ')}`);
  return { task, answer: { pseudonym: task.pseudonym, answer: { answer, comment: output?.valueString ?? '' } } };
}
