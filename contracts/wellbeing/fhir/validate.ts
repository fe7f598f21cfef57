/**
 * FHIR R4 validation of what the hub sends a county and what it accepts from one, with
 * `@medplum/core`'s validator: structure, cardinalities, types, primitive formats and every FHIRPath
 * invariant of the profile the resource is checked against.
 *
 * The validator reads a profile's snapshot. The hub's profiles (profiles/*.json) are published as
 * differentials, as an implementation guide publishes them; the snapshot is the core R4 definition
 * (r4/*.json, see r4/README.md) with the differential's elements laid over it by id. That merge is
 * written here rather than taken from a library: the snapshot generators (the HL7 IG publisher,
 * SUSHI, fhir-package-loader) are Java or bring a whole package toolchain, and the hub's profiles
 * only tighten existing elements and add invariants (no slices, no new elements), which is all the
 * merge supports: it throws on anything else, so a profile that needs more fails loudly here.
 *
 * Medplum matches slices by their discriminator but does not check a slice's fixed content, and it
 * checks no terminology binding (no value sets are loaded): so every rule the hub relies on, the
 * national ones included, is an invariant of the profile.
 */
import { indexStructureDefinitionBundle, OperationOutcomeError, validateResource } from '@medplum/core';
import { scrubHetus } from '#contracts/hetu';
// Relative paths: the `#contracts/*` alias maps to `.ts` files only.
import r4Bundle from './r4/Bundle.json' with { type: 'json' };
import r4Patient from './r4/Patient.json' with { type: 'json' };
import r4ServiceRequest from './r4/ServiceRequest.json' with { type: 'json' };
import r4Task from './r4/Task.json' with { type: 'json' };
import consultationPatient from './profiles/consultation-patient.json' with { type: 'json' };
import cooperationPatient from './profiles/cooperation-patient.json' with { type: 'json' };
import request from './profiles/request.json' with { type: 'json' };
import requestTask from './profiles/request-task.json' with { type: 'json' };
import { FI_BASE_SECURITY_LABELS, TURVAKIELTO, type ProfileUrl } from '#contracts/wellbeing/fhir/systems';

// The few shapes read here (@medplum/fhirtypes, the full types, is not a dependency).
type ElementDefinition = { readonly id?: string; readonly constraint?: readonly unknown[] } & Record<string, unknown>;
export interface StructureDefinition {
  readonly resourceType: 'StructureDefinition';
  readonly url: string;
  readonly type: string;
  readonly snapshot?: { readonly element: readonly ElementDefinition[] };
  readonly differential?: { readonly element: readonly ElementDefinition[] };
  readonly [key: string]: unknown;
}
interface OperationOutcomeIssue {
  readonly severity?: string;
  readonly expression?: readonly string[];
  readonly diagnostics?: string;
  readonly details?: { readonly text?: string };
}

/** The hub's profiles, as published (differentials). */
export const PUBLISHED_PROFILES: readonly StructureDefinition[] = [consultationPatient, cooperationPatient, request, requestTask] as unknown as StructureDefinition[];

const CORE: Readonly<Record<string, StructureDefinition>> = Object.fromEntries(
  ([r4Bundle, r4Patient, r4ServiceRequest, r4Task] as unknown as StructureDefinition[]).map((sd) => [sd.type, sd]),
);

/** Where a resource breaks its profile: the element path and what is wrong, never a value. */
export interface FhirFinding {
  readonly path: string;
  readonly message: string;
}

/** The profile's differential laid over the core definition of its type. */
export function snapshotOf(profile: StructureDefinition): StructureDefinition {
  const core = profile.type ? CORE[profile.type] : undefined;
  if (!core?.snapshot?.element) throw new Error(`no core R4 definition of ${profile.type} for profile ${profile.url}`);
  const elements: ElementDefinition[] = structuredClone([...core.snapshot.element]);
  for (const diff of profile.differential?.element ?? []) {
    const at = elements.findIndex((element) => element.id === diff.id);
    const base = elements[at];
    if (!base) throw new Error(`profile ${profile.url}: element ${diff.id} is not in the core definition (slices and new elements are not supported)`);
    const { constraint, ...rest } = diff;
    elements[at] = { ...base, ...rest, constraint: [...(base.constraint ?? []), ...(constraint ?? [])] };
  }
  return { ...profile, snapshot: { element: elements } };
}

let indexed: ReadonlyMap<string, StructureDefinition> | undefined;

/** Core definitions in medplum's schema index, profiles with their snapshots; once. */
const profiles = (): ReadonlyMap<string, StructureDefinition> => {
  if (!indexed) {
    indexStructureDefinitionBundle(Object.values(CORE) as never);
    indexed = new Map(PUBLISHED_PROFILES.map((profile) => [profile.url, snapshotOf(profile)]));
  }
  return indexed;
};

const toFinding = (issue: OperationOutcomeIssue): FhirFinding => ({
  path: issue.expression?.[0] ?? '(resource)',
  // Medplum's texts name elements and rules, not values; a property name is the sender's text, so scrub it anyway.
  message: scrubHetus(issue.details?.text ?? issue.diagnostics ?? 'invalid'),
});

/**
 * Every error of `resource` against core R4 and, when given, one of the hub's profiles. An empty
 * list means valid; warnings (a reference medplum cannot resolve in this context) are left out.
 */
export function validateFhir(resource: unknown, profileUrl?: ProfileUrl): FhirFinding[] {
  const known = profiles();
  const profile = profileUrl === undefined ? undefined : known.get(profileUrl);
  if (profileUrl !== undefined && !profile) throw new Error(`unknown profile ${profileUrl}`);
  if (typeof resource !== 'object' || resource === null || Array.isArray(resource)) return [{ path: '(resource)', message: 'not a JSON object' }];
  const type = (resource as { resourceType?: unknown }).resourceType;
  if (typeof type !== 'string' || !CORE[type]) return [{ path: 'resourceType', message: `must be one of ${Object.keys(CORE).join(', ')}` }];
  try {
    return (validateResource(resource as never, profile ? { profile: profile as never } : undefined) as OperationOutcomeIssue[])
      .filter((issue) => issue.severity === 'error')
      .map(toFinding);
  } catch (error) {
    if (error instanceof OperationOutcomeError) return ((error.outcome.issue ?? []) as OperationOutcomeIssue[]).filter((issue) => issue.severity === 'error').map(toFinding);
    throw error;
  }
}

/** A resource that breaks R4 or its profile: permanent, its findings are the dead letter's reason. */
export class FhirInvalid extends Error {
  override readonly name = 'FhirInvalid';
  constructor(
    readonly what: string,
    readonly findings: readonly FhirFinding[],
  ) {
    super(`${what} is not valid FHIR R4 for its profile: ${findings.map((f) => `${f.path}: ${f.message}`).join('; ')}`);
  }
}

/**
 * A person with turvakielto keeps the TURVAKIELTO label on every resource that concerns them, and a
 * person without it carries none: no profile can know which the person is, the hub does.
 */
export function turvakieltoFindings(resource: unknown, turvakielto: boolean): FhirFinding[] {
  const { resourceType, meta } = (resource ?? {}) as { resourceType?: string; meta?: { security?: readonly { system?: string; code?: string }[] } };
  const labelled = (meta?.security ?? []).some((label) => label.system === FI_BASE_SECURITY_LABELS && label.code === TURVAKIELTO);
  if (labelled === turvakielto) return [];
  return [
    {
      path: `${resourceType ?? '(resource)'}.meta.security`,
      message: turvakielto
        ? 'the person has turvakielto: the TURVAKIELTO label of fi-base-security-label-cs is required'
        : 'the person has no turvakielto: no TURVAKIELTO label',
    },
  ];
}

/**
 * Throws `FhirInvalid` unless `resource` is valid against R4 and the profile, and, when the person's
 * turvakielto is given, labelled accordingly.
 */
export function assertFhir<T>(resource: T, profileUrl: ProfileUrl | undefined, what: string, turvakielto?: boolean): T {
  const findings = [...validateFhir(resource, profileUrl), ...(turvakielto === undefined ? [] : turvakieltoFindings(resource, turvakielto))];
  if (findings.length > 0) throw new FhirInvalid(what, findings);
  return resource;
}
