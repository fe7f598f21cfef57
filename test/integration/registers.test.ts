/**
 * The national register adapters through the real embedded runtime: local-aws-sqs, dynalite, the
 * runner, the real handlers, and the VTJ, UMA, Kelmu and data store mocks over HTTP behind the
 * local X-Road security server — no mocked SDK client anywhere. Expectations are computed from the
 * fixture population, never copied from a mock's answer.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Envelope } from '#contracts/envelope';
import { containsHetuShape } from '#contracts/hetu';
import type { FixturePerson } from '#contracts/population';
import type { LookupCompletedV1, LookupFailedV1, LookupRequestedV1, LookupSystem } from '#contracts/messages/lookup';
import type { KelmuListPageV1, UmaProtectionListPageV1 } from '#contracts/messages/lists';
import { lookupQueues, type FunctionName, type QueueName } from '#infra/topology';
import type { FaultRule, MockServer } from '#mocks/framework';
import { loadPopulation, type PopulationIndex } from '#mocks/population-index';
import type { AuditRecord } from '#lib/audit/record';
import { auditKey } from '#lib/audit/key';
import { verifyChain } from '#ops/audit/verify';
import { eventually, startTestHub, type TestHub } from '../support/hub.ts';
import { drain } from '../support/queues.ts';
import { expectNoPersonalDataIn, personalDataOf } from '../support/personal-data.ts';
import { attributeOf, takeDeadLetter } from '../support/dead-letters.ts';
import {
  AS_OF,
  expectedResults,
  kelmuListRequest,
  lookupRequest,
  personWhere,
  umaListRequest,
} from '../support/registers.ts';

const SAMPLE = 'mocks/population/sample.json';
/** The adapters' X-Road timeout in this file: low, so that a hanging register costs a second. */
const XROAD_TIMEOUT_MS = 1000;

const ADAPTERS: readonly FunctionName[] = ['vtj-adapter', 'uma-adapter', 'datastore-adapter', 'kelmu-adapter', 'uma-list-adapter'];

let hub: TestHub;
let population: PopulationIndex;
const savedTimeout = process.env.KOTO_XROAD_TIMEOUT_MS;

beforeAll(async () => {
  // Read by the X-Road clients when the handlers first call a register: set before the runtime starts.
  process.env.KOTO_XROAD_TIMEOUT_MS = String(XROAD_TIMEOUT_MS);
  population = await loadPopulation(SAMPLE);
  // Only the adapters run: the queues they answer to have no consumer here, so the test reads them.
  hub = await startTestHub({ population: SAMPLE, functions: ADAPTERS });
});
afterAll(async () => {
  await hub?.stop();
  if (savedTimeout === undefined) delete process.env.KOTO_XROAD_TIMEOUT_MS;
  else process.env.KOTO_XROAD_TIMEOUT_MS = savedTimeout;
});

const mock = (system: LookupSystem | 'kelmu'): MockServer => hub.mocks![system];
afterEach(() => {
  for (const system of ['vtj', 'uma', 'kelmu', 'datastore'] as const) mock(system).faults.clear();
});

const adapterOf = (system: LookupSystem): FunctionName => `${system}-adapter`;
/** The mock route each lookup adapter calls. */
const lookupRoute: Record<LookupSystem, string> = { vtj: 'vtj.person', uma: 'uma.soap', datastore: 'datastore.status' };

const send = (queue: QueueName, envelope: Envelope): Promise<void> => hub.sendRaw(queue, [JSON.stringify(envelope)]);

const auditBy = async (correlationId: string, stage: string): Promise<AuditRecord[]> =>
  (await hub.auditOf(correlationId)).filter((r) => r.stage === stage);

/** Waits for the record of `stage` with `outcome` in the correlation's audit. */
const auditOutcome = (correlationId: string, stage: string, outcome: string, what: string, timeoutMs?: number): Promise<AuditRecord> =>
  eventually(async () => (await auditBy(correlationId, stage)).find((r) => r.outcome === outcome), what, timeoutMs);

/**
 * What the tests have read off the queues nothing consumes here, and not yet claimed: tests that
 * wait for several correlations at once share it, so no reader drops another's message.
 */
const unclaimed = new Map<QueueName, Envelope[]>();

const claim = <P>(queue: QueueName, correlationId: string): Envelope<P>[] => {
  const all = unclaimed.get(queue) ?? [];
  unclaimed.set(queue, all.filter((e) => e.correlationId !== correlationId));
  return all.filter((e) => e.correlationId === correlationId) as Envelope<P>[];
};

const readInto = async (queue: QueueName, waitMs: number): Promise<void> => {
  const read = await drain(hub.sqs, hub.queues.queue[queue], 10, waitMs);
  unclaimed.set(queue, [...(unclaimed.get(queue) ?? []), ...read]);
};

/** Messages of one correlation on a queue nothing consumes in this file, once `count` are there. */
const collect = async <P>(queue: QueueName, correlationId: string, count: number): Promise<Envelope<P>[]> => {
  const got: Envelope<P>[] = claim<P>(queue, correlationId);
  const deadline = Date.now() + 20_000;
  while (got.length < count && Date.now() < deadline) {
    await readInto(queue, 300);
    got.push(...claim<P>(queue, correlationId));
  }
  return got;
};

/** Whatever of the correlation is still on the queue (an extra delivery), read at once. */
const leftOn = async (queue: QueueName, correlationId: string): Promise<number> => {
  await readInto(queue, 300);
  return claim(queue, correlationId).length;
};

const replies = (correlationId: string, count = 1) => collect<LookupCompletedV1>('outreach-decisions', correlationId, count);

/** A dead-lettered lookup is never answered: its requester is told instead, once, with the failure's code. */
const expectToldOfFailure = async (request: Envelope<LookupRequestedV1>, failedStep: LookupSystem, code: string): Promise<void> => {
  const messages = await collect<LookupFailedV1>('outreach-decisions', request.correlationId, 1);
  expect(messages.map((m) => m.type)).toEqual(['lookup.failed.v1']);
  expect(messages[0]!.payload).toMatchObject({ hetu: request.payload.hetu, failedStep, results: {}, context: request.payload.context });
  expect(messages[0]!.payload.reason.startsWith(code)).toBe(true);
  expect(containsHetuShape(messages[0]!.payload.reason)).toBe(false);
  expect(await leftOn('outreach-decisions', request.correlationId)).toBe(0);
};

const functionStatus = async (name: FunctionName) => (await hub.status()).functions.find((f) => f.name === name)!;

// -------------------------------------------------------------------------------------------------
// Fixture persons, picked by what makes them interesting to each register

interface LookupCase {
  readonly system: LookupSystem;
  readonly who: string;
  readonly pick: (p: FixturePerson) => boolean;
}

const ordinary = (p: FixturePerson) => !p.nonDisclosure && p.dateOfDeath === null && p.address !== null && p.residence !== null;

const lookupCases: readonly LookupCase[] = [
  { system: 'vtj', who: 'a living resident with an address', pick: ordinary },
  { system: 'vtj', who: 'a person with turvakielto (answered without an address)', pick: (p) => p.nonDisclosure && p.address !== null },
  { system: 'vtj', who: 'a deceased person (Paluukoodi 0007)', pick: (p) => p.dateOfDeath !== null },
  { system: 'vtj', who: 'a person of unknown native language', pick: (p) => p.nativeLanguage === null && p.dateOfDeath === null },
  { system: 'uma', who: 'a person with a residence record', pick: (p) => p.residence?.ground === 'international-protection' },
  { system: 'uma', who: 'a quota refugee', pick: (p) => p.residence?.quotaRefugee === true },
  { system: 'uma', who: 'a person without a residence record (found: false)', pick: (p) => p.residence === null },
  { system: 'datastore', who: 'a person with an assessment and a plan', pick: (p) => p.integration.assessmentDate !== null && p.integration.planValidFrom !== null },
  { system: 'datastore', who: 'a person unknown to the data store (empty status)', pick: (p) => p.integration.assessmentDate === null && p.integration.planValidFrom === null },
];

describe('lookup adapters through the embedded runtime', () => {
  it.each(lookupCases)('answers a $system lookup of $who with the canonical result and one audit hop', async ({ system, who, pick }) => {
    const person = personWhere(population, who, pick);
    const request = lookupRequest(person, [system]);
    await send(lookupQueues[system], request);

    const [completed, ...extra] = await replies(request.correlationId);
    expect(extra).toHaveLength(0);
    expect(completed).toMatchObject({
      type: 'lookup.completed.v1',
      correlationId: request.correlationId,
      causationId: request.messageId,
      municipality: person.homeMunicipality,
    });
    expect(completed!.payload).toEqual({
      hetu: person.hetu,
      asOf: AS_OF,
      results: { [system]: expectedResults[system](person) },
      replyTo: 'outreach-decisions',
      context: request.payload.context,
    });

    // The answer is sent just before the hop's audit record is written.
    await auditOutcome(request.correlationId, adapterOf(system), 'processed', 'the adapter hop');
    const records = await hub.auditOf(request.correlationId);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ stage: adapterOf(system), outcome: 'processed', reason: null, messageId: request.messageId });
    expect(records[0]!.subjectHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(records)).not.toContain(person.hetu);
    expect(await leftOn('outreach-decisions', request.correlationId)).toBe(0);
  });

  it('carries a three-step slip through VTJ, UMA and the data store and delivers it once with all three results', async () => {
    const person = personWhere(population, 'a resident with a residence record and a plan', (p) => ordinary(p) && p.integration.planValidFrom !== null);
    const request = lookupRequest(person, ['vtj', 'uma', 'datastore']);
    await send('vtj-lookups', request);

    const [completed, ...extra] = await replies(request.correlationId);
    expect(extra).toHaveLength(0);
    expect(completed!.payload.results).toEqual({
      vtj: expectedResults.vtj(person),
      uma: expectedResults.uma(person),
      datastore: expectedResults.datastore(person),
    });
    expect(completed!.payload).not.toHaveProperty('steps');

    // Outputs are sent before the hop's audit record is written, so the last record means the slip is done.
    await auditOutcome(request.correlationId, 'datastore-adapter', 'processed', 'the data store hop');
    const records = await hub.auditOf(request.correlationId);
    const byStage = (stage: string) => records.find((r) => r.stage === stage)!;
    expect(records.map((r) => `${r.stage}:${r.outcome}`).sort()).toEqual(['datastore-adapter:processed', 'uma-adapter:processed', 'vtj-adapter:processed']);
    expect(byStage('uma-adapter')).toMatchObject({ parentHop: byStage('vtj-adapter').hop, parentDigest: byStage('vtj-adapter').digest });
    expect(byStage('datastore-adapter')).toMatchObject({ parentHop: byStage('uma-adapter').hop, parentDigest: byStage('uma-adapter').digest });
    // The slip was put straight on the VTJ queue, so its first hop is the one root; every link below it holds.
    const { broken } = verifyChain(records, await auditKey());
    expect(broken).toEqual([expect.objectContaining({ hop: byStage('vtj-adapter').hop, problem: 'unexpected-root' })]);
    expect(await leftOn('outreach-decisions', request.correlationId)).toBe(0);
  });
});

// -------------------------------------------------------------------------------------------------
// Faults

const faultCases: readonly { system: LookupSystem; wire: string }[] = [
  { system: 'vtj', wire: 'SOAP' },
  { system: 'uma', wire: 'SOAP' },
  { system: 'datastore', wire: 'REST' },
];

describe('register faults', () => {
  it.each(faultCases)('retries a $system lookup ($wire) answered 503 twice, then delivers the 200 answer once', async ({ system }) => {
    const person = personWhere(population, 'an ordinary resident', ordinary);
    const rule: FaultRule = { route: lookupRoute[system], times: 2, effect: { kind: 'status', status: 503 } };
    mock(system).faults.set([rule]);
    const request = lookupRequest(person, [system]);
    await send(lookupQueues[system], request);

    const [completed, ...extra] = await replies(request.correlationId);
    // A lookup.failed.v1 here means the 503 was taken for a permanent failure; its reason says why.
    const failedReason = (completed?.payload as Partial<LookupFailedV1> | undefined)?.reason;
    expect(completed?.type, `the reply is ${completed?.type}${failedReason ? ` (${failedReason})` : ''}`).toBe('lookup.completed.v1');
    expect(completed?.payload.results).toEqual({ [system]: expectedResults[system](person) });
    expect(extra).toHaveLength(0);
    await auditOutcome(request.correlationId, adapterOf(system), 'processed', 'the successful attempt');
    const records = await hub.auditOf(request.correlationId);
    const byTime = [...records].sort((a, b) => a.recordedAt.localeCompare(b.recordedAt));
    expect(byTime.map((r) => r.outcome)).toEqual(['retry', 'retry', 'processed']);
    for (const retry of byTime.slice(0, 2)) {
      expect(retry.hop).toMatch(new RegExp(`^${request.messageId}#${adapterOf(system)}#attempt-\\d\\.[0-9a-f-]{8}$`));
      expect(retry.reason).toContain('XRoadFault:Http.503');
    }
    expect(mock(system).faults.list()[0]).toMatchObject({ fired: 2, remaining: 0 });
    expect(await leftOn('outreach-decisions', request.correlationId)).toBe(0);
  });

  it.each(faultCases)('dead-letters a $system lookup ($wire) answered with a Client.* fault at its first receive, with the fault code as the reason, and never answers it', async ({ system }) => {
    const person = personWhere(population, 'an ordinary resident', ordinary);
    mock(system).faults.set([{ route: lookupRoute[system], effect: { kind: 'soapFault', faultcode: 'Client.InvalidRequest', faultstring: 'Bad request' } }]);
    const request = lookupRequest(person, [system]);
    await send(lookupQueues[system], request);

    const dead = await takeDeadLetter(hub, lookupQueues[system], request.messageId);
    expect(dead, 'the dead letter').toBeDefined();
    expect(JSON.parse(dead!.Body!)).toEqual(request);
    expect(attributeOf(dead, 'koto.failureCode')).toBe('XRoadFault:Client.InvalidRequest');
    expect(attributeOf(dead, 'koto.failureReason')).toContain('Client.InvalidRequest');
    expect(attributeOf(dead, 'koto.failedStage')).toBe(adapterOf(system));
    expect(containsHetuShape(attributeOf(dead, 'koto.failureReason') ?? '')).toBe(false);

    const record = await auditOutcome(request.correlationId, adapterOf(system), 'dead-letter', 'the dead-letter audit record');
    expect(record.hop).toMatch(new RegExp(`^${request.messageId}#${adapterOf(system)}#attempt-1\\.[0-9a-f-]{8}$`));
    expect(record.reason).toContain('Client.InvalidRequest');
    expect(await hub.auditOf(request.correlationId)).toHaveLength(1);
    expect(mock(system).faults.list()[0]!.fired).toBe(1);
    await expectToldOfFailure(request, system, 'XRoadFault:Client.InvalidRequest');
  });

  // The backoff (ChangeMessageVisibility) must not count as a receive: otherwise each retry uses up
  // two of maxReceiveCount and a transient failure gets three attempts instead of five.
  it('numbers the attempts of a lookup by its receives: a backed-off retry is attempt 2, not 3', async () => {
    const person = personWhere(population, 'an ordinary resident', ordinary);
    mock('datastore').faults.set([
      { route: 'datastore.status', times: 1, effect: { kind: 'status', status: 503 } },
      { route: 'datastore.status', effect: { kind: 'soapFault', faultcode: 'Client.InvalidRequest', faultstring: 'Bad request' } },
    ]);
    const request = lookupRequest(person, ['datastore']);
    await send('datastore-lookups', request);

    await auditOutcome(request.correlationId, 'datastore-adapter', 'dead-letter', 'the second attempt');
    const hops = (await hub.auditOf(request.correlationId))
      .map((r) => `${r.hop.slice(request.messageId.length).replace(/\.[0-9a-f-]{8}$/, '')}:${r.outcome}`)
      .sort();
    expect(hops).toEqual(['#datastore-adapter#attempt-1:retry', '#datastore-adapter#attempt-2:dead-letter']);
    expect(mock('datastore').faults.list().map((r) => r.fired)).toEqual([1, 1]);
  });

  it('gives up on a VTJ call that hangs at the X-Road timeout, well inside the function timeout, and completes once the register answers', async () => {
    const persons = population.persons.filter((p) => ordinary(p) && p.homeMunicipality === '905').slice(0, 3);
    mock('vtj').faults.set([{ route: 'vtj.person', effect: { kind: 'timeout' } }]);
    const requests = persons.map((person) => lookupRequest(person, ['vtj']));
    await hub.sendRaw('vtj-lookups', requests.map((r) => JSON.stringify(r)));

    const firstFailures = await Promise.all(
      requests.map((r) => auditOutcome(r.correlationId, 'vtj-adapter', 'retry', 'a timed-out attempt')),
    );
    for (const failure of firstFailures) {
      expect(failure.reason).toContain('Client.Timeout');
      // The attempt ended at the X-Road timeout, not at the function's (20 s).
      expect(failure.durationMs).toBeLessThan(XROAD_TIMEOUT_MS + 2000);
    }
    mock('vtj').faults.clear();

    const completions = await Promise.all(requests.map((r) => replies(r.correlationId)));
    completions.forEach(([completed], i) => expect(completed?.payload.results.vtj).toEqual(expectedResults.vtj(persons[i]!)));
    for (const request of requests) {
      await auditOutcome(request.correlationId, 'vtj-adapter', 'processed', 'the attempt after the fault was cleared');
      const records = await hub.auditOf(request.correlationId);
      expect(records.filter((r) => r.outcome === 'processed')).toHaveLength(1);
      expect(records.filter((r) => r.outcome !== 'processed').every((r) => r.outcome === 'retry' && r.reason?.includes('Client.Timeout'))).toBe(true);
    }
    const status = await functionStatus('vtj-adapter');
    expect(status.timeouts).toBe(0);
    expect(status.errors).toBe(0);
  });

  it.each([
    { system: 'uma' as const, what: 'malformed XML', effect: { kind: 'malformed' } as const, code: 'XmlRejected:malformed', says: /^XML document/ },
    { system: 'vtj' as const, what: 'a DOCTYPE with entity declarations', effect: { kind: 'custom', name: 'doctype' } as const, code: 'XmlRejected:entity', says: /DOCTYPE.*entity declarations are not accepted/ },
  ])('dead-letters a $system answer that is $what at once, with a clear reason, no entity expanded and no answer', async ({ system, effect, code, says }) => {
    const person = personWhere(population, 'an ordinary resident', ordinary);
    mock(system).faults.set([{ route: lookupRoute[system], effect }]);
    const request = lookupRequest(person, [system]);
    await send(lookupQueues[system], request);

    const dead = await takeDeadLetter(hub, lookupQueues[system], request.messageId);
    expect(dead, 'the dead letter').toBeDefined();
    expect(attributeOf(dead, 'koto.failureCode')).toBe(code);
    const reason = attributeOf(dead, 'koto.failureReason') ?? '';
    expect(reason).toMatch(says);
    expect(reason).not.toMatch(/lol/);
    const record = await auditOutcome(request.correlationId, adapterOf(system), 'dead-letter', 'the dead-letter audit record');
    expect(record.hop).toMatch(new RegExp(`^${request.messageId}#${adapterOf(system)}#attempt-1\\.[0-9a-f-]{8}$`));
    expect(record.reason).toContain(code);
    expect(record.reason).not.toMatch(/lol/);
    expect(hub.logLines().some((line) => line.includes('lollol'))).toBe(false);
    await expectToldOfFailure(request, system, code);
  });
});

// -------------------------------------------------------------------------------------------------
// List paging

describe('list adapters page through a whole list', () => {
  it("delivers every page of a municipality's Kelmu list exactly once, with every row the population's Kela records give", async () => {
    const municipality = '905';
    const pageSize = 10;
    const expectedRows = population.kelmuList(municipality, AS_OF);
    const pages = Math.ceil(expectedRows.length / pageSize);
    expect(pages).toBeGreaterThan(2);
    const request = kelmuListRequest(municipality, pageSize);
    await send('kelmu-lists', request);

    await auditOutcome(request.correlationId, 'kelmu-adapter', 'last-page-delivered', 'the last page');
    const delivered = await collect<KelmuListPageV1>('outreach-candidates', request.correlationId, pages);
    const byPage = delivered.map((e) => e.payload).sort((a, b) => a.page - b.page);
    expect(byPage.map((p) => p.page)).toEqual(Array.from({ length: pages }, (_, i) => i + 1));
    expect(byPage.flatMap((p) => p.rows)).toEqual(expectedRows);
    for (const page of byPage) {
      expect(page).toMatchObject({ municipality, date: AS_OF, pages, totalRows: expectedRows.length, context: request.payload.context });
    }
    expect(delivered.every((e) => e.type === 'kelmu.list.page.v1')).toBe(true);

    const hops = await eventually(async () => {
      const records = await auditBy(request.correlationId, 'kelmu-adapter');
      return records.length >= pages ? records : undefined;
    }, 'a hop per page');
    expect(hops.map((r) => r.outcome).sort()).toEqual([...Array<string>(pages - 1).fill('page-delivered'), 'last-page-delivered'].sort());
    expect(await leftOn('outreach-candidates', request.correlationId)).toBe(0);
  });

  it("delivers every page of a municipality's UMA protection list exactly once, with every person the population puts on it", async () => {
    const municipality = '091';
    const pageSize = 15;
    const expected = population.umaProtectionList(municipality).map((p) => ({
      hetu: p.hetu,
      ground: p.residence!.ground,
      quotaRefugee: p.residence!.quotaRefugee,
      traffickingVictim: p.residence!.traffickingVictim,
      firstPermitDate: p.residence!.firstPermitDate,
    }));
    const pages = Math.ceil(expected.length / pageSize);
    expect(pages).toBeGreaterThan(2);
    const request = umaListRequest(municipality, pageSize);
    await send('uma-lists', request);

    await auditOutcome(request.correlationId, 'uma-list-adapter', 'last-page-delivered', 'the last page');
    const delivered = await collect<UmaProtectionListPageV1>('outreach-candidates', request.correlationId, pages);
    const byPage = delivered.map((e) => e.payload).sort((a, b) => a.page - b.page);
    expect(byPage.map((p) => p.page)).toEqual(Array.from({ length: pages }, (_, i) => i + 1));
    expect(byPage.flatMap((p) => p.recipients)).toEqual(expected);
    expect(byPage.map((p) => p.hasMore)).toEqual([...Array<boolean>(pages - 1).fill(true), false]);
    for (const page of byPage) expect(page).toMatchObject({ municipality, pageSize, total: expected.length, context: request.payload.context });

    const hops = await eventually(async () => {
      const records = await auditBy(request.correlationId, 'uma-list-adapter');
      return records.length >= pages ? records : undefined;
    }, 'a hop per page');
    expect(hops.map((r) => r.outcome).sort()).toEqual([...Array<string>(pages - 1).fill('page-delivered'), 'last-page-delivered'].sort());
    expect(await leftOn('outreach-candidates', request.correlationId)).toBe(0);
  });
});

describe('personal data in the logs', () => {
  it('writes no HETU into any log line (and never needed the scrubber to hide one)', () => {
    const lines = hub.logLines();
    expectNoPersonalDataIn(lines, personalDataOf(population.persons));
    expect(lines.some((line) => (JSON.parse(line) as { correlationId?: string }).correlationId)).toBe(true);
  });
});
