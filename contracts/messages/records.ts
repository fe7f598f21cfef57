/**
 * Municipal records for the national systems (docs/DESIGN.md "Municipal records"): a competence
 * and integration service-needs assessment (osaamisen ja palvelutarpeen arviointi), an integration
 * plan (kotoutumissuunnitelma), a review of a plan (tarkistus, which may extend it) and a service
 * completion. A municipal customer system sends each as it is recorded; the envelope names the
 * municipality.
 *
 * Every record carries
 * - `recordId`, the municipal system's own identifier of the record: with the municipality and the
 *   kind of record it names the write in both stores (the `viite`), so a record sent twice is stored
 *   once. It travels to the stores and into traces, so it may not hold personal data: letters,
 *   digits and `. _ : / -`, and nothing shaped like an identity code;
 * - `madeAt`, when the record was made in the municipal system: of two records of one person dated
 *   the same day, the one made first reaches the store first;
 * - `jobseeker`, the person's customer status at the employment authority as the municipal system
 *   knows it: it decides which national system keeps the record (docs/DESIGN.md "Municipal records").
 */
import * as z from '#contracts/zod';
import { containsHetuShape, hetuSchema } from '#contracts/hetu';
import { integrationServices, planKinds } from '#contracts/datastore/mapper';

// Built inside each schema's first use (`z.lazy`), as every contract's schemas are: a function
// that handles no record builds none of them at its cold start.
const isoDate = () => z.iso.date('must be an ISO date YYYY-MM-DD');

/** The municipal system's identifier of a record, or of the plan a record belongs to. */
const recordId = () =>
  z
    .string('must be a string')
    .check(
      z.regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$/, 'must be the municipal system’s record identifier: 1–64 letters, digits and . _ : / -'),
      z.refine((id) => !containsHetuShape(id), 'must not contain a personal identity code'),
    );

/** Free text a plan or an extension beyond two years rests on; personal, so it is never logged. */
const exceptionReason = () =>
  z.nullable(
    z.string('must be a string or null').check(z.minLength(1, 'must not be empty (null when there is none)'), z.maxLength(2000, 'must be at most 2000 characters')),
  );

const recordFields = () => ({
  recordId: recordId(),
  hetu: hetuSchema,
  jobseeker: z.boolean('must be true or false (is the person a customer of the employment authority)'),
  madeAt: z.iso.datetime({ offset: true, message: 'must be an ISO-8601 timestamp with an offset' }),
});

/** record.assessment.v1 — an assessment of competence and service needs, dated the day it was made. */
export const assessmentRecordV1 = z.lazy(() =>
  z.object({
    ...recordFields(),
    date: isoDate(),
    /** The assessment is completed (an open one does not take the person out of outreach). */
    completed: z.boolean('must be true or false'),
  }),
);

/** record.plan.v1 — an integration plan of one kind, valid from `validFrom` to `validUntil` inclusive. */
export const planRecordV1 = z.lazy(() =>
  z.object({
    ...recordFields(),
    kind: z.enum(planKinds, 'must be basic, multi-sectoral or family'),
    validFrom: isoDate(),
    validUntil: isoDate(),
    /** Why the plan runs past two years from its start (Plan rules 1); null when it does not. */
    exceptionReason: exceptionReason(),
  }),
);

/** record.plan-review.v1 — a review of the plan the same municipality recorded as `planRecordId`. */
export const planReviewRecordV1 = z.lazy(() =>
  z.object({
    ...recordFields(),
    planRecordId: recordId(),
    date: isoDate(),
    /** The plan's new last day when the review extends it; null when it does not. */
    extendedUntil: z.nullable(isoDate()),
    /** Why the extension runs past two years from the plan's start (Plan rules 1); null when it does not. */
    exceptionReason: exceptionReason(),
  }),
);

/** record.service-completion.v1 — a service the person took part in, and whether it was completed. */
export const serviceCompletionRecordV1 = z.lazy(() =>
  z.object({
    ...recordFields(),
    /** The plan the service belongs to, when it belongs to one: the record then waits for that plan. */
    planRecordId: z.nullable(recordId()),
    service: z.enum(integrationServices, `must be one of ${integrationServices.join(', ')}`),
    from: isoDate(),
    /** Last day of the service; null while it has no end. */
    to: z.nullable(isoDate()),
    completed: z.boolean('must be true or false'),
  }),
);

export type AssessmentRecordV1 = z.infer<typeof assessmentRecordV1>;
export type PlanRecordV1 = z.infer<typeof planRecordV1>;
export type PlanReviewRecordV1 = z.infer<typeof planReviewRecordV1>;
export type ServiceCompletionRecordV1 = z.infer<typeof serviceCompletionRecordV1>;

/** The four record types and the kind of record each is (the kind, not the version, names a write). */
export const recordKinds = {
  'record.assessment.v1': 'assessment',
  'record.plan.v1': 'plan',
  'record.plan-review.v1': 'plan-review',
  'record.service-completion.v1': 'service-completion',
} as const;
export type RecordType = keyof typeof recordKinds;
export type RecordKind = (typeof recordKinds)[RecordType];

/**
 * A record with what the envelope adds: its type and the municipality that sent it. An envelope of
 * a record type is one.
 */
export type MunicipalRecord =
  | { readonly type: 'record.assessment.v1'; readonly municipality: string; readonly payload: AssessmentRecordV1 }
  | { readonly type: 'record.plan.v1'; readonly municipality: string; readonly payload: PlanRecordV1 }
  | { readonly type: 'record.plan-review.v1'; readonly municipality: string; readonly payload: PlanReviewRecordV1 }
  | { readonly type: 'record.service-completion.v1'; readonly municipality: string; readonly payload: ServiceCompletionRecordV1 };

export const isRecordType = (type: string): type is RecordType => Object.hasOwn(recordKinds, type);

/** The plan a record belongs to (a review always, a completion when it names one), by its record id. */
export const planRecordIdOf = (record: MunicipalRecord): string | null =>
  record.type === 'record.plan-review.v1' || record.type === 'record.service-completion.v1' ? record.payload.planRecordId : null;

/**
 * The day a record is dated, by which a person's records are ordered (Plan rules 3): an
 * assessment's and a review's date, a plan's first day, a completion's last day or, while it has
 * none, its first.
 */
export const recordDate = (record: MunicipalRecord): string => {
  switch (record.type) {
    case 'record.assessment.v1':
    case 'record.plan-review.v1':
      return record.payload.date;
    case 'record.plan.v1':
      return record.payload.validFrom;
    case 'record.service-completion.v1':
      return record.payload.to ?? record.payload.from;
  }
};

/**
 * record.acknowledged.v1 — the hub's answer to one record, in the sender municipality's inbox:
 * `accepted` (with any flags, e.g. `REVIEW_LATE`) or `refused` (with the refusals). Each finding
 * names the payload field and the rule it applies, and carries no value of the record; the sender
 * finds the record by its `recordId` (which holds no personal data), so no HETU travels back.
 *
 * `accepted` says the record passed the hub's checks (schema, identity code, the sender's
 * municipality, docs/DESIGN.md "Plan rules") and is the hub's to deliver to the national system
 * that keeps it.
 */
export const recordAcknowledgedV1 = z.lazy(() =>
  z.object({
    recordType: z.enum(Object.keys(recordKinds) as [RecordType, ...RecordType[]], 'must be one of the record types'),
    recordId: recordId(),
    outcome: z.enum(['accepted', 'refused'], 'must be accepted or refused'),
    findings: z.array(
      z.object({
        /** A Plan rules code (`PLAN_TOO_LONG`, `REVIEW_LATE`, …) or `RECORD_CHANGED` (a changed record under an old record id). */
        code: z.string().check(z.regex(/^[A-Z][A-Z_]{1,63}$/, 'must be a finding code: upper-case letters and _')),
        /** The payload field the finding concerns. */
        field: z.string().check(z.minLength(1, 'must name a field')),
        /** The rule it applies: `plan rule N` of docs/DESIGN.md "Plan rules", or `record identity`. */
        rule: z.string().check(z.minLength(1, 'must name a rule')),
        /** What is wrong, in a sentence with no value of the record in it. */
        message: z.string().check(z.minLength(1, 'must say what is wrong')),
      }),
    ),
  }),
);
export type RecordAcknowledgedV1 = z.infer<typeof recordAcknowledgedV1>;

const recordFinding = () =>
  z.object({
    code: z.string().check(z.regex(/^[A-Z][A-Z_]{1,63}$/, 'must be a finding code: upper-case letters and _')),
    field: z.string().check(z.minLength(1, 'must name a field')),
    rule: z.string().check(z.minLength(1, 'must name a rule')),
    message: z.string().check(z.minLength(1, 'must say what is wrong')),
  });

/**
 * record.write.requested.v1 (internal) — an accepted record on its way to the national system that
 * keeps it, with its write's `viite`, its plan's (a review's, a completion's that names one) and
 * the flags its acknowledgement will carry once the system has stored it.
 */
export const recordWriteRequestedV1 = z.lazy(() =>
  z.object({
    record: z.discriminatedUnion('type', [
      z.object({ type: z.literal('record.assessment.v1'), payload: assessmentRecordV1 }),
      z.object({ type: z.literal('record.plan.v1'), payload: planRecordV1 }),
      z.object({ type: z.literal('record.plan-review.v1'), payload: planReviewRecordV1 }),
      z.object({ type: z.literal('record.service-completion.v1'), payload: serviceCompletionRecordV1 }),
    ]),
    viite: z.uuid('must be the write’s viite'),
    planViite: z.nullable(z.uuid('must be the plan write’s viite')),
    flags: z.array(recordFinding()),
  }),
);
export type RecordWriteRequestedV1 = z.infer<typeof recordWriteRequestedV1>;

/**
 * plan.review.overdue.v1 — a plan's next review fell due (docs/DESIGN.md "Plan rules" 2) and no
 * review reached the hub: raised once per plan and due day to the municipality that sent the plan,
 * naming the plan by its record id (no personal data) and the day the review was due by.
 */
export const planReviewOverdueV1 = z.lazy(() =>
  z.object({
    planRecordId: recordId(),
    dueBy: isoDate(),
  }),
);
export type PlanReviewOverdueV1 = z.infer<typeof planReviewOverdueV1>;
