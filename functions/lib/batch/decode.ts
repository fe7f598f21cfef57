/** Reads an SQS record as an envelope of a registered type; a record that is not one fails permanently. */
import type { SQSRecord } from 'aws-lambda';
import { parseEnvelope, subjectOf } from '#contracts/messages/registry';
import { MAX_INLINE_ENVELOPE_BYTES } from '#contracts/envelope';
import { ATTR, readAttribute } from '#lib/batch/attributes';
import type { HopState } from '#lib/batch/hop';
import { oneLine } from '#lib/errors';

/** Issues a decode failure names: a batch of cost rows can break in hundreds of places. */
const SHOWN_ISSUES = 10;

const readBody = (body: string): { ok: true; value: unknown } | { ok: false; reason: string } => {
  if (Buffer.byteLength(body, 'utf8') > MAX_INLINE_ENVELOPE_BYTES) {
    return { ok: false, reason: `the message is over ${MAX_INLINE_ENVELOPE_BYTES} bytes` };
  }
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch {
    return { ok: false, reason: 'the message body is not JSON' };
  }
};

export const decodeRecord = (record: SQSRecord, stage: string): HopState => {
  const parentHop = readAttribute(record.messageAttributes, ATTR.parentHop);
  const parentDigest = readAttribute(record.messageAttributes, ATTR.parentDigest);
  const base = {
    record,
    stage,
    receiveCount: Math.max(1, Number(record.attributes.ApproximateReceiveCount) || 1),
    startedAt: Date.now(),
    parent: parentHop && parentDigest ? { hop: parentHop, digest: parentDigest } : null,
    duplicate: false,
    outcome: 'processed',
    outputs: [],
    deadLetterOutputs: [],
    audit: undefined,
  } satisfies Partial<HopState>;

  const body = readBody(record.body);
  if (!body.ok) {
    return { ...base, envelope: undefined, subject: undefined, failure: { kind: 'permanent', code: 'unreadable', reason: body.reason } };
  }
  const parsed = parseEnvelope(body.value);
  if (!parsed.ok) {
    const { issues } = parsed;
    const shown = issues.slice(0, SHOWN_ISSUES).map((i) => `${i.path}: ${i.message}`).join('; ');
    // The count first, so that capping the reason (as every reason is: it goes onto the dead letter
    // and into the audit record) keeps it.
    const reason = oneLine(issues.length > SHOWN_ISSUES ? `${issues.length} fields break the contract, the first ${SHOWN_ISSUES}: ${shown}` : shown);
    return { ...base, envelope: undefined, subject: undefined, failure: { kind: 'permanent', code: 'schema-violation', reason } };
  }
  return { ...base, envelope: parsed.envelope, subject: subjectOf(parsed.envelope), failure: undefined };
};

/** Best-effort correlation id of an unreadable record, so its failure still lands in a trace. */
export const looseCorrelationId = (body: string): string => {
  const match = /"correlationId"\s*:\s*"([0-9a-f-]{36})"/i.exec(body);
  return match?.[1]?.toLowerCase() ?? 'unreadable';
};
