/**
 * The registry of canonical message types: type name with version -> payload schema. Every send and
 * every receive goes through `parseEnvelope` / `buildEnvelope`, so a payload that does not match
 * its type never reaches a queue and never reaches a handler.
 */
import type * as z from '#contracts/zod';
import { envelopeSchema, messageTypeName, type Envelope } from '#contracts/envelope';
import { referralV1 } from '#contracts/messages/referral';
import {
  outreachDecisionV1,
  outreachListReadyV1,
  outreachRunDecidedV1,
  outreachRunFanoutV1,
  outreachRunRequestedV1,
  outreachRunStalledV1,
} from '#contracts/messages/outreach';
import { lookupCompletedV1, lookupFailedV1, lookupRequestedV1 } from '#contracts/messages/lookup';
import { kelmuListPageV1, kelmuListRequestedV1, umaProtectionListPageV1, umaProtectionListRequestedV1 } from '#contracts/messages/lists';
import { inboxWebhookRequestedV1 } from '#contracts/messages/inbox';
import { personChangedV1, personMovedInV1, personMovedOutV1 } from '#contracts/canonical/person';
import { assessmentRecordV1, planRecordV1, planReviewOverdueV1, planReviewRecordV1, recordAcknowledgedV1, recordWriteRequestedV1, serviceCompletionRecordV1 } from '#contracts/messages/records';
import {
  consultationAnsweredV1,
  consultationOverdueV1,
  consultationRequestedV1,
  cooperationAcceptedV1,
  cooperationDeclinedV1,
  cooperationOverdueV1,
  cooperationRequestedV1,
  wellbeingRepliesPollV1,
  wellbeingRepliesSetAsideV1,
  wellbeingRequestRefusedV1,
  wellbeingTaskRefusedV1,
} from '#contracts/messages/wellbeing';
import { costsSubmittedV1 } from '#contracts/claims/cost-rows';
import {
  claimDecisionDeliveredV1,
  claimPaymentDeliveredV1,
  claimSendRequestedV1,
  claimsDeadlineNearV1,
  claimsRowDecidedV1,
  supplementAnsweredV1,
  supplementRequestDeliveredV1,
} from '#contracts/messages/claims';

export interface MessageTypeSpec<S extends z.ZodMiniType = z.ZodMiniType> {
  readonly description: string;
  /** Built on first use (`z.lazy`), so a function builds only the schemas of the types it handles. */
  readonly payload: S;
  /** The HETU the message concerns, if any: hashed into the audit log, never stored there in clear. */
  readonly subject?: (payload: z.infer<S>) => string | undefined;
}

const define = <S extends z.ZodMiniType>(spec: MessageTypeSpec<S>): MessageTypeSpec<S> => spec;

export const messageTypes = {
  'outreach.referral.v1': define({
    description: 'Another authority refers a person to the municipality for a service-needs assessment',
    payload: referralV1,
    subject: (p) => p.hetu,
  }),
  'outreach.run.requested.v1': define({
    description: 'Run the outreach of a municipality (the envelope names it) on a day: the correlation id is the run id',
    payload: outreachRunRequestedV1,
  }),
  'outreach.run.fanout.v1': define({
    description: "Start the lookups of the next page of a run's candidates",
    payload: outreachRunFanoutV1,
  }),
  'outreach.run.decided.v1': define({
    description: 'Every candidate of a run has an outcome: assemble and deliver the result',
    payload: outreachRunDecidedV1,
  }),
  'outreach.run.stalled.v1': define({
    description: 'A run made no progress for too long: how many candidates are outstanding and where',
    payload: outreachRunStalledV1,
  }),
  'outreach.list.ready.v1': define({
    description: "A run's target list and exclusion report are ready (counts only; the list is at its location)",
    payload: outreachListReadyV1,
  }),
  'outreach.decision.v1': define({
    description: 'The decision of one candidate from a referral or a move, delivered as it is made',
    payload: outreachDecisionV1,
  }),
  'inbox.webhook.requested.v1': define({
    description: "Push one message of a municipality's inbox to one client's webhook (the message stays in the inbox)",
    payload: inboxWebhookRequestedV1,
  }),
  'lookup.requested.v1': define({
    description: 'A person lookup on its way through the national registers named in its steps (routing slip)',
    payload: lookupRequestedV1,
    subject: (p) => p.hetu,
  }),
  'lookup.completed.v1': define({
    description: 'A person lookup with the canonical answers of every register it asked',
    payload: lookupCompletedV1,
    subject: (p) => p.hetu,
  }),
  'lookup.failed.v1': define({
    description: 'A person lookup that ended as a dead letter at one of its steps (answered after all if redriven)',
    payload: lookupFailedV1,
    subject: (p) => p.hetu,
  }),
  'kelmu.list.requested.v1': define({
    description: "Fetch one page of Kela's Kelmu list of a municipality on a date",
    payload: kelmuListRequestedV1,
  }),
  'kelmu.list.page.v1': define({
    description: "One page of Kela's Kelmu list: one row per person and benefit, codes as Kela gave them",
    payload: kelmuListPageV1,
  }),
  'uma.protection-list.requested.v1': define({
    description: "Fetch one page of Migri's list of protection recipients placed in a municipality",
    payload: umaProtectionListRequestedV1,
  }),
  'uma.protection-list.page.v1': define({
    description: "One page of Migri's list of protection recipients of a municipality",
    payload: umaProtectionListPageV1,
  }),
  'person.moved-in.v1': define({
    description: "VTJ change interface: the person's home municipality (kotikunta) is now the municipality",
    payload: personMovedInV1,
    subject: (p) => p.hetu,
  }),
  'person.moved-out.v1': define({
    description: 'VTJ change interface: the person moved away from the municipality (to another one, or abroad)',
    payload: personMovedOutV1,
    subject: (p) => p.hetu,
  }),
  'person.changed.v1': define({
    description: 'VTJ change interface: address, turvakielto, death, corrected identity code or home municipality history changed',
    payload: personChangedV1,
    subject: (p) => p.hetu,
  }),
  'record.assessment.v1': define({
    description: 'A municipal system records a competence and integration service-needs assessment, for the national system that keeps it',
    payload: assessmentRecordV1,
    subject: (p) => p.hetu,
  }),
  'record.plan.v1': define({
    description: 'A municipal system records an integration plan, for the national system that keeps it',
    payload: planRecordV1,
    subject: (p) => p.hetu,
  }),
  'record.plan-review.v1': define({
    description: 'A municipal system records a review of an integration plan it sent (an extension is a review that moves the last day)',
    payload: planReviewRecordV1,
    subject: (p) => p.hetu,
  }),
  'record.service-completion.v1': define({
    description: 'A municipal system records a service the person took part in, and whether it was completed',
    payload: serviceCompletionRecordV1,
    subject: (p) => p.hetu,
  }),
  'record.acknowledged.v1': define({
    description: "The hub's answer to one municipal record: accepted (with its flags) or refused (with its refusals), each naming the field and the rule",
    payload: recordAcknowledgedV1,
  }),
  'record.write.requested.v1': define({
    description: 'An accepted municipal record on its way to the national system that keeps it (the data store or Koto-AJ), with its write’s viite',
    payload: recordWriteRequestedV1,
    subject: (p) => p.record.payload.hetu,
  }),
  'plan.review.overdue.v1': define({
    description: "A plan's next review fell due and none reached the hub: raised once to the municipality that sent the plan",
    payload: planReviewOverdueV1,
  }),
  'wellbeing.consultation.requested.v1': define({
    description: 'A municipality consults its wellbeing services county before a placement: the people who would come (sent anonymised)',
    payload: consultationRequestedV1,
  }),
  'wellbeing.consultation.answered.v1': define({
    description: "The county's comment on each person of a consultation, with the municipality's person references restored",
    payload: consultationAnsweredV1,
  }),
  'wellbeing.consultation.overdue.v1': define({
    description: 'A consultation the county has not answered by its deadline: who is still without a comment',
    payload: consultationOverdueV1,
  }),
  'wellbeing.cooperation.requested.v1': define({
    description: 'A municipality asks its wellbeing services county to take part in cooperation on a shared customer',
    payload: cooperationRequestedV1,
    subject: (p) => p.person.hetu,
  }),
  'wellbeing.cooperation.accepted.v1': define({
    description: "The county takes part in the cooperation: its responsible person and how to reach them",
    payload: cooperationAcceptedV1,
  }),
  'wellbeing.cooperation.declined.v1': define({
    description: 'The county declines a cooperation request, with its reason',
    payload: cooperationDeclinedV1,
  }),
  'wellbeing.cooperation.overdue.v1': define({
    description: 'A cooperation request the county has not answered by its deadline',
    payload: cooperationOverdueV1,
  }),
  'wellbeing.request.refused.v1': define({
    description: 'The hub cannot carry a consultation or cooperation request to a county: the rule, naming the municipality, never a person',
    payload: wellbeingRequestRefusedV1,
  }),
  'wellbeing.replies.poll.v1': define({
    description: "Internal: read the county's answers to one request (its correlation id) and deliver the new ones to the municipality",
    payload: wellbeingRepliesPollV1,
  }),
  'wellbeing.replies.set-aside.v1': define({
    description: "For the operators: a read of a request's answers set some aside (unmatched, duplicate or late), by reason and count, naming no person",
    payload: wellbeingRepliesSetAsideV1,
  }),
  'wellbeing.task.refused.v1': define({
    description: "For the operators, a dead letter of county-requests: one Task of a county's answer was not valid FHIR and was set aside; a redrive reads the request again",
    payload: wellbeingTaskRefusedV1,
  }),
  'claims.costs.submitted.v1': define({
    description: "A batch of a municipality's cost rows for the state's compensation (Act 681/2023 ch. 8), from its finance system or the CSV import",
    // A batch concerns many persons: its audit record carries no subject.
    payload: costsSubmittedV1,
  }),
  'claims.row.decided.v1': define({
    description: 'The verdict of one cost row, in the municipality’s inbox: accepted into a claim, or refused with one reason code',
    payload: claimsRowDecidedV1,
  }),
  'claims.deadline.near.v1': define({
    description: 'A cost row whose claim deadline is near (within the configured warning period), raised once per row',
    payload: claimsDeadlineNearV1,
  }),
  'claims.claim.send.requested.v1': define({
    description: 'A claim stored by claims-intake, for the YA adapter to send (names the claim only)',
    payload: claimSendRequestedV1,
  }),
  'claims.claim.decided.v1': define({
    description: 'YA’s decision on a claim, per row, delivered once to the municipality that claimed',
    payload: claimDecisionDeliveredV1,
  }),
  'claims.claim.paid.v1': define({
    description: 'YA’s payment of a claim (day, amount, payment reference, account), delivered once, flagged when it differs from the decision',
    payload: claimPaymentDeliveredV1,
  }),
  'claims.supplement.requested.v1': define({
    description: 'YA asks for more on a claim: questions per row or on the whole claim, and the last day to answer',
    payload: supplementRequestDeliveredV1,
  }),
  'claims.supplement.answered.v1': define({
    description: 'The municipality answers a supplement request of YA; the hub sends the answer to YA on the same claim',
    payload: supplementAnsweredV1,
  }),
} as const;

export type MessageType = keyof typeof messageTypes;
export type PayloadOf<T extends MessageType> = z.infer<(typeof messageTypes)[T]['payload']>;

export const isMessageType = (type: string): type is MessageType => Object.hasOwn(messageTypes, type);

/** One field that failed validation: where, and what is wrong — never the value itself. */
export interface FieldIssue {
  readonly path: string;
  readonly message: string;
}

export type EnvelopeResult =
  | { readonly ok: true; readonly envelope: Envelope }
  | { readonly ok: false; readonly issues: readonly FieldIssue[] };

const toIssues = (error: z.ZodError, prefix = ''): FieldIssue[] =>
  error.issues.map((issue) => ({
    path: [prefix, ...issue.path.map(String)].filter(Boolean).join('.') || '(root)',
    message: issue.message,
  }));

/**
 * Validates an envelope and its payload against the registered type. Every failing field is
 * reported at once (the envelope's and the payload's), so a sender fixes them in one go.
 */
export const parseEnvelope = (raw: unknown): EnvelopeResult => {
  const outer = envelopeSchema.safeParse(raw);
  const issues = outer.success ? [] : toIssues(outer.error);
  const type = (raw as { type?: unknown } | null)?.type;
  if (typeof type === 'string' && messageTypeName.safeParse(type).success) {
    if (!isMessageType(type)) {
      issues.push({ path: 'type', message: `unknown message type ${type}` });
    } else {
      const payload = messageTypes[type].payload.safeParse((raw as { payload?: unknown }).payload);
      if (!payload.success) issues.push(...toIssues(payload.error, 'payload'));
      else if (outer.success && issues.length === 0) return { ok: true, envelope: { ...outer.data, payload: payload.data } };
    }
  }
  return { ok: false, issues };
};

/** The HETU an envelope concerns, per its type's registration. */
export const subjectOf = (envelope: Envelope): string | undefined => {
  if (!isMessageType(envelope.type)) return undefined;
  const spec = messageTypes[envelope.type] as MessageTypeSpec;
  return spec.subject?.(envelope.payload);
};

export type EnvelopeFields<T extends MessageType> = Omit<Envelope<PayloadOf<T>>, 'type' | 'payload' | 'occurredAt'> & {
  readonly occurredAt?: string;
};

/** Builds an envelope of a registered type, validating the payload; throws on a schema violation. */
export const buildEnvelope = <T extends MessageType>(
  type: T,
  payload: PayloadOf<T>,
  fields: EnvelopeFields<T>,
): Envelope<PayloadOf<T>> => {
  const envelope = { ...fields, type, payload, occurredAt: fields.occurredAt ?? new Date().toISOString() };
  const result = parseEnvelope(envelope);
  if (!result.ok) throw new SchemaViolation(type, result.issues);
  return result.envelope as Envelope<PayloadOf<T>>;
};

/** A message that does not match its contract: permanent, it will never succeed on retry. */
export class SchemaViolation extends Error {
  override readonly name = 'SchemaViolation';
  constructor(
    readonly messageType: string,
    readonly issues: readonly FieldIssue[],
  ) {
    super(`${messageType}: ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}`);
  }
}
