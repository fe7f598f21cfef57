/**
 * The audit record of one hop (pure, no I/O). One record per message a function handled, keyed by
 * correlation id and `hop` = `<messageId>#<function>` (failed attempts add `#attempt-<n>`).
 *
 * Tamper evidence: `digest` is an HMAC-SHA256, keyed by the audit key, over the record's fields in
 * a fixed order, and each record carries `parentDigest`, the digest of the record of the hop that
 * produced its message. Altering a record changes its digest and so breaks the link from every
 * record below it; deleting one leaves its children pointing at nothing; and without the key
 * nobody who can write to the table can reseal a record they changed. Times are kept outside the
 * digest — when the message occurred, when it was handled and for how long — because two copies of
 * one message handled at once (SQS delivers at least once) must seal the very same record: each
 * copy stamps its outputs with its own clock, but what they are, whence and why is the same.
 */
import { createHmac } from 'node:crypto';

export type HopOutcome = 'accepted' | 'processed' | 'duplicate' | 'retry' | 'dead-letter' | 'redriven' | (string & {});

export interface AuditRecord {
  readonly correlationId: string;
  readonly hop: string;
  readonly messageId: string;
  readonly causationId: string | null;
  readonly type: string;
  readonly source: string;
  readonly target: string;
  readonly municipality: string;
  /** The function (or `ingress`) that handled the message at this hop. */
  readonly stage: string;
  readonly outcome: HopOutcome;
  /** Failure reason (code and one line), for failed hops; never personal data. */
  readonly reason: string | null;
  /** HMAC-SHA256 of the HETU the message concerns, keyed by the audit key; null when none. */
  readonly subjectHash: string | null;
  /** Keyed hash (HMAC-SHA256, the audit key) of the payload as it was received. */
  readonly payloadDigest: string;
  readonly occurredAt: string;
  /** `hop` of the record whose processing produced this message; null at ingress. */
  readonly parentHop: string | null;
  readonly parentDigest: string | null;
  readonly digest: string;
  /** Outside the digest: when and how long, for the trace. */
  readonly recordedAt: string;
  readonly durationMs: number;
  readonly expiresAt: number;
}

export type AuditFields = Omit<AuditRecord, 'digest' | 'hop'> & { readonly hop?: string };

/** The fields that the digest covers, in the order they are hashed. */
export const DIGESTED_FIELDS = [
  'correlationId',
  'hop',
  'messageId',
  'causationId',
  'type',
  'source',
  'target',
  'municipality',
  'stage',
  'outcome',
  'reason',
  'subjectHash',
  'payloadDigest',
  'parentHop',
  'parentDigest',
] as const satisfies readonly (keyof AuditRecord)[];

/**
 * `<messageId>#<stage>` for a hop that succeeded; a failed attempt adds `#attempt-<n>`, where the
 * batch library writes `<receive count>.<start of the SQS message id>` so that the attempts of a
 * redriven message (whose receive count starts again) do not overwrite those before the redrive.
 */
export const hopKey = (messageId: string, stage: string, attempt?: number | string): string =>
  attempt === undefined ? `${messageId}#${stage}` : `${messageId}#${stage}#attempt-${attempt}`;

export const recordDigest = (record: Omit<AuditRecord, 'digest'> | AuditRecord, key: Buffer): string => {
  // One update of the whole text: the same digest as one update per field, without a call into the
  // hash per field (every hop seals a record).
  let text = '';
  for (const field of DIGESTED_FIELDS) text += `${field}=${JSON.stringify(record[field] ?? null)}\n`;
  return createHmac('sha256', key).update(text).digest('hex');
};

export const sealRecord = (fields: AuditFields, key: Buffer): AuditRecord => {
  const hop = fields.hop ?? hopKey(fields.messageId, fields.stage);
  const unsealed = { ...fields, hop };
  return { ...unsealed, digest: recordDigest(unsealed, key) };
};

/**
 * Keyed hash of a payload, as `subjectHash` is: a payload such as a referral holds little besides a
 * HETU, so a plain SHA-256 of it could be reversed by trying every HETU of a birth year.
 */
export const payloadDigest = (key: Buffer, payload: unknown): string =>
  createHmac('sha256', key).update(JSON.stringify(payload ?? null)).digest('hex');

/** Keyed hash of a HETU: finds a person's records without the code ever being stored. */
export const subjectHash = (key: Buffer, hetu: string): string =>
  createHmac('sha256', key).update(hetu.trim().toUpperCase()).digest('hex');
