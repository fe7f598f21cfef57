/**
 * Every field a consultation sends to the county, and why the county needs it: the list that
 * contracts/wellbeing/README.md publishes and the tests hold the produced FHIR JSON to (a field not
 * listed here never leaves). Paths are per resource type, array positions written `[]`.
 */

const PROFILE = 'the profiles the resource claims, so the county can validate it';
const LABEL = 'turvakielto: the county must handle the person as protected (fi-base-patient security label)';
const ITEM = 'the pseudonym: the only handle on the person, by which the county answers and the hub maps the answer back';
const REQUEST = 'the request (the hub\'s correlation id, a random UUID): groups the people of one consultation';
const KIND = 'which flow: consultation';
const MUNICIPALITY = 'the consulting municipality (three-digit code): who asks, and where the person would be placed (on the Patient, fi-base-patient\'s home municipality, which it would become)';
const COUNTY = 'the county asked (its id)';
const LINK = 'a reference between the resources of the same transaction (a urn:uuid derived from the pseudonym)';
const TX = 'the FHIR transaction: creates the resources once (a re-sent transaction creates nothing twice)';
const TYPE = 'the resource type';
const WORKFLOW = 'FHIR workflow state, fixed values';

export const CONSULTATION_SENT_FIELDS: Readonly<Record<string, string>> = {
  'Bundle.resourceType': TYPE,
  'Bundle.type': TX,
  'Bundle.entry[].fullUrl': LINK,
  'Bundle.entry[].request.method': TX,
  'Bundle.entry[].request.url': TX,
  'Bundle.entry[].request.ifNoneExist': `${TX}: matched on the pseudonym`,

  'Patient.resourceType': TYPE,
  'Patient.meta.profile[]': PROFILE,
  'Patient.meta.security[].system': LABEL,
  'Patient.meta.security[].code': LABEL,
  'Patient.identifier[].system': ITEM,
  'Patient.identifier[].value': ITEM,
  'Patient.extension[].url': 'names the extension: municipality (fi-base-patient) or interpreter (core R4)',
  'Patient.extension[].valueCoding.system': MUNICIPALITY,
  'Patient.extension[].valueCoding.code': MUNICIPALITY,
  'Patient.extension[].valueBoolean': 'an interpreter is needed: the county books one for every service',
  'Patient.gender': 'services differ by gender (maternity care, screening); one of four values, never identifying alone',
  'Patient.birthDate': 'the year of birth only: child, adult and elderly services differ; a year is shared by many',
  'Patient.communication[].language.coding[].system': 'the languages the person speaks (ISO 639-1): the language of the services',
  'Patient.communication[].language.coding[].code': 'the languages the person speaks (ISO 639-1): the language of the services',

  'ServiceRequest.resourceType': TYPE,
  'ServiceRequest.meta.profile[]': PROFILE,
  'ServiceRequest.meta.security[].system': LABEL,
  'ServiceRequest.meta.security[].code': LABEL,
  'ServiceRequest.identifier[].system': ITEM,
  'ServiceRequest.identifier[].value': ITEM,
  'ServiceRequest.requisition.system': REQUEST,
  'ServiceRequest.requisition.value': REQUEST,
  'ServiceRequest.status': WORKFLOW,
  'ServiceRequest.intent': WORKFLOW,
  'ServiceRequest.code.coding[].system': KIND,
  'ServiceRequest.code.coding[].code': KIND,
  'ServiceRequest.reasonCode[].coding[].system': 'the evident social or health care needs, by code: why the county is consulted at all',
  'ServiceRequest.reasonCode[].coding[].code': 'the evident social or health care needs, by code: why the county is consulted at all',
  'ServiceRequest.occurrenceDateTime': 'the month the placement would start: when the county must be ready',
  'ServiceRequest.subject.reference': LINK,
  'ServiceRequest.authoredOn': 'when the municipality asked',
  'ServiceRequest.requester.type': MUNICIPALITY,
  'ServiceRequest.requester.identifier.system': MUNICIPALITY,
  'ServiceRequest.requester.identifier.value': MUNICIPALITY,
  'ServiceRequest.performer[].type': COUNTY,
  'ServiceRequest.performer[].identifier.system': COUNTY,
  'ServiceRequest.performer[].identifier.value': COUNTY,

  'Task.resourceType': TYPE,
  'Task.meta.profile[]': PROFILE,
  'Task.meta.security[].system': LABEL,
  'Task.meta.security[].code': LABEL,
  'Task.identifier[].system': ITEM,
  'Task.identifier[].value': ITEM,
  'Task.basedOn[].reference': LINK,
  'Task.groupIdentifier.system': REQUEST,
  'Task.groupIdentifier.value': REQUEST,
  'Task.status': WORKFLOW,
  'Task.intent': WORKFLOW,
  'Task.code.coding[].system': KIND,
  'Task.code.coding[].code': KIND,
  'Task.for.reference': LINK,
  'Task.authoredOn': 'when the municipality asked',
  'Task.requester.type': MUNICIPALITY,
  'Task.requester.identifier.system': MUNICIPALITY,
  'Task.requester.identifier.value': MUNICIPALITY,
  'Task.owner.type': COUNTY,
  'Task.owner.identifier.system': COUNTY,
  'Task.owner.identifier.value': COUNTY,
  'Task.restriction.period.end': 'the deadline of the answer',
};

/**
 * The leaf paths of a FHIR JSON document in the form of `CONSULTATION_SENT_FIELDS`: a Bundle's
 * entries are walked as resources of their own type.
 */
export function leafPaths(document: unknown): string[] {
  const paths: string[] = [];
  const walk = (value: unknown, path: string): void => {
    if (Array.isArray(value)) {
      for (const item of value) walk(item, `${path}[]`);
    } else if (value !== null && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      // A resource starts its own paths, wherever it is nested (a Bundle entry's resource).
      const base = typeof record.resourceType === 'string' ? record.resourceType : path;
      for (const [key, child] of Object.entries(record)) walk(child, `${base}.${key}`);
    } else {
      paths.push(path);
    }
  };
  walk(document, '');
  return paths;
}
