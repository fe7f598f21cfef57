/**
 * The wellbeing services counties as the hub reaches each (issue #12, item 1), through the embedded
 * runtime: Helsinki (091), which organises its own services, publishes its FHIR server directly, and
 * the hub calls it over mutual TLS with its own client certificate, trusting only the CA configured
 * for Helsinki; Pohjanmaa (Vaasa's county) sits behind X-Road. Each county has a breaker of its own,
 * so Helsinki down does not hold Vaasa's request; and an answer the hub sets aside is told to the
 * operators' queue by reason and count, naming no one.
 *
 * Breakers open at the first transient failure here and probe only after a minute, so an outage
 * shows at once and lasts the test; retries back off from a fraction of a second.
 */
import { request as httpsRequest } from 'node:https';
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Envelope } from '#contracts/envelope';
import { containsHetuShape } from '#contracts/hetu';
import { buildEnvelope } from '#contracts/messages/registry';
import type { ConsultationAnsweredV1, WellbeingRepliesSetAsideV1 } from '#contracts/messages/wellbeing';
import { NAMING_SYSTEMS } from '#contracts/wellbeing/fhir/systems';
import { DEMO_CLIENT } from '#infra/local/local-clients';
import { deterministicUuid } from '#lib/ids';
import { emitRoots } from '#lib/root-hop';
import { DEFAULT_COUNTY_BEHAVIOUR, type CountyMock } from '#mocks/wellbeing';
import { REPLY_POLLER_STAGE } from '#functions/wellbeing/watch';
import { drainedQueue } from '../support/take-queued.ts';
import { eventually, startTestHub, type TestHub } from '../support/hub.ts';
import { inboxEnvelopes } from '../support/inbox.ts';
import { addMunicipalSystem, consultation, consultationPerson, familyOfThree, wellbeingEnvelope } from '../support/wellbeing.ts';

const ENV = {
  KOTO_BREAKER_FAILURES_TO_OPEN: '1',
  KOTO_BREAKER_FIRST_PROBE_SECONDS: '60',
  KOTO_BREAKER_PROBE_TIMEOUT_SECONDS: '60',
};
const savedEnv = Object.fromEntries(Object.keys(ENV).map((name) => [name, process.env[name]]));

/** Helsinki's (091) municipal system. */
const HELSINKI_CLIENT = 'helsinki-091';

let hub: TestHub;
beforeAll(async () => {
  Object.assign(process.env, ENV);
  hub = await startTestHub({ population: 'mocks/population/sample.json', municipalities: ['905', '091'], scheduleSeconds: 0, retryBaseSeconds: 0.2, inMemory: true });
  await addMunicipalSystem(hub, {
    clientId: HELSINKI_CLIENT,
    municipality: '091',
    name: 'Helsinki',
    receives: ['wellbeing.consultation.answered.v1', 'wellbeing.cooperation.accepted.v1', 'wellbeing.request.refused.v1'],
  });
});
afterEach(() => {
  for (const county of hub.mocks!.counties.mocks) {
    county.faults.clear();
    county.behave(DEFAULT_COUNTY_BEHAVIOUR);
  }
});
afterAll(async () => {
  await hub?.stop();
  for (const [name, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

const countyMock = (county: string): CountyMock => hub.mocks!.counties.mocks.find((m) => m.county === county)!;
type Resource = Record<string, unknown> & { resourceType: string };
type Identifier = { system?: string; value?: string };

const post = async (envelope: ReturnType<typeof wellbeingEnvelope>, as: string) => {
  const response = await hub.post(envelope, as);
  expect(response.status, JSON.stringify(response.body)).toBe(202);
  return envelope;
};

const tasksAt = (county: string, requestId: string, count: number): Promise<Resource[]> =>
  eventually(async () => {
    const tasks = countyMock(county)
      .resources('Task')
      .filter((t) => (t.groupIdentifier as Identifier | undefined)?.value === requestId);
    return tasks.length === count ? tasks : undefined;
  }, `${count} Tasks of the request at ${county}`);

const adapterHop = (requestId: string, outcome: (o: string) => boolean, what: string) =>
  eventually(async () => (await hub.auditOf(requestId)).find((r) => r.stage === 'county-adapter' && outcome(String(r.outcome))), what);

/** A poll of the request's answers, as the reply poller sends it (`key` tells two apart). */
const poll = async (requestId: string, municipality: string, key: string) => {
  const message = buildEnvelope('wellbeing.replies.poll.v1', { polledAt: new Date().toISOString() }, {
    messageId: deterministicUuid(requestId, 'test-poll', key),
    correlationId: requestId,
    causationId: null,
    source: 'hub',
    target: 'hub',
    municipality,
  });
  await emitRoots('county-requests', [message], REPLY_POLLER_STAGE);
  return eventually(async () => (await hub.auditOf(requestId)).find((r) => r.stage === 'county-adapter' && r.messageId === message.messageId), `the read ${key}`);
};

/** Everything the operators' queue held (taken off it), kept across tests. */
const operatorQueue = drainedQueue(() => hub, 'ops-events');
const operatorEventsOf = (requestId: string) => operatorQueue.of(requestId);

/** One GET to Helsinki's FHIR server with these TLS options: the status, or the error's code. */
const callHelsinki = (tls: { cert?: string; key?: string; ca: string }): Promise<number | string> => {
  const url = new URL(`${countyMock('helsinki').url}/fhir/Task?identifier=x`);
  return new Promise((resolve) => {
    const req = httpsRequest(url, { method: 'GET', ...tls, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    req.end();
  });
};

describe('the counties as each is reached', () => {
  it('carries Helsinki’s consultation to the city’s FHIR server directly over mutual TLS, and its answer back to Helsinki’s inbox', async () => {
    expect(hub.mocks!.counties.endpoints.find((e) => e.county === 'helsinki')?.transport).toMatchObject({ kind: 'direct', fhirBaseUrl: expect.stringMatching(/^https:\/\//) });
    const people = familyOfThree();
    const request = await post(wellbeingEnvelope('wellbeing.consultation.requested.v1', consultation(people), '091'), HELSINKI_CLIENT);
    const tasks = await tasksAt('helsinki', request.correlationId, 3);
    expect((await adapterHop(request.correlationId, (o) => o.startsWith('sent-'), 'the send')).outcome).toBe('sent-helsinki');
    expect(containsHetuShape(JSON.stringify(tasks))).toBe(false);
    // Nothing of it went to the county behind X-Road.
    expect(countyMock('pohjanmaa').resources('Task').filter((t) => (t.groupIdentifier as Identifier).value === request.correlationId)).toEqual([]);

    expect((await poll(request.correlationId, '091', 'first')).outcome).toBe('replies-delivered');
    const answered = await eventually(
      async () => (await inboxEnvelopes(hub, '091')).find((e) => e.correlationId === request.correlationId && e.type === 'wellbeing.consultation.answered.v1') as Envelope<ConsultationAnsweredV1> | undefined,
      'the answer in Helsinki’s inbox',
    );
    expect(answered).toMatchObject({ municipality: '091', target: 'municipality:091', payload: { county: 'helsinki' } });
    expect(answered.payload.people.map((p) => p.personRef).sort()).toEqual(people.map((p) => p.personRef).sort());
  });

  it('is refused by Helsinki’s server without the hub’s certificate: no certificate fails the handshake, another of the same CA gets 401', async () => {
    const ca = readFileSync(hub.pki.caCert, 'utf8');
    const hubCall = await callHelsinki({ cert: readFileSync(hub.pki.countyCert, 'utf8'), key: readFileSync(hub.pki.countyKey, 'utf8'), ca });
    expect(hubCall).toBe(200);
    const none = await callHelsinki({ ca });
    expect(typeof none).toBe('string');
    // A door client's certificate, from the very CA that issued the hub's: not registered with the county.
    const door = hub.credentials(DEMO_CLIENT);
    expect(await callHelsinki({ cert: readFileSync(door.cert, 'utf8'), key: readFileSync(door.key, 'utf8'), ca })).toBe(401);
  });

  it('does not defer Vaasa’s request to Pohjanmaa while Helsinki is down: each county has its own breaker', async () => {
    countyMock('helsinki').faults.set([{ id: 'down', effect: { kind: 'status', status: 503 } }]);
    const helsinki = await post(wellbeingEnvelope('wellbeing.consultation.requested.v1', consultation([consultationPerson()]), '091'), HELSINKI_CLIENT);
    await adapterHop(helsinki.correlationId, (o) => o === 'deferred', 'Helsinki’s request waiting for its breaker');
    const breakers = await eventually(async () => {
      const found = (await hub.status()).breakers ?? [];
      return found.some((b) => b.system === 'wellbeing:helsinki' && b.phase === 'open') ? found : undefined;
    }, 'Helsinki’s breaker open');
    expect(breakers.filter((b) => b.system.startsWith('wellbeing') && b.phase !== 'closed').map((b) => b.system)).toEqual(['wellbeing:helsinki']);

    const vaasa = await post(wellbeingEnvelope('wellbeing.consultation.requested.v1', consultation([consultationPerson()])), DEMO_CLIENT);
    await tasksAt('pohjanmaa', vaasa.correlationId, 1);
    // The hop's record is written once the call has returned: wait for it, then it is the only one.
    await adapterHop(vaasa.correlationId, (o) => o.startsWith('sent-'), 'Vaasa’s send in the audit log');
    const hops = (await hub.auditOf(vaasa.correlationId)).filter((r) => r.stage === 'county-adapter').map((r) => r.outcome);
    expect(hops).toEqual(['sent-pohjanmaa']);
    // Helsinki's request still waits, and nothing of it reached Helsinki's store.
    expect(countyMock('helsinki').resources('Task').filter((t) => (t.groupIdentifier as Identifier).value === helsinki.correlationId)).toEqual([]);
  });

  it('tells the operators’ queue of an answer set aside, by reason and count, with no pseudonym or person in it', async () => {
    const person = consultationPerson();
    const request = await post(wellbeingEnvelope('wellbeing.consultation.requested.v1', consultation([person])), DEMO_CLIENT);
    const [task] = await tasksAt('pohjanmaa', request.correlationId, 1);
    const pseudonym = ((task!.identifier as Identifier[]).find((i) => i.system === NAMING_SYSTEMS.requestItem)?.value ?? '') as string;
    expect(pseudonym).not.toBe('');
    expect((await poll(request.correlationId, '905', 'first')).outcome).toBe('replies-delivered');
    expect(await operatorEventsOf(request.correlationId)).toEqual([]);

    // Read again: the same answer is a duplicate.
    expect((await poll(request.correlationId, '905', 'again')).outcome).toBe('no-new-replies-set-aside-duplicate');
    const events = await eventually(async () => {
      const found = await operatorEventsOf(request.correlationId);
      return found.length > 0 ? found : undefined;
    }, 'the set-aside event on the operators’ queue');
    expect(events).toHaveLength(1);
    const event = events[0] as Envelope<WellbeingRepliesSetAsideV1>;
    expect(event).toMatchObject({ type: 'wellbeing.replies.set-aside.v1', municipality: '905', target: 'hub' });
    expect(event.payload).toMatchObject({ county: 'pohjanmaa', requestKind: 'consultation', setAside: [{ why: 'duplicate', count: 1 }] });
    const text = JSON.stringify(event);
    for (const value of [pseudonym, person.personRef, person.hetu!]) expect(text).not.toContain(value);
  });
});
