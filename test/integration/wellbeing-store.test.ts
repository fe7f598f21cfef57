/**
 * The wellbeing processes and pseudonym entries in the correlation table, against real dynalite
 * with a clock the test moves: a request recorded once, its id refused to any other request (also
 * when two race on it), its state saved only from the version read
 * (with what it delivered), its people found again by request, nothing returned once expired, the
 * processes of a day found for the overdue schedule and the open ones for the reply poller.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnvelope } from '#contracts/messages/registry';
import type { ConsultationRequestedV1 } from '#contracts/messages/wellbeing';
import { localTableName } from '#infra/local/dynamodb';
import { prepareWellbeingRequest, type WellbeingRequest } from '#functions/wellbeing/prepare';
import { dynamoWellbeingStore, type WellbeingStore } from '#functions/wellbeing/store';
import { startBareDynamo, type BareDynamo } from '../support/bare-dynamo.ts';

const KEY = new Uint8Array(32).fill(5);
let dynamo: BareDynamo;
let store: WellbeingStore;
let now = Date.parse('2026-11-02T07:00:00.000Z');

const request = (() => {
  const parsed = parseEnvelope(JSON.parse(readFileSync(join('contracts', 'messages', 'examples', 'wellbeing.consultation.requested.v1.json'), 'utf8')));
  if (!parsed.ok) throw new Error('the example is invalid');
  return parsed.envelope as WellbeingRequest;
})();
const endpoints = [{ county: 'pohjanmaa' as const, transport: { kind: 'direct' as const, fhirBaseUrl: 'https://127.0.0.1:1/R4', authentication: 'mutual-tls' as const } }];

beforeAll(async () => {
  dynamo = await startBareDynamo();
  store = dynamoWellbeingStore(dynamo.documents, localTableName('correlation'), () => now);
});
afterAll(async () => dynamo?.close());

describe('the wellbeing store', () => {
  const prepared = prepareWellbeingRequest(request, endpoints, KEY, new Date(now).toISOString());

  it('records a request once, its people by pseudonym, and finds it on its due day', async () => {
    expect(await store.start(prepared)).toBe('started');
    expect(await store.start(prepared)).toBe('already-started');
    const stored = await store.get(request.correlationId);
    expect(stored).toEqual({ process: prepared.process, state: { delivered: [], overdueRaised: false }, version: 0 });
    expect([...(await store.entriesOf(request.correlationId))].sort((a, b) => a.pseudonym.localeCompare(b.pseudonym))).toEqual(
      [...prepared.entries].sort((a, b) => a.pseudonym.localeCompare(b.pseudonym)),
    );
    expect(await store.dueOn(prepared.process.dueAt.slice(0, 10))).toEqual([request.correlationId]);
    expect(await store.dueOn('2026-11-01')).toEqual([]);
  });

  it('refuses the id to another municipality\'s request, or another request of the same, and writes nothing of it', async () => {
    const entriesBefore = await store.entriesOf(request.correlationId);
    const openBefore = await store.openRequests();
    const other = (municipality: string, payload = request.payload) =>
      prepareWellbeingRequest({ ...request, municipality, payload } as WellbeingRequest, endpoints, KEY, new Date(now).toISOString());
    const asked = request.payload as ConsultationRequestedV1;
    const fewer = { ...asked, people: asked.people.slice(1) };
    // Another municipality of the same county, Mustasaari (499), with the same people; then Vaasa with fewer.
    expect(await store.start(other('499'))).toBe('taken');
    expect(await store.start(other('905', fewer))).toBe('taken');
    expect(await store.get(request.correlationId)).toMatchObject({ process: prepared.process, version: 0 });
    expect(await store.entriesOf(request.correlationId)).toEqual(entriesBefore);
    expect(await store.openRequests()).toEqual(openBefore);
  });

  it('saves a state only from the version it was read at', async () => {
    const state = { delivered: [prepared.process.pseudonyms[0]!], overdueRaised: false };
    expect(await store.saveState(request.correlationId, 0, state)).toBe(true);
    expect(await store.saveState(request.correlationId, 0, { delivered: [], overdueRaised: true })).toBe(false);
    expect(await store.get(request.correlationId)).toMatchObject({ state, version: 1 });
  });

  it('keeps what a state change delivered with it, for the redelivery of the message that made it', async () => {
    const replay = { messageId: '0b6f1d2e-3c4a-4b5d-8e6f-7a8b9c0d1e2f', messages: [{ type: 'wellbeing.consultation.answered.v1', payload: { county: 'pohjanmaa' } }] };
    const state = { delivered: [...prepared.process.pseudonyms], overdueRaised: false };
    expect(await store.saveState(request.correlationId, 1, state, replay)).toBe(true);
    expect(await store.get(request.correlationId)).toMatchObject({ state, version: 2, replay });
  });

  it('lists a process as open until it is closed, and a redelivered request does not open it again', async () => {
    expect(await store.openRequests()).toEqual([{ requestId: request.correlationId, municipality: '905', dueAt: prepared.process.dueAt }]);
    await store.close(request.correlationId);
    expect(await store.openRequests()).toEqual([]);
    expect(await store.start(prepared)).toBe('already-started');
    expect(await store.openRequests()).toEqual([]);
  });

  it('leaves the id to the request recorded first when two race on it, putting back what the loser overwrote', async () => {
    const requestId = '3d4e5f60-7182-4a93-8b4c-5d6e7f8091a2';
    const asked = request.payload as ConsultationRequestedV1;
    const winner = prepareWellbeingRequest({ ...request, correlationId: requestId } as WellbeingRequest, endpoints, KEY, new Date(now).toISOString());
    // Mustasaari (499), a day later, with all but the first of the same people and one of its own.
    const people = [...asked.people.slice(1), { ...asked.people[0]!, personRef: 'mustasaari-own-1' }];
    const loser = prepareWellbeingRequest(
      { ...request, correlationId: requestId, municipality: '499', payload: { ...asked, people } } as WellbeingRequest,
      endpoints,
      KEY,
      new Date(now + 86_400_000).toISOString(),
    );
    expect(loser.process.dueAt.slice(0, 10)).not.toBe(winner.process.dueAt.slice(0, 10));
    expect(await store.start(winner)).toBe('started');
    // The loser read the id as free just before the winner wrote its process.
    let staleReads = 1;
    const racing = new Proxy(dynamo.documents, {
      get: (target, name, receiver) =>
        name === 'send'
          ? (command: object) => (command instanceof GetCommand && staleReads > 0 ? Promise.resolve({ Item: undefined, stale: staleReads-- }) : target.send(command as never))
          : Reflect.get(target, name, receiver),
    });
    expect(await dynamoWellbeingStore(racing, localTableName('correlation'), () => now).start(loser)).toBe('taken');
    expect(staleReads).toBe(0);
    expect(await store.get(requestId)).toMatchObject({ process: winner.process, version: 0 });
    const byPseudonym = (entries: readonly { pseudonym: string }[]) => [...entries].sort((a, b) => a.pseudonym.localeCompare(b.pseudonym));
    expect(byPseudonym(await store.entriesOf(requestId))).toEqual(byPseudonym(winner.entries));
    expect(await store.openRequests()).toEqual([{ requestId, municipality: '905', dueAt: winner.process.dueAt }]);
    expect(await store.dueOn(loser.process.dueAt.slice(0, 10))).not.toContain(requestId);
    expect(await store.dueOn(winner.process.dueAt.slice(0, 10))).toContain(requestId);
    await store.close(requestId);
  });

  it('returns nothing of a process once it has expired, though the table has not removed it yet', async () => {
    now = (prepared.process.expiresAt + 1) * 1000;
    expect(await store.get(request.correlationId)).toBeUndefined();
    expect(await store.entriesOf(request.correlationId)).toEqual([]);
    expect(await store.dueOn(prepared.process.dueAt.slice(0, 10))).toEqual([]);
  });
});
