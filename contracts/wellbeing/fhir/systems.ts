/**
 * The URLs and code systems of the county wire format. Those under `FI_BASE` and the OIDs are the
 * national ones (HL7 Finland's base profiles, `hl7.fhir.fi.base` 2.0.0, and the identifiers they
 * name); those under `KOTO_HUB` are the hub's own: no Finnish profile exists for a consultation or a
 * cooperation request, so the hub defines them (contracts/wellbeing/README.md).
 */

/** HL7 Finland's Finnish base profiles, the version the hub claims (2.0.0 allows a Patient with no identifier). */
export const FI_BASE = 'https://hl7.fi/fhir/finnish-base-profiles';
export const FI_BASE_VERSION = '2.0.0';
export const FI_BASE_PATIENT = `${FI_BASE}/StructureDefinition/fi-base-patient`;
export const FI_BASE_MUNICIPALITY_EXTENSION = `${FI_BASE}/StructureDefinition/municipality-code`;
export const FI_BASE_SECURITY_LABELS = `${FI_BASE}/CodeSystem/fi-base-security-label-cs`;
/** Non-disclosure for personal safety (turvakielto), as the security label code of `FI_BASE_SECURITY_LABELS`. */
export const TURVAKIELTO = 'TURVAKIELTO';

/** The personal identity code (HETU) as an identifier system. */
export const HETU_SYSTEM = 'urn:oid:1.2.246.21';
/** The identifier type of a HETU: HL7 v2 table 0203, `NNFIN`. */
export const V2_0203 = 'http://terminology.hl7.org/CodeSystem/v2-0203';
export const NNFIN = 'NNFIN';
/** Statistics Finland's municipality code list (kuntakoodisto): three digits, leading zeros kept. */
export const MUNICIPALITY_CODE_SYSTEM = 'urn:oid:1.2.246.537.6.21';
/** Core R4 extension: the person needs an interpreter. */
export const INTERPRETER_REQUIRED_EXTENSION = 'http://hl7.org/fhir/StructureDefinition/patient-interpreterRequired';
/** BCP 47 language tags (core R4 `communication.language`). */
export const LANGUAGE_SYSTEM = 'urn:ietf:bcp:47';

/** The hub's canonical base. A deployment that publishes the profiles on the web may replace it. */
export const KOTO_HUB = 'urn:fi:koto-hub:fhir';
const profile = (id: string) => `${KOTO_HUB}:StructureDefinition:${id}`;
const codeSystem = (id: string) => `${KOTO_HUB}:CodeSystem:${id}`;
const namingSystem = (id: string) => `${KOTO_HUB}:NamingSystem:${id}`;

export const PROFILES = {
  consultationPatient: profile('consultation-patient'),
  cooperationPatient: profile('cooperation-patient'),
  request: profile('request'),
  requestTask: profile('request-task'),
} as const;

export type ProfileUrl = (typeof PROFILES)[keyof typeof PROFILES];

export const CODE_SYSTEMS = {
  /** `consultation` | `cooperation`: which flow a ServiceRequest or Task belongs to. */
  requestKind: codeSystem('request-kind'),
  /** Evident social or health care needs a consultation names (the reason to consult at all). */
  serviceNeed: codeSystem('service-need'),
  /** What the county says about one person of a consultation. */
  consultationAnswer: codeSystem('consultation-answer'),
  /** Why the municipality asks the county to cooperate (DESIGN: a `purpose` code, not one legal instrument). */
  cooperationPurpose: codeSystem('cooperation-purpose'),
  /** Why a county declines a cooperation request. */
  cooperationDecline: codeSystem('cooperation-decline'),
  /** What a Task input or output carries: `municipal-contact` (input), `responsible-person` (output). */
  taskParameter: codeSystem('task-parameter'),
} as const;

export const NAMING_SYSTEMS = {
  /** One person of one request: a keyed pseudonym, the same value on the Patient, ServiceRequest and Task. */
  requestItem: namingSystem('request-item'),
  /** The request as a whole: the envelope's correlation id. */
  request: namingSystem('request'),
  /** A wellbeing services county, by its id in contracts/wellbeing/counties.ts. */
  county: namingSystem('wellbeing-county'),
} as const;
