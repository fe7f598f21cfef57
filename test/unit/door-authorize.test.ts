/**
 * Authorization at the door, rule by rule (functions/lib/door/authorize.ts): each refusal names its
 * rule and never the value that broke it; the client's rate (client-rate.ts) on a driven clock.
 */
import { describe, expect, it } from 'vitest';
import type { Caller } from '#contracts/clients';
import { clientRecordSchema, clientSystemProblem } from '#contracts/clients';
import type { Envelope } from '#contracts/envelope';
import { asOfInWindow, authorize, DOOR_RULES, stampSource } from '#lib/door/authorize';
import { ClientRateLimiter } from '#lib/door/client-rate';
import { referral } from '../support/envelopes.ts';

const NOW = Date.parse('2026-12-02T12:00:00Z');
const vaasa: Caller = {
  clientId: 'vaasa-905',
  name: 'Vaasa',
  system: 'municipality:905',
  municipalities: ['905'],
  sends: ['outreach.referral.v1', 'outreach.run.requested.v1'],
  receives: ['outreach.decision.v1'],
  authentication: { certificateSha256: 'A'.repeat(64) },
  ratePerMinute: 60,
  status: 'active',
  createdAt: '2026-12-01T00:00:00Z',
};
const context = { served: ['905', '091', '837'], now: NOW };

const run = (fields: Partial<Envelope> = {}, asOf = '2026-11-01'): Envelope => ({
  ...referral({ source: 'municipality:905', municipality: '905' }),
  type: 'outreach.run.requested.v1',
  payload: { asOf, requestedBy: 'ingress', listPageSize: 200 },
  ...fields,
});

const ruleOf = (envelope: Envelope, caller: Caller = vaasa, ctx = context) => {
  const verdict = authorize(caller, envelope, ctx);
  return verdict.ok ? 'allowed' : verdict.rule;
};

describe('authorize', () => {
  it('allows Vaasa’s system a run and a referral for 905', () => {
    expect(ruleOf(run())).toBe('allowed');
    expect(ruleOf(referral({ source: 'municipality:905', municipality: '905' }))).toBe('allowed');
  });

  it('refuses a source other than the client’s system, whatever it claims to be', () => {
    for (const source of ['vtj', 'hub', 'municipality:091', 'authority:te-services']) {
      expect(ruleOf(run({ source })), source).toBe('source-not-yours');
    }
  });

  it('refuses a target other than the hub', () => {
    expect(ruleOf(run({ target: 'municipality:091' }))).toBe('target-not-hub');
  });

  it('refuses a type the client may not send', () => {
    expect(ruleOf(run(), { ...vaasa, sends: ['outreach.referral.v1'] })).toBe('type-not-permitted');
  });

  it('refuses a municipality the client does not act for', () => {
    expect(ruleOf(run({ municipality: '091' }))).toBe('municipality-not-yours');
  });

  it('refuses a municipality the hub does not serve, even one the client acts for', () => {
    const regional = { ...vaasa, system: 'authority:region', municipalities: ['905', '049'] };
    expect(ruleOf(run({ source: 'authority:region', municipality: '049' }), regional)).toBe('municipality-not-served');
  });

  it('refuses a run as of a day outside 2025-01-01 … today + 31 days', () => {
    expect(ruleOf(run({}, '1900-01-01'))).toBe('as-of-out-of-range');
    expect(ruleOf(run({}, '2024-12-31'))).toBe('as-of-out-of-range');
    expect(ruleOf(run({}, '2025-01-01'))).toBe('allowed');
    expect(ruleOf(run({}, '2027-01-02'))).toBe('allowed');
    expect(ruleOf(run({}, '2027-01-03'))).toBe('as-of-out-of-range');
    expect(asOfInWindow('2027-01-03', NOW + 86_400_000)).toBe(true);
  });

  it('refuses a referral whose occurredAt (its day D) is before 2025-01-01 or ahead of now', () => {
    const at = (occurredAt: string) => ruleOf({ ...referral({ source: 'municipality:905', municipality: '905' }), occurredAt });
    expect(at('0000-01-01T00:00:00+01:00')).toBe('occurred-at-out-of-range');
    expect(at('2024-12-31T23:59:59.000Z')).toBe('occurred-at-out-of-range');
    expect(at('2025-01-01T00:00:00.000Z')).toBe('allowed');
    expect(at('2026-12-02T12:04:59.000Z')).toBe('allowed');
    expect(at('2026-12-02T12:05:01.000Z')).toBe('occurred-at-out-of-range');
    expect(at('2099-01-01T00:00:00.000Z')).toBe('occurred-at-out-of-range');
    // Only a referral's day is its occurredAt: a run has its asOf.
    expect(ruleOf(run({ occurredAt: '2099-01-01T00:00:00.000Z' }))).toBe('allowed');
  });

  it('names the rule in its message, never the refused value', () => {
    const verdict = authorize(vaasa, run({ municipality: '091' }), context);
    expect(verdict).toEqual({ ok: false, rule: 'municipality-not-yours', message: DOOR_RULES['municipality-not-yours'] });
    expect(JSON.stringify(verdict)).not.toContain('091');
  });
});

describe('stampSource', () => {
  it('gives an item without a source its client’s system and leaves a claimed one for authorize to judge', () => {
    const { source: _dropped, ...bare } = run();
    expect(stampSource(bare, vaasa)).toMatchObject({ source: 'municipality:905' });
    expect(stampSource({ ...bare, source: 'vtj' }, vaasa)).toMatchObject({ source: 'vtj' });
    expect(stampSource('not an object', vaasa)).toBe('not an object');
  });
});

describe('the client record', () => {
  it('refuses a client that would speak as the hub, a register, or a municipality it does not act for alone', () => {
    expect(clientSystemProblem('hub', ['905'])).toMatch(/hub's own/);
    expect(clientSystemProblem('vtj', ['905'])).toMatch(/national register/);
    expect(clientSystemProblem('municipality:905', ['905', '091'])).toMatch(/exactly \[905\]/);
    expect(clientSystemProblem('authority:te-services', ['905', '091'])).toBeUndefined();
    expect(clientRecordSchema.safeParse({ ...vaasa, system: 'municipality:091' }).success).toBe(false);
    expect(clientRecordSchema.safeParse(vaasa).success).toBe(true);
  });
});

describe('ClientRateLimiter', () => {
  it('lets a client burst its minute, then answers with the seconds until the next request', () => {
    let now = NOW;
    const limiter = new ClientRateLimiter({ now: () => now });
    for (let i = 0; i < 6; i++) expect(limiter.take('a', 6).ok).toBe(true);
    expect(limiter.take('a', 6)).toEqual({ ok: false, retryAfterSeconds: 10 });
    expect(limiter.take('b', 6).ok, 'another client has its own bucket').toBe(true);
    now = NOW + 9_000;
    expect(limiter.take('a', 6)).toEqual({ ok: false, retryAfterSeconds: 1 });
    now = NOW + 10_000;
    expect(limiter.take('a', 6).ok).toBe(true);
    expect(limiter.take('a', 6).ok).toBe(false);
  });
});
