import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { containsHetuShape, makeHetu } from '#contracts/hetu';
import { hopKey, payloadDigest, recordDigest, sealRecord, subjectHash, type AuditFields, type AuditRecord } from '#lib/audit/record';
import { verifyChain, type BrokenLink } from '#ops/audit/verify';

const HETU = makeHetu('1985-06-21', 417);
const KEY = randomBytes(32);

/** The fields of one hop, before sealing; every digested field has a distinct, non-null value. */
const auditFields = (overrides: Partial<AuditFields> = {}): AuditFields => {
  const messageId = overrides.messageId ?? randomUUID();
  return {
    correlationId: randomUUID(),
    messageId,
    causationId: randomUUID(),
    type: 'outreach.referral.v1',
    source: 'authority:te-services',
    target: 'hub',
    municipality: '905',
    stage: 'referral-intake',
    outcome: 'processed',
    reason: 'send-failed: could not send',
    subjectHash: subjectHash(Buffer.from('test-key'), HETU),
    payloadDigest: payloadDigest(KEY, { n: 1 }),
    occurredAt: '2026-11-01T08:00:00.000Z',
    parentHop: `${randomUUID()}#ingress`,
    parentDigest: 'a'.repeat(64),
    recordedAt: '2026-11-01T08:00:01.000Z',
    durationMs: 12,
    expiresAt: 1_900_000_000,
    ...overrides,
  };
};

/** A record that links to `parent` the way the batch's unit of work links them. */
const childOf = (parent: AuditRecord, stage: string, overrides: Partial<AuditFields> = {}): AuditRecord =>
  sealRecord(
    auditFields({
      correlationId: parent.correlationId,
      causationId: parent.messageId,
      stage,
      reason: null,
      parentHop: parent.hop,
      parentDigest: parent.digest,
      ...overrides,
    }), KEY);

/** ingress → referral-intake → two children, all of one correlation. */
const chainTree = () => {
  const correlationId = randomUUID();
  const ingress = sealRecord(
    auditFields({ correlationId, stage: 'ingress', outcome: 'accepted', causationId: null, reason: null, parentHop: null, parentDigest: null }), KEY);
  const hop = childOf(ingress, 'referral-intake');
  const left = childOf(hop, 'vtj-adapter');
  const right = childOf(hop, 'uma-adapter');
  return { ingress, hop, left, right, all: [ingress, hop, left, right] };
};

/** Replaces fields of a stored record without resealing it, as an edit of the table item would. */
const tamper = (record: AuditRecord, changes: Partial<AuditRecord>): AuditRecord => ({ ...record, ...changes });

const problems = (broken: readonly BrokenLink[]) =>
  broken.map(({ hop, problem }) => `${hop} ${problem}`).sort();

/** The fields the digest must cover (written out here, not imported, so the test checks the list). */
const DIGESTED_FIELDS = [
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
] as const;

describe('payloadDigest', () => {
  it('is keyed: a payload that holds little but a HETU cannot be found by hashing every HETU of a year', () => {
    const referral = { asOf: '2026-11-01', origin: 'municipality', hetu: HETU };
    const digest = payloadDigest(KEY, referral);
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(digest).toBe(payloadDigest(KEY, { ...referral }));
    // Without the key, the guess that is right does not give the stored digest.
    expect(digest).not.toBe(createHash('sha256').update(JSON.stringify(referral)).digest('hex'));
    expect(digest).not.toBe(payloadDigest(randomBytes(32), referral));
  });
});

describe('sealRecord and recordDigest', () => {
  it('seal the same fields to the same 64-hex digest every time, whatever the order of the keys', () => {
    const fields = auditFields();
    const reversed = Object.fromEntries(Object.entries(fields).reverse()) as unknown as AuditFields;
    const sealed = sealRecord(fields, KEY);
    expect(sealed.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(sealRecord(fields, KEY).digest).toBe(sealed.digest);
    expect(sealRecord(reversed, KEY).digest).toBe(sealed.digest);
    expect(recordDigest(sealed, KEY)).toBe(sealed.digest);
  });

  it('keys a record by `<messageId>#<stage>` unless a hop is given', () => {
    const fields = auditFields();
    expect(sealRecord(fields, KEY).hop).toBe(`${fields.messageId}#${fields.stage}`);
    expect(sealRecord({ ...fields, hop: hopKey(fields.messageId, fields.stage, 3) }, KEY).hop).toBe(`${fields.messageId}#${fields.stage}#attempt-3`);
  });

  it.each(DIGESTED_FIELDS)('changes the digest when only %s changes', (field) => {
    const sealed = sealRecord(auditFields(), KEY);
    const current = sealed[field];
    const changed = current === null ? 'now set' : `${current}x`;
    expect(recordDigest({ ...sealed, [field]: changed }, KEY)).not.toBe(sealed.digest);
  });

  it.each(['causationId', 'reason', 'subjectHash', 'parentHop', 'parentDigest'] as const)(
    'tells a null %s from the string "null"',
    (field) => {
      const sealed = sealRecord(auditFields({ [field]: null }), KEY);
      expect(recordDigest({ ...sealed, [field]: 'null' }, KEY)).not.toBe(sealed.digest);
    },
  );

  it('keeps the times (occurredAt, recordedAt, durationMs, expiresAt) out of the digest, so two copies handled at once seal the same record', () => {
    const fields = auditFields();
    const first = sealRecord(fields, KEY);
    const again = sealRecord(
      { ...fields, occurredAt: '2027-01-01T00:00:00.001Z', recordedAt: '2027-01-01T00:00:00.000Z', durationMs: 9_999, expiresAt: 2_000_000_000 },
      KEY,
    );
    expect(again.digest).toBe(first.digest);
    expect(again.recordedAt).not.toBe(first.recordedAt);
  });
});

describe('verifyChain', () => {
  it('passes an intact tree of ingress, one hop and its two children', () => {
    const { all } = chainTree();
    expect(verifyChain(all, KEY)).toEqual({ ok: true, records: 4, broken: [] });
  });

  it('passes the same tree whatever order the records are read in', () => {
    const { all } = chainTree();
    expect(verifyChain([...all].reverse(), KEY).ok).toBe(true);
  });

  it('names an altered record as digest-mismatch and each of its children as parent-digest-mismatch', () => {
    const { ingress, hop, left, right } = chainTree();
    const altered = tamper(hop, { outcome: 'dead-letter' });
    const result = verifyChain([ingress, altered, left, right], KEY);
    expect(result.ok).toBe(false);
    expect(result.records).toBe(4);
    expect(problems(result.broken)).toEqual(
      [`${hop.hop} digest-mismatch`, `${left.hop} parent-digest-mismatch`, `${right.hop} parent-digest-mismatch`].sort(),
    );
  });

  it('names only the altered record when the altered one is a leaf', () => {
    const { ingress, hop, left, right } = chainTree();
    const result = verifyChain([ingress, hop, tamper(left, { municipality: '091' }), right], KEY);
    expect(problems(result.broken)).toEqual([`${left.hop} digest-mismatch`]);
  });

  it('names the children of a deleted middle record as parent-missing, saying which parent', () => {
    const { ingress, hop, left, right } = chainTree();
    const result = verifyChain([ingress, left, right], KEY);
    expect(result).toMatchObject({ ok: false, records: 3 });
    expect(problems(result.broken)).toEqual([`${left.hop} parent-missing`, `${right.hop} parent-missing`].sort());
    for (const link of result.broken) expect(link.detail).toContain(hop.hop);
  });

  it('still breaks the children of a forged record whose stored digest was recomputed', () => {
    const { ingress, hop, left, right } = chainTree();
    const { digest: _old, ...unsealed } = hop;
    const forged = sealRecord({ ...unsealed, outcome: 'dead-letter' }, KEY);
    expect(recordDigest(forged, KEY)).toBe(forged.digest);
    const result = verifyChain([ingress, forged, left, right], KEY);
    expect(result.ok).toBe(false);
    expect(problems(result.broken)).toEqual([`${left.hop} parent-digest-mismatch`, `${right.hop} parent-digest-mismatch`].sort());
  });

  it('flags a child whose recorded parent digest was edited, even though its parent is intact', () => {
    const { ingress, hop, left, right } = chainTree();
    const edited = tamper(right, { parentDigest: 'b'.repeat(64) });
    expect(problems(verifyChain([ingress, hop, left, edited], KEY).broken)).toEqual([
      `${right.hop} digest-mismatch`,
      `${right.hop} parent-digest-mismatch`,
    ]);
  });
});

describe('subjectHash', () => {
  const key = () => randomBytes(32);

  it('is a 64-hex HMAC that depends on the key', () => {
    const [a, b] = [key(), key()];
    expect(subjectHash(a, HETU)).toMatch(/^[0-9a-f]{64}$/);
    expect(subjectHash(a, HETU)).toBe(subjectHash(a, HETU));
    expect(subjectHash(a, HETU)).not.toBe(subjectHash(b, HETU));
  });

  it('gives different persons different hashes under one key', () => {
    const k = key();
    expect(subjectHash(k, makeHetu('1985-06-21', 418))).not.toBe(subjectHash(k, HETU));
  });

  it('hashes a code the same whatever its case and surrounding whitespace', () => {
    const k = key();
    const code = makeHetu('2001-02-03', 250);
    expect(code).toMatch(/[A-Z]/);
    expect(subjectHash(k, `  ${code.toLowerCase()}\t\n`)).toBe(subjectHash(k, code));
  });

  it('never contains the code or anything shaped like one, for many codes', () => {
    const k = Buffer.from('0f'.repeat(32), 'hex');
    for (let n = 2; n < 400; n += 7) {
      const code = makeHetu('1979-12-31', n);
      const hash = subjectHash(k, code);
      expect(hash).not.toContain(code);
      expect(containsHetuShape(hash)).toBe(false);
    }
  });
});

describe('the audit key behind the digests', () => {
  it('makes a record changed and resealed without the key fail, even with every link recomputed', () => {
    const { ingress, hop } = chainTree();
    const otherKey = randomBytes(32);
    const forgedIngress = sealRecord({ ...ingress, outcome: 'rejected' }, otherKey);
    const forgedHop = sealRecord({ ...hop, parentDigest: forgedIngress.digest }, otherKey);
    const result = verifyChain([forgedIngress, forgedHop], KEY);
    expect(result.broken.map((b) => [b.hop, b.problem])).toEqual([
      [forgedIngress.hop, 'digest-mismatch'],
      [forgedHop.hop, 'digest-mismatch'],
      [forgedHop.hop, 'parent-digest-mismatch'],
    ]);
  });

  it('flags a queue-fed hop that claims to be a root, so a record cannot be cut loose from its parent', () => {
    const { ingress, hop } = chainTree();
    const cutLoose = sealRecord({ ...hop, parentHop: null, parentDigest: null }, KEY);
    expect(verifyChain([ingress, cutLoose], KEY).broken).toEqual([
      expect.objectContaining({ hop: cutLoose.hop, problem: 'unexpected-root' }),
    ]);
    expect(verifyChain([ingress], KEY).ok).toBe(true);
  });
});
