/**
 * What the consultation and cooperation mappers share: the request's parties and identifiers, the
 * national Patient elements (municipality extension, TURVAKIELTO label), and the transaction that
 * carries one person's Patient, ServiceRequest and Task to the county.
 */
import { createHash } from 'node:crypto';
import {
  CODE_SYSTEMS,
  FI_BASE_MUNICIPALITY_EXTENSION,
  FI_BASE_SECURITY_LABELS,
  MUNICIPALITY_CODE_SYSTEM,
  NAMING_SYSTEMS,
  TURVAKIELTO,
} from '#contracts/wellbeing/fhir/systems';
import type { CountyId } from '#contracts/wellbeing/counties';

export type RequestKind = 'consultation' | 'cooperation';

/** The request a resource belongs to, as the hub knows it when it sends. */
export interface RequestContext {
  /** The envelope's correlation id. */
  readonly requestId: string;
  /** The asking municipality, three digits. */
  readonly municipality: string;
  readonly county: CountyId;
  /** When the municipality asked (ISO-8601 with offset). */
  readonly authoredOn: string;
  /** The deadline of the county's answer (ISO-8601 with offset). */
  readonly dueAt: string;
}

export type Json = { [key: string]: unknown };

/** `{ system, code }`: a resource's TURVAKIELTO label (fi-base-patient's meta.security slice). */
export const turvakieltoLabel = (): Json => ({ system: FI_BASE_SECURITY_LABELS, code: TURVAKIELTO });

/** meta with the claimed profiles and, for a protected person, the label: on every resource that concerns them. */
export const metaOf = (profiles: readonly string[], turvakielto: boolean): Json => ({
  profile: [...profiles],
  ...(turvakielto ? { security: [turvakieltoLabel()] } : {}),
});

export const municipalityExtension = (municipality: string): Json => ({
  url: FI_BASE_MUNICIPALITY_EXTENSION,
  valueCoding: { system: MUNICIPALITY_CODE_SYSTEM, code: municipality },
});

export const kindCode = (kind: RequestKind): Json => ({ coding: [{ system: CODE_SYSTEMS.requestKind, code: kind }] });
export const itemIdentifier = (pseudonym: string): Json => ({ system: NAMING_SYSTEMS.requestItem, value: pseudonym });
export const requestIdentifier = (requestId: string): Json => ({ system: NAMING_SYSTEMS.request, value: requestId });
export const municipalityParty = (municipality: string): Json => ({
  type: 'Organization',
  identifier: { system: MUNICIPALITY_CODE_SYSTEM, value: municipality },
});
export const countyParty = (county: CountyId): Json => ({ type: 'Organization', identifier: { system: NAMING_SYSTEMS.county, value: county } });

/** A stable `urn:uuid:` for a resource of the transaction, so a re-sent transaction is the same one. */
export const fullUrlOf = (resourceType: string, pseudonym: string): string => {
  const hex = createHash('sha256').update(`${resourceType}\0${pseudonym}`).digest('hex');
  return `urn:uuid:${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
};

/**
 * One entry of the transaction: a conditional create on the resource's own identifier, so that a
 * transaction the hub sends again (a retry after a timeout) creates nothing twice.
 */
export const createEntry = (resource: Json & { resourceType: string }, pseudonym: string, identifierSystem: string, identifierValue: string): Json => ({
  fullUrl: fullUrlOf(resource.resourceType, pseudonym),
  resource,
  request: { method: 'POST', url: resource.resourceType, ifNoneExist: `identifier=${identifierSystem}|${identifierValue}` },
});

/** The three resources of one person of a request, as the county receives them. */
export interface PersonResources {
  readonly pseudonym: string;
  readonly patient: Json & { resourceType: 'Patient' };
  readonly serviceRequest: Json & { resourceType: 'ServiceRequest' };
  readonly task: Json & { resourceType: 'Task' };
}

/** The ServiceRequest and Task around a Patient: the parts both flows share. */
export function requestResources(
  kind: RequestKind,
  pseudonym: string,
  context: RequestContext,
  turvakielto: boolean,
  serviceRequestDetail: Json,
  taskDetail: Json,
  profiles: { readonly request: string; readonly task: string },
): { serviceRequest: PersonResources['serviceRequest']; task: PersonResources['task'] } {
  const patientRef = { reference: fullUrlOf('Patient', pseudonym) };
  const serviceRequest = {
    resourceType: 'ServiceRequest' as const,
    meta: metaOf([profiles.request], turvakielto),
    identifier: [itemIdentifier(pseudonym)],
    requisition: requestIdentifier(context.requestId),
    status: 'active',
    intent: 'order',
    code: kindCode(kind),
    ...serviceRequestDetail,
    subject: patientRef,
    authoredOn: context.authoredOn,
    requester: municipalityParty(context.municipality),
    performer: [countyParty(context.county)],
  };
  const task = {
    resourceType: 'Task' as const,
    meta: metaOf([profiles.task], turvakielto),
    identifier: [itemIdentifier(pseudonym)],
    basedOn: [{ reference: fullUrlOf('ServiceRequest', pseudonym) }],
    groupIdentifier: requestIdentifier(context.requestId),
    status: 'requested',
    intent: 'order',
    code: kindCode(kind),
    for: patientRef,
    authoredOn: context.authoredOn,
    requester: municipalityParty(context.municipality),
    owner: countyParty(context.county),
    restriction: { period: { end: context.dueAt } },
    ...taskDetail,
  };
  return { serviceRequest, task };
}

/** A transaction Bundle of every person's resources: all of them are created, or none. */
export function transactionOf(people: readonly PersonResources[]): Json & { resourceType: 'Bundle' } {
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: people.flatMap(({ pseudonym, patient, serviceRequest, task }) => {
      const patientIdentifier = (patient.identifier as Json[])[0] as { system: string; value: string };
      return [
        createEntry(patient, pseudonym, patientIdentifier.system, patientIdentifier.value),
        createEntry(serviceRequest, pseudonym, NAMING_SYSTEMS.requestItem, pseudonym),
        createEntry(task, pseudonym, NAMING_SYSTEMS.requestItem, pseudonym),
      ];
    }),
  };
}
