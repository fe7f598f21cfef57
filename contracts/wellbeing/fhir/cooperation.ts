/**
 * Cooperation request on the wire (contracts/wellbeing/README.md): the shared customer as an
 * identified Patient (HETU, name, home municipality; no address), a ServiceRequest naming the
 * purpose, and a Task carrying the municipal official to contact. The county accepts on the Task
 * (output `responsible-person`, a ContactDetail) or declines (status `rejected`, statusReason).
 */
import {
  cooperationDeclineReasons,
  type CooperationAcceptedV1,
  type CooperationDeclinedV1,
  type CooperationRequestedV1,
} from '#contracts/messages/wellbeing';
import {
  CODE_SYSTEMS,
  FI_BASE_PATIENT,
  FI_BASE_VERSION,
  HETU_SYSTEM,
  NNFIN,
  PROFILES,
  V2_0203,
} from '#contracts/wellbeing/fhir/systems';
import { metaOf, municipalityExtension, requestResources, transactionOf, type Json, type PersonResources, type RequestContext } from '#contracts/wellbeing/fhir/common';
import { assertFhir } from '#contracts/wellbeing/fhir/validate';
import { readRequestTask, TaskReadError, type RequestTask } from '#contracts/wellbeing/fhir/task';

type Person = CooperationRequestedV1['person'];

export const cooperationPatient = (person: Person, municipality: string): PersonResources['patient'] => ({
  resourceType: 'Patient',
  meta: metaOf([`${FI_BASE_PATIENT}|${FI_BASE_VERSION}`, PROFILES.cooperationPatient], person.turvakielto),
  identifier: [{ use: 'official', type: { coding: [{ system: V2_0203, code: NNFIN }] }, system: HETU_SYSTEM, value: person.hetu }],
  extension: [municipalityExtension(municipality)],
  name: [{ family: person.lastName, given: person.firstNames.split(/\s+/).filter(Boolean) }],
});

const contactDetail = (contact: { name: string; phone?: string | undefined; email?: string | undefined }): Json => ({
  name: contact.name,
  telecom: [
    ...(contact.phone ? [{ system: 'phone', value: contact.phone }] : []),
    ...(contact.email ? [{ system: 'email', value: contact.email }] : []),
  ],
});

/** The person's resources, checked against R4 and their profiles. `pseudonym` names the Task and ServiceRequest. */
export function cooperationResources(request: CooperationRequestedV1, pseudonym: string, context: RequestContext): PersonResources {
  const patient = cooperationPatient(request.person, context.municipality);
  const { serviceRequest, task } = requestResources(
    'cooperation',
    pseudonym,
    context,
    request.person.turvakielto,
    {
      reasonCode: [{ coding: [{ system: CODE_SYSTEMS.cooperationPurpose, code: request.purpose }] }],
      ...(request.message ? { note: [{ text: request.message }] } : {}),
    },
    { input: [{ type: { coding: [{ system: CODE_SYSTEMS.taskParameter, code: 'municipal-contact' }] }, valueContactDetail: contactDetail(request.contact) }] },
    { request: PROFILES.request, task: PROFILES.requestTask },
  );
  return {
    pseudonym,
    patient: assertFhir(patient, PROFILES.cooperationPatient, 'the cooperation Patient', request.person.turvakielto),
    serviceRequest: assertFhir(serviceRequest, PROFILES.request, 'the cooperation ServiceRequest', request.person.turvakielto),
    task: assertFhir(task, PROFILES.requestTask, 'the cooperation Task', request.person.turvakielto),
  };
}

export const cooperationTransaction = (request: CooperationRequestedV1, pseudonym: string, context: RequestContext): Json =>
  transactionOf([cooperationResources(request, pseudonym, context)]);

export type CooperationReply =
  | { readonly outcome: 'pending' }
  | { readonly outcome: 'accepted'; readonly responsible: CooperationAcceptedV1['responsible'] }
  | { readonly outcome: 'declined'; readonly reason: CooperationDeclinedV1['reason']; readonly explanation?: string };

/** The county's reply from the Task. Throws `FhirInvalid` or `TaskReadError` as `readRequestTask` does. */
export function cooperationReplyOf(raw: unknown): { task: RequestTask; reply: CooperationReply } {
  const task = readRequestTask(raw);
  if (task.kind !== 'cooperation') throw new TaskReadError('code', 'the Task is not a cooperation request');
  if (task.status === 'rejected') {
    const code = task.statusReason?.coding?.find((c) => c.system === CODE_SYSTEMS.cooperationDecline)?.code;
    const reason = cooperationDeclineReasons.find((known) => known === code);
    if (!reason) throw new TaskReadError('statusReason', `the reason code must be one of ${cooperationDeclineReasons.join(', ')}`);
    const explanation = task.statusReason?.text;
    return { task, reply: { outcome: 'declined', reason, ...(explanation ? { explanation } : {}) } };
  }
  if (task.status === 'accepted' || task.status === 'in-progress' || task.status === 'completed') {
    const output = task.output.find((o) => o.type?.coding?.some((c) => c.system === CODE_SYSTEMS.taskParameter && c.code === 'responsible-person'));
    const detail = output?.valueContactDetail;
    const phone = detail?.telecom?.find((t) => t.system === 'phone')?.value;
    const email = detail?.telecom?.find((t) => t.system === 'email')?.value;
    if (!detail?.name || (!phone && !email)) throw new TaskReadError('output', 'the responsible person needs a name and a phone number or an e-mail address');
    return { task, reply: { outcome: 'accepted', responsible: { name: detail.name, ...(phone ? { phone } : {}), ...(email ? { email } : {}) } } };
  }
  return { task, reply: { outcome: 'pending' } };
}
