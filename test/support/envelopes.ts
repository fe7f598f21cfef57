/** Small factories for envelopes in tests. */
import { randomUUID } from 'node:crypto';
import { makeHetu } from '#contracts/hetu';
import type { Envelope } from '#contracts/envelope';
import type { ReferralV1 } from '#contracts/messages/referral';

let serial = 100;
/** A fresh valid HETU of an adult (born 1990, century sign `-`). */
export const freshHetu = (): string => makeHetu('1990-03-15', serial++);

export const referral = (overrides: Partial<Omit<Envelope<ReferralV1>, 'payload'>> & { payload?: Partial<ReferralV1> } = {}): Envelope<ReferralV1> => {
  const { payload, ...fields } = overrides;
  return {
    messageId: randomUUID(),
    correlationId: randomUUID(),
    causationId: null,
    type: 'outreach.referral.v1',
    source: 'authority:te-services',
    target: 'hub',
    municipality: '905',
    occurredAt: '2026-11-01T08:00:00.000Z',
    ...fields,
    payload: {
      referrer: { authority: 'te-services', businessId: '2296962-1' },
      hetu: freshHetu(),
      reason: 'UNEMPLOYED_JOBSEEKER',
      referredOn: '2026-10-30',
      ...payload,
    },
  };
};
