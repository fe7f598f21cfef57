/** Small factories for municipal records (`contracts/messages/records.ts`), one person's by default. */
import { randomUUID } from 'node:crypto';
import { makeHetu } from '#contracts/hetu';
import type {
  AssessmentRecordV1,
  MunicipalRecord,
  PlanRecordV1,
  PlanReviewRecordV1,
  ServiceCompletionRecordV1,
} from '#contracts/messages/records';

export const RECORD_HETU = makeHetu('1985-04-12', 308);

const fields = (recordId: string, madeAt: string) => ({ recordId, hetu: RECORD_HETU, jobseeker: false, madeAt });

type Record<T extends MunicipalRecord['type']> = Extract<MunicipalRecord, { type: T }>;

export const assessmentRecord = (payload: Partial<AssessmentRecordV1> = {}, municipality = '905'): Record<'record.assessment.v1'> => ({
  type: 'record.assessment.v1',
  municipality,
  payload: { ...fields('ARV-1', '2026-02-16T13:00:00+02:00'), date: '2026-02-16', completed: true, ...payload },
});

export const planRecord = (payload: Partial<PlanRecordV1> = {}, municipality = '905'): Record<'record.plan.v1'> => ({
  type: 'record.plan.v1',
  municipality,
  payload: {
    ...fields('SUU-1', '2026-03-02T10:00:00+02:00'),
    kind: 'basic',
    validFrom: '2026-03-02',
    validUntil: '2027-03-01',
    exceptionReason: null,
    ...payload,
  },
});

export const reviewRecord = (payload: Partial<PlanReviewRecordV1> = {}, municipality = '905'): Record<'record.plan-review.v1'> => ({
  type: 'record.plan-review.v1',
  municipality,
  payload: {
    ...fields('TAR-1', '2026-08-31T14:00:00+03:00'),
    planRecordId: 'SUU-1',
    date: '2026-08-31',
    extendedUntil: null,
    exceptionReason: null,
    ...payload,
  },
});

export const completionRecord = (payload: Partial<ServiceCompletionRecordV1> = {}, municipality = '905'): Record<'record.service-completion.v1'> => ({
  type: 'record.service-completion.v1',
  municipality,
  payload: {
    ...fields('PAL-1', '2026-04-24T15:00:00+03:00'),
    planRecordId: 'SUU-1',
    service: 'civic-orientation',
    from: '2026-03-09',
    to: '2026-04-24',
    completed: true,
    ...payload,
  },
});

/** A record as an envelope the demo client `vaasa-905` posts (a fresh message id each call). */
export const recordEnvelope = (record: MunicipalRecord, occurredAt = '2026-11-02T08:00:00.000Z') => ({
  messageId: randomUUID(),
  correlationId: randomUUID(),
  causationId: null,
  type: record.type,
  source: `municipality:${record.municipality}`,
  target: 'hub',
  municipality: record.municipality,
  occurredAt,
  payload: record.payload,
});
