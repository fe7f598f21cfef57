import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { containsHetuShape, makeHetu } from '#contracts/hetu';
import type { Envelope } from '#contracts/envelope';
import { SchemaViolation, buildEnvelope, parseEnvelope, subjectOf, type FieldIssue } from '#contracts/messages/registry';
import type { ReferralV1 } from '#contracts/messages/referral';
import { referral } from '../support/envelopes.ts';

const HETU = makeHetu('1988-04-12', 345);
/** Valid date and individual number, wrong check character: malformed, and still personal data. */
const BAD_HETU = `${HETU.slice(0, 10)}${HETU.endsWith('0') ? '1' : '0'}`;
const BAD_UUID = 'msg-0042-not-a-uuid';
const BAD_MUNICIPALITY = '90500';

const issuesOf = (raw: unknown): readonly FieldIssue[] => {
  const result = parseEnvelope(raw);
  if (result.ok) throw new Error('expected the envelope to be refused');
  return result.issues;
};

const envelopeFields = (overrides: Partial<Omit<Envelope, 'type' | 'payload'>> = {}) => ({
  messageId: randomUUID(),
  correlationId: randomUUID(),
  causationId: null,
  source: 'authority:te-services',
  target: 'hub',
  municipality: '905',
  ...overrides,
});

const referralPayload = (overrides: Partial<ReferralV1> = {}): ReferralV1 => ({
  referrer: { authority: 'te-services', businessId: '2296962-1' },
  hetu: HETU,
  reason: 'INTERNATIONAL_PROTECTION',
  referredOn: '2026-10-30',
  ...overrides,
});

describe('parseEnvelope', () => {
  it('accepts a valid referral and returns it with its payload', () => {
    const envelope = referral({ payload: { hetu: HETU } });
    const result = parseEnvelope(JSON.parse(JSON.stringify(envelope)));
    expect(result).toEqual({ ok: true, envelope });
  });

  it('normalises the HETU of a referral to upper case without surrounding spaces', () => {
    const envelope = referral({ payload: { hetu: makeHetu('2003-07-01', 77, 'B') } });
    const result = parseEnvelope({ ...envelope, payload: { ...envelope.payload, hetu: ` ${envelope.payload.hetu.toLowerCase()} ` } });
    expect(result.ok && (result.envelope.payload as ReferralV1).hetu).toBe(envelope.payload.hetu);
  });

  it('reports every failing envelope field and payload field at once, by path', () => {
    const envelope = referral();
    const issues = issuesOf({
      ...envelope,
      messageId: BAD_UUID,
      municipality: BAD_MUNICIPALITY,
      occurredAt: 'yesterday',
      payload: { ...envelope.payload, hetu: BAD_HETU, reason: 'BORED', referrer: { authority: 'te-services', businessId: 'abc' } },
    });
    expect(issues.map((i) => i.path).sort()).toEqual(
      ['messageId', 'municipality', 'occurredAt', 'payload.hetu', 'payload.reason', 'payload.referrer.businessId'].sort(),
    );
  });

  it('never quotes an offending value in an issue message: not a HETU, a bad UUID or a bad municipality code', () => {
    const envelope = referral();
    const issues = issuesOf({
      ...envelope,
      messageId: BAD_UUID,
      correlationId: HETU,
      municipality: BAD_MUNICIPALITY,
      source: HETU,
      payload: { ...envelope.payload, hetu: BAD_HETU, reason: HETU, referrer: { authority: HETU, businessId: HETU } },
    });
    expect(issues.map((i) => i.path).sort()).toEqual(
      ['correlationId', 'messageId', 'municipality', 'payload.hetu', 'payload.reason', 'payload.referrer.authority', 'payload.referrer.businessId', 'source'].sort(),
    );
    for (const { message } of issues) {
      expect(message).not.toContain(BAD_UUID);
      expect(message).not.toContain(BAD_MUNICIPALITY);
      expect(message).not.toContain(HETU.slice(0, 6));
      expect(message).not.toContain(BAD_HETU.slice(0, 6));
      expect(containsHetuShape(message)).toBe(false);
    }
  });

  it('says what is wrong with a malformed HETU without saying what it was', () => {
    const envelope = referral();
    const [issue] = issuesOf({ ...envelope, payload: { ...envelope.payload, hetu: BAD_HETU } });
    expect(issue).toEqual({ path: 'payload.hetu', message: expect.stringContaining('check character') });
  });

  it('reports an unknown message type under `type`', () => {
    expect(issuesOf({ ...referral(), type: 'outreach.unknown.v1' })).toEqual([{ path: 'type', message: 'unknown message type outreach.unknown.v1' }]);
  });

  it('reports a type that is not a versioned name under `type`', () => {
    expect(issuesOf({ ...referral(), type: 'Referral' }).map((i) => i.path)).toEqual(['type']);
  });

  it.each([
    ['null', null],
    ['a string', 'outreach.referral.v1'],
    ['an array', []],
  ])('refuses %s as a whole, at (root)', (_label, raw) => {
    expect(issuesOf(raw).map((i) => i.path)).toEqual(['(root)']);
  });
});

describe('buildEnvelope', () => {
  it('builds a valid envelope of the type, stamping occurredAt when none is given', () => {
    const before = Date.now();
    const envelope = buildEnvelope('outreach.referral.v1', referralPayload(), envelopeFields());
    expect(envelope.type).toBe('outreach.referral.v1');
    expect(envelope.payload.hetu).toBe(HETU);
    expect(Date.parse(envelope.occurredAt)).toBeGreaterThanOrEqual(before - 1);
    expect(parseEnvelope(envelope).ok).toBe(true);
  });

  it('keeps a given occurredAt', () => {
    const envelope = buildEnvelope('outreach.referral.v1', referralPayload(), { ...envelopeFields(), occurredAt: '2026-01-02T03:04:05.000Z' });
    expect(envelope.occurredAt).toBe('2026-01-02T03:04:05.000Z');
  });

  it('throws a SchemaViolation naming the type and every failing path, for a bad payload and a bad envelope field', () => {
    let thrown: unknown;
    try {
      buildEnvelope('outreach.referral.v1', referralPayload({ hetu: BAD_HETU }), envelopeFields({ municipality: BAD_MUNICIPALITY }));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SchemaViolation);
    const violation = thrown as SchemaViolation;
    expect(violation.messageType).toBe('outreach.referral.v1');
    expect(violation.issues.map((i) => i.path).sort()).toEqual(['municipality', 'payload.hetu']);
    expect(violation.message).toContain('payload.hetu');
    expect(violation.message).not.toContain(BAD_HETU.slice(0, 6));
  });
});

describe('subjectOf', () => {
  it("returns the referral's HETU", () => {
    expect(subjectOf(referral({ payload: { hetu: HETU } }))).toBe(HETU);
  });

  it('returns nothing for an envelope of a type that is not registered', () => {
    expect(subjectOf({ ...referral(), type: 'outreach.unknown.v1' })).toBeUndefined();
  });
});
