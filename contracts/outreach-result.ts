/**
 * The outreach result (docs/DESIGN.md "The outreach result", normative): what a municipality receives
 * for a run, and the codes it uses. The CSV form has the target fields in the same order, reasons
 * joined by `;`, and the exclusion counts beside it in `RESULT.exclusions.json`.
 */
import * as z from '#contracts/zod';

export const targetReasons = ['INTERNATIONAL_PROTECTION', 'KELA_HOME_CARE_ALLOWANCE', 'KELA_SOCIAL_ASSISTANCE', 'TRAFFICKING_VICTIM'] as const;
export type TargetReason = (typeof targetReasons)[number];

/** In the order the rules apply them: a person is counted under the first that applies. */
export const exclusionCodes = [
  'INVALID_HETU',
  'NOT_FOUND_IN_VTJ',
  'NOT_RESIDENT',
  'DECEASED',
  'FINNISH_CITIZEN',
  'MINOR',
  'NOT_IN_TARGET_GROUP',
  'NO_RESIDENCE_RECORD',
  'WINDOW_EXPIRED',
  'ALREADY_ASSESSED',
  'HAS_PLAN',
] as const;
export type ExclusionCode = (typeof exclusionCodes)[number];

const isoDate = z.lazy(() => z.iso.date());

/** The fields of a target, in the order of the JSON object and the CSV columns (a test holds it to the schema). */
export const TARGET_FIELDS = [
  'hetu',
  'lastName',
  'firstNames',
  'language',
  'street',
  'postalCode',
  'postOffice',
  'addressProtected',
  'reasons',
  'firstPermitDate',
  'windowEnds',
] as const;

export const outreachTarget = z.lazy(() =>
  z.object({
    hetu: z.string(),
    lastName: z.string(),
    firstNames: z.string(),
    language: z.string(),
    street: z.string(),
    postalCode: z.string(),
    postOffice: z.string(),
    addressProtected: z.boolean(),
    reasons: z.array(z.enum(targetReasons)).check(z.minLength(1)),
    firstPermitDate: isoDate,
    windowEnds: isoDate,
  }),
);
export type OutreachTarget = z.infer<typeof outreachTarget>;
// Every field of a target is named in TARGET_FIELDS, and nothing else is.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const targetFieldsComplete: Same<(typeof TARGET_FIELDS)[number], keyof OutreachTarget> = true;
void targetFieldsComplete;

export const outreachResult = z.lazy(() =>
  z.object({
    municipality: z.string().check(z.regex(/^\d{3}$/)),
    asOf: isoDate,
    targets: z.array(outreachTarget),
    exclusions: z.partialRecord(z.enum(exclusionCodes), z.int().check(z.positive())),
    /** Candidates that could not be decided (their messages ended as dead letters); absent when none. */
    unresolved: z.optional(z.int().check(z.positive())),
    correlationId: z.uuid(),
  }),
);
export type OutreachResult = z.infer<typeof outreachResult>;

/** Sorted targets, only positive counts, `unresolved` only when some: the normative shape. */
export const normaliseResult = (result: OutreachResult): OutreachResult => {
  const exclusions = Object.fromEntries(
    exclusionCodes.flatMap((code) => ((result.exclusions[code] ?? 0) > 0 ? [[code, result.exclusions[code]]] : [])),
  );
  return {
    municipality: result.municipality,
    asOf: result.asOf,
    targets: [...result.targets].sort((a, b) => (a.hetu < b.hetu ? -1 : a.hetu > b.hetu ? 1 : 0)),
    exclusions,
    ...(result.unresolved ? { unresolved: result.unresolved } : {}),
    correlationId: result.correlationId,
  };
};

const csvField = (value: string): string => (/[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);

/** The CSV form: header row, one row per target, reasons joined by `;`, UTF-8. */
export const resultToCsv = (result: OutreachResult): string =>
  [
    TARGET_FIELDS.join(','),
    ...result.targets.map((target) =>
      TARGET_FIELDS.map((field) => {
        const value = target[field];
        return csvField(Array.isArray(value) ? value.join(';') : String(value));
      }).join(','),
    ),
  ].join('\n') + '\n';
