/**
 * The audit record of a hop: after the handler, a sealed success record (whose digest the outputs
 * carry to their own records); for a failure, a record of the attempt with its reason.
 */
import { auditKey } from '#lib/audit/key';
import { hopKey, payloadDigest, sealRecord, subjectHash, type AuditRecord } from '#lib/audit/record';
import { auditRetentionDays } from '#lib/config';
import { looseCorrelationId } from '#lib/batch/decode';
import type { HopState, RecordStep } from '#lib/batch/hop';

const expiry = (): number => Math.floor(Date.now() / 1000) + auditRetentionDays() * 86_400;

export const hopRecord = async (hop: HopState, maxReceiveCount: number): Promise<AuditRecord> => {
  const envelope = hop.envelope;
  const key = await auditKey();
  const failure = hop.failure;
  const outcome = !failure
    ? hop.outcome
    : failure.kind === 'permanent' || hop.receiveCount >= maxReceiveCount
      ? 'dead-letter'
      : 'retry';
  const messageId = envelope?.messageId ?? hop.record.messageId;
  return sealRecord({
    correlationId: envelope?.correlationId ?? looseCorrelationId(hop.record.body),
    hop: failure ? hopKey(messageId, hop.stage, `${hop.receiveCount}.${hop.record.messageId.slice(0, 8)}`) : hopKey(messageId, hop.stage),
    messageId,
    causationId: envelope?.causationId ?? null,
    type: envelope?.type ?? 'unreadable',
    source: envelope?.source ?? 'unknown',
    target: envelope?.target ?? 'unknown',
    municipality: envelope?.municipality ?? 'unknown',
    stage: hop.stage,
    outcome,
    reason: failure ? `${failure.code}: ${failure.reason}` : null,
    subjectHash: hop.subject ? subjectHash(key, hop.subject) : null,
    payloadDigest: payloadDigest(key, envelope?.payload ?? hop.record.body),
    occurredAt: envelope?.occurredAt ?? new Date(Number(hop.record.attributes.SentTimestamp ?? Date.now())).toISOString(),
    parentHop: hop.parent?.hop ?? null,
    parentDigest: hop.parent?.digest ?? null,
    recordedAt: new Date().toISOString(),
    durationMs: Date.now() - hop.startedAt,
    expiresAt: expiry(),
  }, key);
};

/**
 * Seals the success record once the handler is done, so that its outputs can carry its digest.
 * Duplicates get none (they have one already); failures are recorded when the batch settles.
 */
export const auditHop =
  (maxReceiveCount: number): RecordStep =>
  async (hop, next) => {
    await next();
    if (!hop.duplicate && !hop.failure) hop.audit = await hopRecord(hop, maxReceiveCount);
  };
