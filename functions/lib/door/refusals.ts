/**
 * Every refusal at the door leaves two traces, neither with personal data: an audit record (who was
 * refused, by which rule, for which type and municipality; never the body) and one count of the
 * `doorRefusals` metric with the rule as its `kind`, which the "door refusals" alarm watches for
 * bursts (infra/cdk/constructs/observability.ts).
 *
 * The refusals of a day share one audit partition, `door-refusals#<YYYY-MM-DD>`: a refused message
 * never entered the hub, so it belongs to no correlation of its own (and a caller could name any).
 */
import { randomUUID } from 'node:crypto';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { hubMetrics } from '#infra/topology';
import { auditKey } from '#lib/audit/key';
import { hopKey, payloadDigest, sealRecord, type AuditRecord } from '#lib/audit/record';
import { writeAuditRecords } from '#lib/audit/store';
import { auditRetentionDays } from '#lib/config';
import { logger } from '#lib/logger';
import { MetricsByDimensions } from '#lib/metrics';

export const DOOR_STAGE = 'door';

export interface Refusal {
  readonly status: 401 | 403 | 429;
  /** The rule that refused (`no-client-certificate`, `municipality-not-yours`, `over-rate`, …). */
  readonly rule: string;
  readonly clientId?: string;
  /** The caller's system, when it is known. */
  readonly source?: string;
  /** Of the envelope, once it has passed its contract. */
  readonly type?: string;
  readonly municipality?: string;
}

export const refusalPartition = (at: Date): string => `door-refusals#${at.toISOString().slice(0, 10)}`;

/** The sealed audit record of a refusal. */
export const refusalRecord = (refusal: Refusal, key: Buffer, at: Date): AuditRecord => {
  const messageId = randomUUID();
  return sealRecord(
    {
      correlationId: refusalPartition(at),
      hop: hopKey(messageId, DOOR_STAGE),
      messageId,
      causationId: null,
      type: refusal.type ?? 'unknown',
      source: refusal.source ?? 'unknown',
      target: 'hub',
      municipality: refusal.municipality ?? '',
      stage: DOOR_STAGE,
      outcome: 'refused',
      reason: `${refusal.status} ${refusal.rule}${refusal.clientId ? ` client=${refusal.clientId}` : ''}`,
      subjectHash: null,
      payloadDigest: payloadDigest(key, null),
      occurredAt: at.toISOString(),
      parentHop: null,
      parentDigest: null,
      recordedAt: at.toISOString(),
      durationMs: 0,
      expiresAt: Math.floor(at.getTime() / 1000) + auditRetentionDays() * 86_400,
    },
    key,
  );
};

/** One single-metric instance per dimension set, made on first use so that it reads the runtime's environment. */
const refusalMetrics = new MetricsByDimensions();

export const resetRefusalMetrics = (): void => refusalMetrics.reset();

/**
 * One refusal, counted by its rule and in the total: the alarm watches the total, since a
 * CloudWatch alarm cannot sum a metric over the values of a dimension.
 */
export const countRefusal = (rule: string): void => {
  refusalMetrics.of({ [hubMetrics.dimensions.kind]: rule }).addMetric(hubMetrics.doorRefusals, MetricUnit.Count, 1);
  refusalMetrics.of({}).addMetric(hubMetrics.doorRefusals, MetricUnit.Count, 1);
};

/** Counts and audits a refusal; a failing audit write is logged, and the caller is refused all the same. */
export const recordRefusal = async (refusal: Refusal, at: Date = new Date()): Promise<void> => {
  countRefusal(refusal.rule);
  logger.warn('refused at the door', { status: refusal.status, rule: refusal.rule, clientId: refusal.clientId ?? null });
  try {
    await writeAuditRecords([refusalRecord(refusal, await auditKey(), at)]);
  } catch (error) {
    logger.error('the audit record of a refusal could not be written', { error: error instanceof Error ? error.name : 'unknown' });
  }
};
