/** The routing slip's next hop, with and without the outreach rules steering it. */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Envelope } from '#contracts/envelope';
import { makeHetu } from '#contracts/hetu';
import type { LookupRequestedV1 } from '#contracts/messages/lookup';
import type { VtjLookupOutcomeV1 } from '#contracts/canonical/person';
import { nextHop } from '#lib/lookup-adapter';

const hetu = makeHetu('1990-04-02', 321);

const slip = (payload: Partial<LookupRequestedV1>): Envelope<LookupRequestedV1> => ({
  messageId: randomUUID(),
  correlationId: randomUUID(),
  causationId: null,
  type: 'lookup.requested.v1',
  source: 'hub',
  target: 'vtj',
  municipality: '905',
  occurredAt: '2026-11-01T08:00:00.000Z',
  payload: { hetu, asOf: '2026-11-01', steps: ['vtj'], results: {}, replyTo: 'outreach-decisions', context: {}, ...payload },
});

const found = (kotikunta: string): VtjLookupOutcomeV1 => ({
  outcome: 'found',
  paluukoodi: '0000',
  person: {
    hetu,
    lastName: 'Test',
    firstNames: 'Person',
    kotikunta: { code: kotikunta, since: '2025-01-01' },
    address: null,
    turvakielto: false,
    dateOfDeath: null,
    nationalities: ['SYR'],
    citizenship: 'not-citizen',
    nativeLanguage: 'ar',
  },
});

const rules = { municipality: '905', kelaRows: [] };

describe('the next hop of a lookup slip', () => {
  it('follows the steps the slip names when it carries no rules', () => {
    const hop = nextHop('vtj', 'vtj-adapter', slip({ steps: ['vtj', 'datastore'] }), found('905'));
    expect(hop).toMatchObject({ queue: 'datastore-lookups', completed: false, payload: { steps: ['datastore'] } });
  });

  it('asks nobody else about a person VTJ already decides (moved away), and delivers to the requester', () => {
    const hop = nextHop('vtj', 'vtj-adapter', slip({ rules }), found('091'));
    expect(hop).toMatchObject({ queue: 'outreach-decisions', completed: true, payload: { steps: [] } });
    expect(hop.payload.results.vtj).toEqual(found('091'));
  });

  it('asks UMA next about a resident adult VTJ lets through, one register at a time', () => {
    const hop = nextHop('vtj', 'vtj-adapter', slip({ rules }), found('905'));
    expect(hop).toMatchObject({ queue: 'uma-lookups', completed: false, payload: { steps: ['uma'] } });
  });

  it('refuses a slip that reached the wrong adapter', () => {
    expect(() => nextHop('uma', 'uma-adapter', slip({}), { hetu, found: false, firstPermitDate: null, permitType: null, ground: null, quotaRefugee: false, traffickingVictim: false, compensation: { eligible: false, until: null } })).toThrow(/misrouted|next step is vtj/);
  });
});
