/**
 * The messages between a municipality and its wellbeing services county (hyvinvointialue), carried
 * by the hub (docs/DESIGN.md "Wellbeing services counties"):
 *
 * - consultation before a municipality placement ("Hyvinvointialueen kuuleminen"): the municipality
 *   asks, the county comments on each person, or the request goes overdue;
 * - cooperation request ("Monialaisen yhteistyön käynnistäminen"): the county accepts (naming the
 *   person responsible) or declines, or the request goes overdue.
 *
 * The envelope's correlation id is the request id; its municipality is the asking municipality, and
 * the county is the one serving it (contracts/wellbeing/counties.ts). People are named by the
 * municipality's own reference (`personRef`) in every message to and from the municipality. What
 * leaves for the county is another matter: contracts/wellbeing/README.md lists every field.
 */
import * as z from '#contracts/zod';
import { containsHetuShape, hetuSchema } from '#contracts/hetu';
import { isCountyId } from '#contracts/wellbeing/counties';

const isoDate = () => z.iso.date('must be an ISO date YYYY-MM-DD');
const timestamp = () => z.iso.datetime({ offset: true, message: 'must be an ISO-8601 timestamp' });
const text = (max: number) => z.string().check(z.minLength(1, 'must not be empty'), z.maxLength(max, `must be at most ${max} characters`));

/**
 * The municipality's own reference to a person (a customer number in its system). It comes back on
 * every answer; it never goes to the county. An identity code is refused here: it has a field of its own.
 */
const personRef = () =>
  z.string().check(
    z.regex(/^[A-Za-z0-9._:-]{1,64}$/, 'must be 1-64 letters, digits or . _ : -'),
    z.refine((value) => !containsHetuShape(value), 'must be the municipality\'s own reference, not a personal identity code'),
  );

const county = () => z.string().check(z.refine(isCountyId, 'must be a wellbeing services county id, e.g. pohjanmaa'));

export const serviceNeeds = [
  'health-care',
  'mental-health',
  'substance-use',
  'disability',
  'child-welfare',
  'elderly-care',
  'social-work',
  'housing-support',
] as const;

export const consultationAnswers = [
  /** The county has nothing against the placement. */
  'no-objection',
  /** The county can serve the person and says what it will arrange. */
  'services-arranged',
  /** The county proposes something else (another timing, another place, other support first). */
  'proposal',
] as const;

export const cooperationPurposes = [
  'service-needs-assessment',
  'integration-plan',
  'family-support',
  'other',
] as const;

export const cooperationDeclineReasons = ['not-a-customer', 'not-our-area', 'no-consent', 'other'] as const;

export const genders = ['male', 'female', 'other', 'unknown'] as const;

/** A professional's contact details (a municipal official or the county's responsible person). */
const professionalContact = () =>
  z
    .object({
      name: text(200),
      title: z.optional(text(200)),
      phone: z.optional(z.string().check(z.regex(/^\+?[0-9 ()-]{5,20}$/, 'must be a phone number'))),
      email: z.optional(z.email('must be an e-mail address')),
    })
    .check(z.refine((c) => c.phone !== undefined || c.email !== undefined, { message: 'must give a phone number or an e-mail address', path: ['phone'] }));

export const consultationPersonV1 = z.lazy(() =>
  z.object({
    personRef: personRef(),
    /** Used by the hub only for the audit log's keyed hash; never sent to the county. */
    hetu: z.optional(hetuSchema),
    /** The county receives the year alone. */
    birthDate: isoDate(),
    gender: z.enum(genders),
    /** ISO 639-1 codes of the languages the person speaks, the preferred first. */
    languages: z.array(z.string().check(z.regex(/^[a-z]{2}$/, 'must be an ISO 639-1 code like ar'))).check(z.maxLength(3, 'at most 3 languages')),
    interpreterRequired: z.boolean(),
    /** The evident social or health care needs that make the consultation necessary; may be empty for a family member. */
    needs: z.array(z.enum(serviceNeeds)).check(z.maxLength(serviceNeeds.length)),
    /** Non-disclosure for personal safety: the county's resources carry the TURVAKIELTO label. */
    turvakielto: z.boolean(),
  }),
);
export type ConsultationPersonV1 = z.infer<typeof consultationPersonV1>;

export const consultationRequestedV1 = z.lazy(() =>
  z.object({
    people: z
      .array(consultationPersonV1)
      .check(
        z.minLength(1, 'must name at least one person'),
        z.maxLength(50, 'at most 50 people a consultation'),
        z.refine((people) => new Set(people.map((p) => p.personRef)).size === people.length, 'must name each personRef once'),
      ),
    /** The month the placement would start (YYYY-MM). */
    plannedArrival: z.string().check(z.regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month YYYY-MM')),
  }),
);
export type ConsultationRequestedV1 = z.infer<typeof consultationRequestedV1>;

export const consultationAnsweredV1 = z.lazy(() =>
  z.object({
    county: county(),
    answeredAt: timestamp(),
    people: z.array(
      z.object({
        personRef: personRef(),
        answer: z.enum(consultationAnswers),
        /** The county's comment or proposal, as it wrote it. */
        comment: text(4000),
      }),
    ),
  }),
);
export type ConsultationAnsweredV1 = z.infer<typeof consultationAnsweredV1>;

export const consultationOverdueV1 = z.lazy(() =>
  z.object({
    county: county(),
    requestedAt: timestamp(),
    dueAt: timestamp(),
    /** The people the county has not commented on. */
    unanswered: z.array(personRef()),
  }),
);
export type ConsultationOverdueV1 = z.infer<typeof consultationOverdueV1>;

export const cooperationRequestedV1 = z.lazy(() =>
  z.object({
    purpose: z.enum(cooperationPurposes),
    /** The shared customer: the county must know who they are, so this request is not anonymised. */
    person: z.object({
      personRef: personRef(),
      hetu: hetuSchema,
      lastName: text(200),
      firstNames: text(200),
      turvakielto: z.boolean(),
    }),
    /** The municipal official the county's responsible person should contact. */
    contact: professionalContact(),
    message: z.optional(text(2000)),
  }),
);
export type CooperationRequestedV1 = z.infer<typeof cooperationRequestedV1>;

export const cooperationAcceptedV1 = z.lazy(() =>
  z.object({
    county: county(),
    personRef: personRef(),
    acceptedAt: timestamp(),
    /** The county's person responsible for the cooperation, and how to reach them. */
    responsible: professionalContact(),
  }),
);
export type CooperationAcceptedV1 = z.infer<typeof cooperationAcceptedV1>;

export const cooperationDeclinedV1 = z.lazy(() =>
  z.object({
    county: county(),
    personRef: personRef(),
    declinedAt: timestamp(),
    reason: z.enum(cooperationDeclineReasons),
    explanation: z.optional(text(2000)),
  }),
);
export type CooperationDeclinedV1 = z.infer<typeof cooperationDeclinedV1>;

export const cooperationOverdueV1 = z.lazy(() =>
  z.object({
    county: county(),
    personRef: personRef(),
    requestedAt: timestamp(),
    dueAt: timestamp(),
  }),
);
export type CooperationOverdueV1 = z.infer<typeof cooperationOverdueV1>;

/** Why the hub could not carry a request to a county (docs/DESIGN.md "Wellbeing services counties", routing). */
export const wellbeingRefusalCodes = [
  /** A municipality of Åland: no wellbeing services county serves it (Åland organises its own social and health care). */
  'NO_COUNTY_ALAND',
  /** Not a current municipality code. */
  'UNKNOWN_MUNICIPALITY',
  /** The county serving the municipality has no endpoint configured in this hub. */
  'COUNTY_NOT_CONFIGURED',
  /** The county is configured to be reached directly, a transport the hub does not support yet. */
  'COUNTY_NOT_REACHABLE',
] as const;

export const wellbeingRequestRefusedV1 = z.lazy(() =>
  z.object({
    /** The refused request's type; the envelope's correlation id is its request id. */
    requestType: z.enum(['wellbeing.consultation.requested.v1', 'wellbeing.cooperation.requested.v1']),
    code: z.enum(wellbeingRefusalCodes),
    /** The envelope field the refusal is about. */
    field: z.literal('municipality'),
    /** The reason in a sentence: the municipality's code and the rule, never a person. */
    message: text(500),
  }),
);
export type WellbeingRequestRefusedV1 = z.infer<typeof wellbeingRequestRefusedV1>;

/**
 * Internal: read the county's Tasks of one request now and deliver what is new. `polledAt` is the
 * schedule's time (its clock), what the reply is judged late against; the envelope's correlation id
 * is the request id.
 */
export const wellbeingRepliesPollV1 = z.lazy(() =>
  z.object({
    polledAt: timestamp(),
  }),
);
export type WellbeingRepliesPollV1 = z.infer<typeof wellbeingRepliesPollV1>;

/** Why a county's answer was not delivered: about no person of the request, about one already answered, or after the deadline. */
export const setAsideReasons = ['unmatched', 'duplicate', 'late'] as const;

/**
 * For the operators (`ops-events`): a read of a request's answers set some aside. Codes and counts
 * only: no pseudonym (it would let whoever reads the queue link it to the county's records), no
 * person reference, nothing of the county's text. The envelope's correlation id is the request.
 */
export const wellbeingRepliesSetAsideV1 = z.lazy(() =>
  z.object({
    county: county(),
    requestKind: z.enum(['consultation', 'cooperation']),
    polledAt: timestamp(),
    setAside: z
      .array(z.object({ why: z.enum(setAsideReasons), count: z.int().check(z.positive('must be at least 1')) }))
      .check(z.minLength(1, 'must name at least one reason')),
  }),
);
export type WellbeingRepliesSetAsideV1 = z.infer<typeof wellbeingRepliesSetAsideV1>;

/** Why a county's Task was refused: it breaks FHIR R4 or the hub's profile, or the hub cannot read it as an answer. */
export const taskRefusalCodes = ['fhir-invalid', 'task-unreadable'] as const;

/** A FHIR resource id or version id as R4 allows them (`[A-Za-z0-9\-\.]{1,64}`): the county's server's, naming no one. */
const fhirId = () => z.string().check(z.regex(/^[A-Za-z0-9.-]{1,64}$/, 'must be a FHIR id: 1-64 letters, digits, - or .'));

/**
 * Internal, a dead letter of the county adapter's own queue (`county-requests`): one Task of the
 * county's answer to a request was refused (not valid FHIR, or not readable as an answer) and set
 * aside, while the rest of the read was delivered. The validator's finding is the dead letter's
 * reason; redriving it reads the request again (the Task, if the county corrected it, is delivered;
 * if still the same, it is set aside again). The envelope's correlation id is the request.
 *
 * `task.digest` is the SHA-256 of the Task as it was read: the same Task read again unchanged is not
 * set aside a second time; a new version (its `meta.versionId` or `lastUpdated` changes, or anything
 * else in it) is read as new.
 */
export const wellbeingTaskRefusedV1 = z.lazy(() =>
  z.object({
    county: county(),
    requestKind: z.enum(['consultation', 'cooperation']),
    /** The read that found it (the poll's time). */
    polledAt: timestamp(),
    code: z.enum(taskRefusalCodes),
    task: z.object({
      /** The county's id of the Task and its version, when the Task has well-formed ones. */
      id: z.optional(fhirId()),
      versionId: z.optional(fhirId()),
      digest: z.string().check(z.regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 in hex')),
    }),
  }),
);
export type WellbeingTaskRefusedV1 = z.infer<typeof wellbeingTaskRefusedV1>;
