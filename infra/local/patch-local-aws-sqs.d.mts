/** Types of patch-local-aws-sqs.mjs, for the tests that run it. */
export interface LocalSqsPatch {
  /** Pairs of upstream code and what it becomes; each upstream text occurs exactly once. */
  readonly edits: readonly (readonly [broken: string, fixed: string])[];
  /** Why the patch no longer applies, when the upstream code has changed. */
  readonly changed: string;
  /** What the patch did, printed when it is applied. */
  readonly done: string;
}

export declare const PATCHES: readonly LocalSqsPatch[];

/** Applies what is missing of `PATCHES`; throws when upstream code they expect has changed. */
export declare const patch: (source: string) => { source: string; applied: string[] };
