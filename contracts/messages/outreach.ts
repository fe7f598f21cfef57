/**
 * The messages of an outreach run (docs/DESIGN.md "Outreach run"). The run's correlation id is the run id and
 * the envelope's municipality is the run's municipality; payloads carry no personal data except
 * where a person is the point (the decision of one candidate).
 */
import * as z from '#contracts/zod';
import { exclusionCodes, outreachTarget } from '#contracts/outreach-result';

const isoDate = z.lazy(() => z.iso.date('must be an ISO date YYYY-MM-DD'));

const count = () => z.int().check(z.nonnegative());

export const outreachRunRequestedV1 = z.lazy(() =>
  z.object({
    /** The day the rules are applied on (D). */
    asOf: isoDate,
    /** Who asked: the monthly schedule, the CLI, or a municipal system through ingress. */
    requestedBy: z.enum(['schedule', 'cli', 'ingress']),
    /** Rows per page when fetching the source lists. */
    listPageSize: z._default(z.int().check(z.gte(1), z.lte(500)), 200),
  }),
);
export type OutreachRunRequestedV1 = z.infer<typeof outreachRunRequestedV1>;

/** Walks the run's candidates one page at a time and starts their lookups. */
export const outreachRunFanoutV1 = z.lazy(() =>
  z.object({
    asOf: isoDate,
    /** Where the previous page ended (opaque); null for the first page. */
    after: z.nullable(z.string().check(z.maxLength(2000))),
    /** Candidates passed on by earlier pages. */
    counted: count(),
  }),
);
export type OutreachRunFanoutV1 = z.infer<typeof outreachRunFanoutV1>;

/** Every candidate of the run has an outcome (a decision, or unresolved after a dead letter). */
export const outreachRunDecidedV1 = z.lazy(() =>
  z.object({
    asOf: isoDate,
    expected: count(),
    decided: count(),
    unresolved: count(),
  }),
);
export type OutreachRunDecidedV1 = z.infer<typeof outreachRunDecidedV1>;

/** A run made no progress for too long: how many candidates are outstanding and where they are. */
export const outreachRunStalledV1 = z.lazy(() =>
  z.object({
    asOf: isoDate,
    phase: z.enum(['fetching-lists', 'starting-lookups', 'deciding']),
    expected: z.nullable(count()),
    decided: count(),
    unresolved: count(),
    outstanding: z.nullable(count()),
    idleSeconds: count(),
    /** Queues (and their DLQs) holding messages when the stall was seen, with their depths. */
    where: z.record(z.string(), count()),
  }),
);
export type OutreachRunStalledV1 = z.infer<typeof outreachRunStalledV1>;

/** The target list and the exclusion report are ready (counts only; the list is at `location`). */
export const outreachListReadyV1 = z.lazy(() =>
  z.object({
    asOf: isoDate,
    location: z.string().check(z.minLength(1)),
    targets: count(),
    exclusions: z.partialRecord(z.enum(exclusionCodes), z.int().check(z.positive())),
    unresolved: count(),
  }),
);
export type OutreachListReadyV1 = z.infer<typeof outreachListReadyV1>;

/**
 * One decision of a single candidate (a referral, a person who moved in), delivered to the
 * municipality as it is made: a target with the same fields as on a target list, or the person's
 * code with the first exclusion that applies, or unresolved when its lookup ended as a dead letter.
 */
export const outreachDecisionV1 = z.lazy(() =>
  z.object({
    asOf: isoDate,
    origin: z.enum(['referral', 'moved-in']),
    hetu: z.string(),
    decision: z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('target'), target: outreachTarget }),
      z.object({ kind: z.literal('excluded'), code: z.enum(exclusionCodes) }),
      z.object({ kind: z.literal('unresolved'), reason: z.string().check(z.maxLength(600)) }),
    ]),
  }),
);
export type OutreachDecisionV1 = z.infer<typeof outreachDecisionV1>;
