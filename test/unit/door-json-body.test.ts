/**
 * A body with a key naming JavaScript's prototype machinery is refused at the door, by path, before
 * anything reads it (found by test/integration/door-fuzz.test.ts: an otherwise valid envelope with
 * a `__proto__` key was accepted with the key silently dropped).
 */
import { describe, expect, it } from 'vitest';
import type { ClientRecord } from '#contracts/clients';
import { acceptEnvelopes } from '#functions/ingress/accept';
import { acknowledge, type InboxDeps } from '#functions/inbox/pull';
import { parseJsonBody } from '#lib/door/json-body';

const envelope = {
  messageId: '5b0c8a53-2f0e-4d7a-9a51-0c6f3e2b9d11',
  correlationId: '0e7d3c42-8f5b-4b6e-a1d2-7c9e4f1a2b33',
  causationId: null,
  type: 'outreach.referral.v1',
  target: 'hub',
  municipality: '905',
  occurredAt: '2026-11-02T09:30:00+02:00',
  payload: { referrer: { authority: 'te-services', businessId: '2296962-1' }, hetu: '150685-9237', reason: 'UNEMPLOYED_JOBSEEKER', referredOn: '2026-10-30' },
};
/** The text of `envelope` with `"key": {}` added at `at` (`JSON.stringify` would drop or apply a literal `__proto__`). */
const withKey = (key: string, at: 'top' | 'payload' | 'referrer') => {
  const text = JSON.stringify(envelope);
  const marker = { top: '"messageId":', payload: '"hetu":', referrer: '"authority":' }[at];
  return text.replace(marker, `${JSON.stringify(key)}:{"type":"x"},${marker}`);
};

describe('parseJsonBody', () => {
  it('gives back what JSON.parse gives for a body without such keys', () => {
    expect(parseJsonBody(JSON.stringify(envelope))).toEqual({ ok: true, value: envelope });
    expect(parseJsonBody('[1,{"a":[null,{"b":"constructor"}]}]')).toMatchObject({ ok: true });
  });

  it('refuses text that is not JSON', () => {
    expect(parseJsonBody('{"a":')).toEqual({ ok: false, error: 'not-json' });
  });

  it.each([
    ['__proto__', 'top', '(root)'],
    ['__proto__', 'payload', 'payload'],
    ['constructor', 'referrer', 'payload.referrer'],
    ['prototype', 'payload', 'payload'],
  ] as const)('refuses a key %s in %s, naming where', (key, at, path) => {
    expect(parseJsonBody(withKey(key, at))).toEqual({ ok: false, error: 'forbidden-key', key, path });
  });

  it('refuses the key however it is escaped, and inside arrays', () => {
    expect(parseJsonBody('{"\\u005f_proto__":{}}')).toMatchObject({ error: 'forbidden-key', key: '__proto__' });
    expect(parseJsonBody('[{"a":1},[{"constructor":{"prototype":{}}}]]')).toMatchObject({ error: 'forbidden-key', key: 'constructor', path: '[1][0]' });
  });

  it('walks a body nested 100,000 deep without overflowing the stack', () => {
    const depth = 100_000;
    expect(parseJsonBody(`${'['.repeat(depth)}1${']'.repeat(depth)}`)).toMatchObject({ ok: true });
    const refused = parseJsonBody(`${'{"a":'.repeat(depth)}{"__proto__":1}${'}'.repeat(depth)}`);
    expect(refused).toMatchObject({ ok: false, error: 'forbidden-key', path: expect.stringMatching(/^a\.a\.a.*…$/) });
    expect((refused as { path: string }).path.length).toBeLessThanOrEqual(201);
  });
});

describe('at the door', () => {
  const caller = { clientId: 'vaasa-905', system: 'municipality:905', municipalities: ['905'], sends: ['outreach.referral.v1'], receives: [] } as unknown as ClientRecord;

  it('ingress answers 400 forbidden-key naming the path, before validating or queueing anything', async () => {
    const answer = await acceptEnvelopes(withKey('__proto__', 'payload'), caller, { served: ['905'], now: Date.parse('2026-11-02T08:00:00Z') });
    expect(answer).toEqual({
      status: 400,
      body: { error: 'forbidden-key', message: expect.stringContaining('__proto__'), issues: [{ path: 'payload', message: 'key __proto__ is refused' }] },
    });
    expect(JSON.stringify(answer)).not.toContain('150685-9237');
  });

  it('the inbox refuses an acknowledgement with such a key before it reads the store', async () => {
    const untouchable = new Proxy({}, { get: () => () => Promise.reject(new Error('the store was read')) });
    const deps = { store: untouchable, lists: async () => undefined, now: () => 0 } as unknown as InboxDeps;
    const answer = await acknowledge({ clientId: 'vaasa', municipalities: ['905'], receives: [] }, '905', '{"cursor":"1","__proto__":{"cursor":"2"}}', deps);
    expect(answer).toMatchObject({ status: 400, json: { error: 'body', message: expect.stringContaining('__proto__') } });
  });
});
