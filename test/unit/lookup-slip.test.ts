/**
 * The routing slip: its next hop, with and without the outreach rules steering it (one decision of
 * which register next, `functions/outreach/slip.ts`), and what it carries — of Kela's rows only what
 * the rules read, and no name.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Envelope } from '#contracts/envelope';
import { makeHetu } from '#contracts/hetu';
import type { LookupCompletedV1, LookupRequestedV1 } from '#contracts/messages/lookup';
import { buildEnvelope } from '#contracts/messages/registry';
import type { VtjLookupOutcomeV1 } from '#contracts/canonical/person';
import { notFoundResidence, type ResidenceV1 } from '#contracts/canonical/residence';
import type { KelmuRow } from '#contracts/kelmu/mapper';
import { nextHop } from '#lib/lookup-adapter';
import { decideCandidate, lookupsNeeded } from '#functions/outreach/rules';
import { judgeSlip, outreachNextSteps } from '#functions/outreach/slip';

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

const residence = (ground: ResidenceV1['ground']): ResidenceV1 => ({
  hetu,
  found: true,
  firstPermitDate: '2025-03-01',
  permitType: 'A',
  ground,
  quotaRefugee: false,
  traffickingVictim: false,
  compensation: { eligible: false, until: null },
  permits: [],
  firstHomeMunicipality: null,
  finnishCitizenSince: null,
  traffickingVictimPeriod: null,
  familyLinks: [],
});

/** A whole row of Kela's list, as the list gives it: code and names included. */
const kelaRow = (row: Pick<KelmuRow, 'benefit' | 'temporary' | 'from' | 'to'>): KelmuRow => ({ hetu, lastName: 'Haddad', firstNames: 'Amina Sara', ...row });
const benefit = { benefit: 'basic-social-assistance', temporary: false, from: '2026-09-01', to: null } as const;

describe('the next hop of a lookup slip', () => {
  it('follows the steps the slip names when it carries no rules', () => {
    const hop = nextHop('vtj', 'vtj-adapter', slip({ steps: ['vtj', 'datastore'] }), found('905'));
    expect(hop).toMatchObject({ queue: 'datastore-lookups', completed: false, payload: { steps: ['datastore'] } });
  });

  it('follows the steps the slip names when the adapter is given no choice of its own, rules or not', () => {
    const hop = nextHop('vtj', 'vtj-adapter', slip({ rules, steps: ['vtj', 'datastore'] }), found('091'));
    expect(hop).toMatchObject({ queue: 'datastore-lookups', completed: false, payload: { steps: ['datastore'] } });
  });

  it('follows the steps the slip names when it carries no rules, with the outreach choice wired in', () => {
    const hop = nextHop('vtj', 'vtj-adapter', slip({ steps: ['vtj', 'uma'] }), found('091'), outreachNextSteps);
    expect(hop).toMatchObject({ queue: 'uma-lookups', completed: false, payload: { steps: ['uma'] } });
  });

  it('asks nobody else about a person VTJ already decides (moved away), and delivers to the requester', () => {
    const hop = nextHop('vtj', 'vtj-adapter', slip({ rules }), found('091'), outreachNextSteps);
    expect(hop).toMatchObject({ queue: 'outreach-decisions', completed: true, payload: { steps: [] } });
    expect(hop.payload.results.vtj).toEqual(found('091'));
  });

  it('asks UMA next about a resident adult VTJ lets through, one register at a time', () => {
    const hop = nextHop('vtj', 'vtj-adapter', slip({ rules }), found('905'), outreachNextSteps);
    expect(hop).toMatchObject({ queue: 'uma-lookups', completed: false, payload: { steps: ['uma'] } });
  });

  it('asks the data store only when UMA and Kela leave the person a possible target', () => {
    const afterVtj = slip({ rules: { municipality: '905', kelaRows: [benefit] }, steps: ['uma'], results: { vtj: found('905') } });
    expect(nextHop('uma', 'uma-adapter', afterVtj, residence('family'), outreachNextSteps)).toMatchObject({ queue: 'datastore-lookups', payload: { steps: ['datastore'] } });
    // No Kela reason and no UMA reason: NOT_IN_TARGET_GROUP without asking the data store.
    const noReason = slip({ rules, steps: ['uma'], results: { vtj: found('905') } });
    expect(nextHop('uma', 'uma-adapter', noReason, residence('family'), outreachNextSteps)).toMatchObject({ queue: 'outreach-decisions', completed: true });
  });

  it('gives the deciders the same choice: a slip that completed early goes on to the register still needed', () => {
    const early = { ...slip({ rules, results: { vtj: found('905') } }), type: 'lookup.completed.v1' } as unknown as Envelope<LookupCompletedV1>;
    expect(judgeSlip(early)).toEqual({ next: 'uma' });
    const moved = { ...slip({ rules, results: { vtj: found('091') } }), type: 'lookup.completed.v1' } as unknown as Envelope<LookupCompletedV1>;
    expect(judgeSlip(moved)).toEqual({ decision: { kind: 'excluded', code: 'NOT_RESIDENT' } });
  });

  it('refuses a slip that reached the wrong adapter', () => {
    expect(() => nextHop('uma', 'uma-adapter', slip({}), notFoundResidence(hetu))).toThrow(/misrouted|next step is vtj/);
  });
});

/** The fields of Kela's rows the rules read, found by watching them decide candidates of every kind. */
const fieldsTheRulesRead = (): Set<string> => {
  const read = new Set<string>();
  const watched = (row: KelmuRow): KelmuRow =>
    new Proxy(row, {
      get(target, property, receiver) {
        if (typeof property === 'string') read.add(property);
        return Reflect.get(target, property, receiver) as unknown;
      },
    });
  const rows = [
    kelaRow(benefit),
    kelaRow({ benefit: 'basic-social-assistance', temporary: true, from: '2026-01-01', to: '2026-12-31' }),
    kelaRow({ benefit: 'child-home-care-allowance', temporary: false, from: '2025-01-01', to: '2026-06-30' }),
    kelaRow({ benefit: 'child-home-care-allowance', temporary: true, from: '2027-01-01', to: null }),
  ];
  for (const row of rows) {
    for (const ground of ['family', 'international-protection'] as const) {
      const candidate = { municipality: '905', asOf: '2026-11-01', hetu, kelaRows: [watched(row)], vtj: found('905'), residence: residence(ground) };
      lookupsNeeded(candidate);
      decideCandidate({ ...candidate, integration: { hetu, assessments: [], plans: [] } });
    }
  }
  return read;
};

describe('what a lookup slip carries', () => {
  const names = ['Haddad', 'Amina', 'lastName', 'firstNames'];

  it.each(['lookup.requested.v1', 'lookup.completed.v1', 'lookup.failed.v1'] as const)(
    'a %s carries of Kela\'s rows only the fields the rules read, and no name, even when given whole rows',
    (type) => {
      const payload = {
        hetu,
        asOf: '2026-11-01',
        ...(type === 'lookup.requested.v1' ? { steps: ['vtj'] } : {}),
        results: {},
        replyTo: 'outreach-decisions',
        context: { runId: randomUUID(), candidate: 'c-0001' },
        rules: { municipality: '905', kelaRows: [kelaRow(benefit), kelaRow({ benefit: 'child-home-care-allowance', temporary: false, from: '2026-01-01', to: null })] },
        ...(type === 'lookup.failed.v1' ? { failedStep: 'vtj', reason: 'x' } : {}),
      };
      // Every send goes through buildEnvelope (`hop.emit`), and what it returns is what goes on the queue.
      const sent = buildEnvelope(type, payload as never, { messageId: randomUUID(), correlationId: randomUUID(), causationId: null, source: 'hub', target: 'vtj', municipality: '905' });
      const onTheWire = JSON.stringify(sent.payload);
      for (const name of names) expect(onTheWire).not.toContain(name);
      const { rules: carried } = sent.payload as { rules: { kelaRows: object[] } };
      const read = fieldsTheRulesRead();
      for (const row of carried.kelaRows) {
        expect(Object.keys(row).filter((field) => !read.has(field))).toEqual([]);
        expect(Object.keys(row).sort()).toEqual(['benefit', 'from', 'temporary', 'to']);
      }
      // The code is the slip's own `hetu`, once; no row repeats it.
      expect(onTheWire.split(hetu)).toHaveLength(2);
    },
  );

  it('reads the rules as they were: the fields kept are exactly those the rules read', () => {
    expect([...fieldsTheRulesRead()].filter((field) => field in kelaRow(benefit)).sort()).toEqual(['benefit', 'from', 'temporary', 'to']);
  });

  it('goes on from each adapter carrying what it came with, and what VTJ answered', () => {
    const start = buildEnvelope('lookup.requested.v1', { hetu, asOf: '2026-11-01', steps: ['vtj'], results: {}, replyTo: 'outreach-decisions', context: {}, rules: { municipality: '905', kelaRows: [kelaRow(benefit)] } }, {
      messageId: randomUUID(),
      correlationId: randomUUID(),
      causationId: null,
      source: 'hub',
      target: 'vtj',
      municipality: '905',
    });
    const hop = nextHop('vtj', 'vtj-adapter', start, found('905'), outreachNextSteps);
    expect(hop.payload.rules).toEqual({ municipality: '905', kelaRows: [benefit] });
  });
});
