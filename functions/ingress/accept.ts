/**
 * Ingress: envelopes posted by municipal systems and other authorities are validated against their
 * contract, given their first audit record and put on the queue their type routes to. Bad input is
 * answered at once with the failing fields (never the values), so nothing invalid enters the hub.
 */
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { MAX_INLINE_ENVELOPE_BYTES, type Envelope } from '#contracts/envelope';
import { parseEnvelope, subjectOf, type FieldIssue } from '#contracts/messages/registry';
import { ingressRoutes, type QueueName } from '#infra/topology';
import { auditKey } from '#lib/audit/key';
import { hopKey, payloadDigest, sealRecord, subjectHash, type AuditRecord } from '#lib/audit/record';
import { writeAuditRecords } from '#lib/audit/store';
import { ATTR, stringAttribute } from '#lib/batch/attributes';
import { sqsClient } from '#lib/clients';
import { auditRetentionDays, queueUrl } from '#lib/config';
import { logger } from '#lib/logger';

export interface IngressResponse {
  readonly status: 202 | 400 | 413 | 503;
  readonly body: Record<string, unknown>;
}

/** Envelopes one request may carry (one SendMessageBatch). */
export const MAX_ENVELOPES_PER_REQUEST = 10;

const rejected = (status: 400 | 413, error: string, message: string, issues?: FieldIssue[]): IngressResponse => ({
  status,
  body: { error, message, ...(issues ? { issues } : {}) },
});

const validate = (items: unknown[]): { envelopes: Envelope[]; issues: FieldIssue[] } => {
  const envelopes: Envelope[] = [];
  const issues: FieldIssue[] = [];
  items.forEach((item, index) => {
    const at = (path: string) => (items.length > 1 ? `[${index}].${path}` : path);
    const result = parseEnvelope(item);
    if (!result.ok) {
      issues.push(...result.issues.map((i) => ({ path: at(i.path), message: i.message })));
    } else if (!ingressRoutes[result.envelope.type]) {
      issues.push({ path: at('type'), message: `${result.envelope.type} is not accepted at ingress` });
    } else {
      envelopes.push(result.envelope);
    }
  });
  return { envelopes, issues };
};

const ingressRecord = async (envelope: Envelope): Promise<AuditRecord> => {
  const subject = subjectOf(envelope);
  const key = await auditKey();
  return sealRecord({
    correlationId: envelope.correlationId,
    hop: hopKey(envelope.messageId, 'ingress'),
    messageId: envelope.messageId,
    causationId: envelope.causationId,
    type: envelope.type,
    source: envelope.source,
    target: envelope.target,
    municipality: envelope.municipality,
    stage: 'ingress',
    outcome: 'accepted',
    reason: null,
    subjectHash: subject ? subjectHash(key, subject) : null,
    payloadDigest: payloadDigest(envelope.payload),
    occurredAt: envelope.occurredAt,
    parentHop: null,
    parentDigest: null,
    recordedAt: new Date().toISOString(),
    durationMs: 0,
    expiresAt: Math.floor(Date.now() / 1000) + auditRetentionDays() * 86_400,
  }, key);
};

const enqueue = async (envelopes: readonly Envelope[], records: readonly AuditRecord[]): Promise<void> => {
  const byQueue = new Map<QueueName, { envelope: Envelope; record: AuditRecord }[]>();
  envelopes.forEach((envelope, i) => {
    const queue = ingressRoutes[envelope.type]!;
    byQueue.set(queue, [...(byQueue.get(queue) ?? []), { envelope, record: records[i]! }]);
  });
  for (const [queue, items] of byQueue) {
    const result = await sqsClient().send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl(queue),
        Entries: items.map(({ envelope, record }, n) => ({
          Id: String(n),
          MessageBody: JSON.stringify(envelope),
          MessageAttributes: {
            [ATTR.parentHop]: stringAttribute(record.hop),
            [ATTR.parentDigest]: stringAttribute(record.digest),
          },
        })),
      }),
    );
    if (result.Failed?.length) throw new Error(`ingress: ${result.Failed.length} messages were not accepted by queue ${queue}`);
  }
};

/** Accepts one envelope, or an array of up to ten, as posted. */
export const acceptEnvelopes = async (body: string): Promise<IngressResponse> => {
  if (Buffer.byteLength(body, 'utf8') > MAX_INLINE_ENVELOPE_BYTES) {
    return rejected(413, 'too-large', `the request is over ${MAX_INLINE_ENVELOPE_BYTES} bytes`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return rejected(400, 'not-json', 'the request body is not JSON');
  }
  const items = Array.isArray(parsed) ? parsed : [parsed];
  if (items.length === 0 || items.length > MAX_ENVELOPES_PER_REQUEST) {
    return rejected(400, 'batch-size', `post one envelope or an array of 1 to ${MAX_ENVELOPES_PER_REQUEST}`);
  }
  const { envelopes, issues } = validate(items);
  if (issues.length > 0) return rejected(400, 'invalid-envelope', 'the envelope does not match its contract', issues);

  const records = await Promise.all(envelopes.map(ingressRecord));
  try {
    await enqueue(envelopes, records);
    await writeAuditRecords(records);
  } catch (error) {
    logger.error('ingress could not enqueue', { error: error instanceof Error ? error.name : 'unknown' });
    return { status: 503, body: { error: 'unavailable', message: 'the hub could not take the message now; post it again' } };
  }
  return {
    status: 202,
    body: { accepted: envelopes.map((e) => ({ messageId: e.messageId, correlationId: e.correlationId, type: e.type })) },
  };
};
