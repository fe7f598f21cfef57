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

/** The version whose code `PATCHES` knows; package.json pins local-aws-sqs to it exactly. */
export declare const PATCHED_VERSION: string;

/** The installed local-aws-sqs's dist/index.js. */
export declare const installedFile: () => string;

/** What `source` lacks of `PATCHES`: the `done` text of each patch not in it. */
export declare const missingPatches: (source: string) => string[];

/**
 * Throws an error naming the file and telling to run `npm ci` unless `file` (by default the
 * installed local-aws-sqs) has every patch and is `PATCHED_VERSION`.
 */
export declare const assertPatched: (file?: string) => void;
