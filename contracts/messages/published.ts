/**
 * The message types published to integrators (docs/DESIGN.md "Published contract and its versions"):
 * those that cross the hub's edge, each with the way it crosses it. A published `vN` is a promise:
 * it changes only in ways that break no sender and no receiver, and a change that would is a new
 * version (`v2`) beside it. The rest of the registry (lookups, list pages, fan-outs, person events)
 * is the hub's own wiring: it changes with the hub and is published nowhere.
 *
 * - `inbound`: a municipal system or another authority sends it to the hub (ingress). The hub is its
 *   receiver, so a change must accept everything the version accepted before: no new required field,
 *   no narrower type, enum, pattern or bound.
 * - `outbound`: the hub delivers it to a municipality's inbox and webhooks. The municipality's system
 *   is its receiver, so a change must send nothing the version did not promise before: no field
 *   removed or made optional, no wider type, enum, pattern or bound. A new optional field is allowed:
 *   receivers ignore fields they do not know.
 *
 * Types listed here that ingress does not accept yet (wellbeing) are fixed for the
 * vendors preparing for them (README "For integrators").
 */
import type { MessageType } from '#contracts/messages/registry';

export type Direction = 'inbound' | 'outbound';

export const publishedTypes = {
  'outreach.referral.v1': 'inbound',
  'outreach.run.requested.v1': 'inbound',
  'outreach.list.ready.v1': 'outbound',
  'outreach.decision.v1': 'outbound',
  'record.assessment.v1': 'inbound',
  'record.plan.v1': 'inbound',
  'record.plan-review.v1': 'inbound',
  'record.service-completion.v1': 'inbound',
  'record.acknowledged.v1': 'outbound',
  'plan.review.overdue.v1': 'outbound',
  'wellbeing.consultation.requested.v1': 'inbound',
  'wellbeing.consultation.answered.v1': 'outbound',
  'wellbeing.consultation.overdue.v1': 'outbound',
  'wellbeing.cooperation.requested.v1': 'inbound',
  'wellbeing.cooperation.accepted.v1': 'outbound',
  'wellbeing.cooperation.declined.v1': 'outbound',
  'wellbeing.cooperation.overdue.v1': 'outbound',
  'wellbeing.request.refused.v1': 'outbound',
  'claims.costs.submitted.v1': 'inbound',
  'claims.row.decided.v1': 'outbound',
  'claims.deadline.near.v1': 'outbound',
  'claims.claim.decided.v1': 'outbound',
  'claims.claim.paid.v1': 'outbound',
  'claims.supplement.requested.v1': 'outbound',
  'claims.supplement.answered.v1': 'inbound',
} as const satisfies Partial<Record<MessageType, Direction>>;

export type PublishedType = keyof typeof publishedTypes;

export const publishedTypeNames = Object.keys(publishedTypes) as PublishedType[];

export const isPublishedType = (type: string): type is PublishedType => Object.hasOwn(publishedTypes, type);
