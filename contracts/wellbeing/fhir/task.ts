/**
 * Reading a county's Task back: the answer to one person of a request. The Task is checked against
 * R4 and the hub's request-task profile first (a Task that is not valid FHIR is refused with the
 * validator's findings: `FhirInvalid`), then read into what both flows need to match it: the
 * request (groupIdentifier), the person (identifier: the pseudonym), the kind, the status.
 */
import { CODE_SYSTEMS, NAMING_SYSTEMS, PROFILES } from '#contracts/wellbeing/fhir/systems';
import { assertFhir } from '#contracts/wellbeing/fhir/validate';
import { PSEUDONYM_PATTERN } from '#contracts/wellbeing/pseudonym';
import type { RequestKind } from '#contracts/wellbeing/fhir/common';

interface Coding {
  readonly system?: string;
  readonly code?: string;
}
interface CodeableConcept {
  readonly coding?: readonly Coding[];
  readonly text?: string;
}
interface ContactPoint {
  readonly system?: string;
  readonly value?: string;
}
export interface TaskOutput {
  readonly type?: CodeableConcept;
  readonly valueString?: string;
  readonly valueContactDetail?: { readonly name?: string; readonly telecom?: readonly ContactPoint[] };
}

export type TaskStatus = 'requested' | 'received' | 'accepted' | 'in-progress' | 'completed' | 'rejected' | 'cancelled';

export interface RequestTask {
  readonly requestId: string;
  readonly pseudonym: string;
  readonly kind: RequestKind;
  readonly status: TaskStatus;
  readonly statusReason: CodeableConcept | undefined;
  readonly output: readonly TaskOutput[];
  /** When the county last changed the Task, if it says. */
  readonly lastModified: string | undefined;
}

/** A valid Task that the hub cannot take as an answer: names the element, never a value. */
export class TaskReadError extends Error {
  override readonly name = 'TaskReadError';
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`Task.${path}: ${problem}`);
  }
}

interface TaskJson {
  readonly identifier: readonly { readonly system?: string; readonly value?: string }[];
  readonly groupIdentifier: { readonly value: string };
  readonly code: CodeableConcept;
  readonly status: TaskStatus;
  readonly statusReason?: CodeableConcept;
  readonly output?: readonly TaskOutput[];
  readonly lastModified?: string;
}

export function readRequestTask(raw: unknown): RequestTask {
  const task = assertFhir(raw, PROFILES.requestTask, 'the county\'s Task') as TaskJson;
  const pseudonym = task.identifier.find((id) => id.system === NAMING_SYSTEMS.requestItem)?.value ?? '';
  if (!PSEUDONYM_PATTERN.test(pseudonym)) throw new TaskReadError('identifier', 'is not a pseudonym the hub issued');
  const kind = task.code.coding?.find((c) => c.system === CODE_SYSTEMS.requestKind)?.code as RequestKind;
  for (const [at, output] of (task.output ?? []).entries()) {
    if ((output.valueString?.length ?? 0) > 4000) throw new TaskReadError(`output[${at}].valueString`, 'must be at most 4000 characters');
  }
  return {
    requestId: task.groupIdentifier.value,
    pseudonym,
    kind,
    status: task.status,
    statusReason: task.statusReason,
    output: task.output ?? [],
    lastModified: task.lastModified,
  };
}
