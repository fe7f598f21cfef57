/**
 * Ingress: envelopes posted by municipal systems and other authorities, behind the door
 * (functions/ingress/door.ts) that named the caller, are stamped with the caller's `source`,
 * validated against their contract, authorized (functions/lib/door/authorize.ts), given their first
 * audit record and put on the queue their type routes to. Bad input is answered at once with the
 * failing fields (never the values), so nothing invalid enters the hub; a refusal names its rule.
 */
import type { Caller } from '#contracts/clients';
import { MAX_INLINE_ENVELOPE_BYTES, type Envelope } from '#contracts/envelope';
import { parseEnvelope, type FieldIssue } from '#contracts/messages/registry';
import { ingressRoutes, type QueueName } from '#infra/topology';
import type { AuditRecord } from '#lib/audit/record';
import { writeAuditRecords } from '#lib/audit/store';
import { rootRecord, sendLinked, type LinkedMessage } from '#lib/root-hop';
import { logger } from '#lib/logger';
import { authorize, stampSource, type DoorContext } from '#lib/door/authorize';
import { recordRefusal } from '#lib/door/refusals';
import { forbiddenKeyMessage, parseJsonBody } from '#lib/door/json-body';

export interface IngressResponse {
  readonly status: 202 | 400 | 403 | 413 | 503;
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

const enqueue = async (envelopes: readonly Envelope[], records: readonly AuditRecord[]): Promise<void> => {
  const byQueue = new Map<QueueName, LinkedMessage[]>();
  envelopes.forEach((envelope, i) => {
    const queue = ingressRoutes[envelope.type]!;
    byQueue.set(queue, [...(byQueue.get(queue) ?? []), { envelope, record: records[i]! }]);
  });
  for (const [queue, messages] of byQueue) await sendLinked(queue, messages);
};

/** The first envelope the caller may not send, refused by the rule that says so; nothing of the request is taken then. */
const refusalOf = async (envelopes: readonly Envelope[], caller: Caller, context: DoorContext): Promise<IngressResponse | undefined> => {
  for (const [index, envelope] of envelopes.entries()) {
    const verdict = authorize(caller, envelope, context);
    if (verdict.ok) continue;
    await recordRefusal(
      { status: 403, rule: verdict.rule, clientId: caller.clientId, source: caller.system, type: envelope.type, municipality: envelope.municipality },
      new Date(context.now),
    );
    const at = envelopes.length > 1 ? ` (envelope ${index})` : '';
    return { status: 403, body: { error: 'forbidden', rule: verdict.rule, message: `${verdict.message}${at}` } };
  }
  return undefined;
};

/** Accepts one envelope, or an array of up to ten, as posted by `caller`. */
export const acceptEnvelopes = async (body: string, caller: Caller, context: DoorContext): Promise<IngressResponse> => {
  if (Buffer.byteLength(body, 'utf8') > MAX_INLINE_ENVELOPE_BYTES) {
    return rejected(413, 'too-large', `the request is over ${MAX_INLINE_ENVELOPE_BYTES} bytes`);
  }
  const json = parseJsonBody(body);
  if (!json.ok && json.error === 'not-json') return rejected(400, 'not-json', 'the request body is not JSON');
  if (!json.ok) return rejected(400, 'forbidden-key', forbiddenKeyMessage(json), [{ path: json.path, message: `key ${json.key} is refused` }]);
  const parsed = json.value;
  const items = (Array.isArray(parsed) ? parsed : [parsed]).map((item) => stampSource(item, caller));
  if (items.length === 0 || items.length > MAX_ENVELOPES_PER_REQUEST) {
    return rejected(400, 'batch-size', `post one envelope or an array of 1 to ${MAX_ENVELOPES_PER_REQUEST}`);
  }
  const { envelopes, issues } = validate(items);
  if (issues.length > 0) return rejected(400, 'invalid-envelope', 'the envelope does not match its contract', issues);
  const refused = await refusalOf(envelopes, caller, context);
  if (refused) return refused;

  const records = await Promise.all(envelopes.map((envelope) => rootRecord(envelope, 'ingress', 'accepted')));
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
