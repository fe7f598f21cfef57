/**
 * Dead letters as the audit log sees them: what can safely be said about a message in a DLQ
 * without reading its payload, and the audit record of putting it back on its queue
 * (`koto-hub dlq redrive`).
 *
 * The redrive is a hop of the message like any other: it carries the message's identity and links
 * to the record of the hop that produced the message (the message's `koto.parentHop`), so it sits
 * beside the failed attempts in the trace and `audit verify` checks it like every other record.
 */
import { envelopeSchema, type Envelope } from '#contracts/envelope';
import { parseEnvelope, subjectOf } from '#contracts/messages/registry';
import { auditRetentionDays } from '#lib/config';
import { hopKey, payloadDigest, sealRecord, subjectHash, type AuditRecord } from '#lib/audit/record';

export const REDRIVE_STAGE = 'dlq-redrive';
export const REDRIVEN = 'redriven';

export interface DeadLetterView {
  /** The envelope's correlation id; `unreadable` when the body names none. */
  readonly correlationId: string;
  /** The envelope's message id, or SQS's id of the message when the body names none. */
  readonly messageId: string;
  readonly causationId: string | null;
  readonly type: string;
  readonly source: string;
  readonly target: string;
  readonly municipality: string;
  readonly occurredAt: string | null;
  /** Keyed hash of the payload, as the hub's own hop records compute it (of the body when unreadable). */
  payloadDigest(key: Buffer): string;
  /** Whether the body is a valid envelope of a registered type. */
  readonly valid: boolean;
  /** Keyed hash of the HETU the message concerns, if it is a valid envelope that concerns one. */
  subjectHash(key: Buffer): string | null;
}

/** Reads one envelope field only if it has the envelope's shape, so nothing else of the body is ever shown. */
const field = <K extends 'messageId' | 'correlationId' | 'causationId' | 'type' | 'source' | 'target' | 'occurredAt'>(
  body: Record<string, unknown>,
  name: K,
): string | undefined => {
  const value = body[name];
  return typeof value === 'string' && envelopeSchema.shape[name].safeParse(value).success ? value : undefined;
};

const asObject = (body: string): Record<string, unknown> => {
  try {
    const value: unknown = JSON.parse(body);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
};

/** What a dead letter's body says about it, field by field, never the payload. */
export const viewDeadLetter = (body: string, sqsMessageId: string): DeadLetterView => {
  const raw = asObject(body);
  const parsed = parseEnvelope(raw);
  const envelope: Envelope | undefined = parsed.ok ? parsed.envelope : undefined;
  const municipality = typeof raw.municipality === 'string' && /^\d{3}$/.test(raw.municipality) ? raw.municipality : undefined;
  return {
    correlationId: envelope?.correlationId ?? field(raw, 'correlationId') ?? 'unreadable',
    messageId: envelope?.messageId ?? field(raw, 'messageId') ?? sqsMessageId,
    causationId: envelope?.causationId ?? field(raw, 'causationId') ?? null,
    type: envelope?.type ?? field(raw, 'type') ?? 'unreadable',
    source: envelope?.source ?? field(raw, 'source') ?? 'unknown',
    target: envelope?.target ?? field(raw, 'target') ?? 'unknown',
    municipality: envelope?.municipality ?? municipality ?? 'unknown',
    occurredAt: envelope?.occurredAt ?? field(raw, 'occurredAt') ?? null,
    payloadDigest: (key) => payloadDigest(key, envelope ? envelope.payload : body),
    valid: envelope !== undefined,
    subjectHash(key) {
      const subject = envelope ? subjectOf(envelope) : undefined;
      return subject ? subjectHash(key, subject) : null;
    },
  };
};

export interface RedriveFields {
  readonly dead: DeadLetterView;
  /** The record of the hop that produced the message (its `koto.parentHop` / `koto.parentDigest`). */
  readonly parent: { readonly hop: string; readonly digest: string } | null;
  /** Which redrive of this message this is, from 1. */
  readonly redrive: number;
  /** One line for the trace: from where to where, and how. */
  readonly note: string;
}

export const redriveRecord = (fields: RedriveFields, key: Buffer): AuditRecord => {
  const { dead, parent } = fields;
  const now = Date.now();
  return sealRecord(
    {
      correlationId: dead.correlationId,
      hop: hopKey(dead.messageId, REDRIVE_STAGE, fields.redrive),
      messageId: dead.messageId,
      causationId: dead.causationId,
      type: dead.type,
      source: dead.source,
      target: dead.target,
      municipality: dead.municipality,
      stage: REDRIVE_STAGE,
      outcome: REDRIVEN,
      reason: fields.note,
      subjectHash: dead.subjectHash(key),
      payloadDigest: dead.payloadDigest(key),
      occurredAt: dead.occurredAt ?? new Date(now).toISOString(),
      parentHop: parent?.hop ?? null,
      parentDigest: parent?.digest ?? null,
      recordedAt: new Date(now).toISOString(),
      durationMs: 0,
      expiresAt: Math.floor(now / 1000) + auditRetentionDays() * 86_400,
    },
    key,
  );
};
