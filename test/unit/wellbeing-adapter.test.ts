/**
 * The county adapter's read of a request's replies (functions/wellbeing/adapter.ts), on Tasks the
 * county mock really answers and a store kept in memory: delivered once and saved with what was
 * delivered; a redelivered poll sends the same messages again without asking the county; a state
 * changed meanwhile is read again; an invalid Task is set aside on its own, once, while the rest of
 * the read is delivered, and read as new when the county corrects it; what a read sets aside
 * becomes the operators' event, by reason and count, naming no one.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Envelope } from '#contracts/envelope';
import { wellbeingRepliesSetAsideV1, wellbeingTaskRefusedV1, type WellbeingRepliesPollV1, type WellbeingTaskRefusedV1 } from '#contracts/messages/wellbeing';
import type { CountyEndpointV1 } from '#contracts/wellbeing/endpoint';
import { NAMING_SYSTEMS } from '#contracts/wellbeing/fhir/systems';
import { TransientError } from '#lib/errors';
import { pollReplies, refusedLetter, setAsideEvent, transactionOf, type PollResult } from '#functions/wellbeing/adapter';
import { prepareWellbeingRequest, type WellbeingRequest } from '#functions/wellbeing/prepare';
import { NEW_PROCESS_STATE } from '#functions/wellbeing/replies';
import type { StoredProcess, WellbeingStore } from '#functions/wellbeing/store';
import { createCountyMock, type CountyMock } from '#mocks/wellbeing';
import { consultation, consultationPerson, cooperation, wellbeingEnvelope } from '../support/wellbeing.ts';

const KEY = new Uint8Array(32).fill(3);
const endpoints: CountyEndpointV1[] = [
  { county: 'pohjanmaa', transport: { kind: 'x-road', service: { xRoadInstance: 'FI', memberClass: 'GOV', memberCode: '9000001-1', subsystemCode: 'fhir', serviceCode: 'fhir' }, fhirBasePath: '/R4' } },
];
const ASKED = '2026-11-02T07:00:00.000Z';

const mocks: CountyMock[] = [];
afterEach(async () => {
  await Promise.all(mocks.splice(0).map((m) => m.close()));
});

/** A request (by default a cooperation request) taken and sent to a county mock that has answered it. */
async function sentRequest(request = wellbeingEnvelope('wellbeing.cooperation.requested.v1', cooperation()) as WellbeingRequest) {
  const prepared = prepareWellbeingRequest(request, endpoints, KEY, ASKED);
  const mock = await createCountyMock({ county: 'pohjanmaa', fhirBasePath: '/R4' });
  mocks.push(mock);
  expect((await fetch(`${mock.url}/R4`, { method: 'POST', body: JSON.stringify(prepared.transaction) })).status).toBe(200);
  let stored: StoredProcess = { process: prepared.process, state: NEW_PROCESS_STATE, version: 0 };
  const calls = { saves: 0, closed: 0, reads: 0 };
  let refuseSave = false;
  const store = {
    get: async () => stored,
    entriesOf: async () => prepared.entries,
    saveState: async (_id: string, version: number, state: StoredProcess['state'], replay?: StoredProcess['replay']) => {
      calls.saves += 1;
      if (refuseSave || version !== stored.version) return false;
      stored = { ...stored, state, version: version + 1, ...(replay ? { replay } : {}) };
      return true;
    },
    close: async () => void (calls.closed += 1),
  } as unknown as WellbeingStore;
  const readTasks = async () => {
    calls.reads += 1;
    const query = `?group-identifier=${encodeURIComponent(`${NAMING_SYSTEMS.request}|${request.correlationId}`)}`;
    return ((await (await fetch(`${mock.url}/R4/Task${query}`)).json()) as { entry: { resource: unknown }[] }).entry.map((e) => e.resource);
  };
  const poll = (messageId: string, polledAt = '2026-11-03T07:00:00.000Z'): Envelope<WellbeingRepliesPollV1> => ({
    messageId,
    correlationId: request.correlationId,
    causationId: null,
    type: 'wellbeing.replies.poll.v1',
    source: 'hub',
    target: 'hub',
    municipality: '905',
    occurredAt: polledAt,
    payload: { polledAt },
  });
  /** The refused Task's dead letter, redriven: a read of the request that rechecks that Task. */
  const recheck = (messageId: string, payload: WellbeingTaskRefusedV1): Envelope<WellbeingTaskRefusedV1> => ({
    ...poll(messageId, payload.polledAt),
    type: 'wellbeing.task.refused.v1',
    payload,
  });
  return { request, prepared, mock, store, readTasks, poll, recheck, calls, refuseSaves: () => (refuseSave = true), stored: () => stored };
}

const read = (result: PollResult) => {
  if (result.outcome === 'deferred') throw new Error('the read was deferred');
  return result;
};

const POLL = '5f0c3a1e-2b4d-4c6e-8f0a-1b2c3d4e5f60';
const SECOND = '6a1d4b2f-3c5e-4d7f-9a1b-2c3d4e5f6071';
const THIRD = '7b2e5c3a-4d6f-4e8a-8b2c-3d4e5f607182';
const FOURTH = '8c3f6d4b-5e7a-4f9b-9c3d-4e5f60718293';

describe('reading a request’s replies', () => {
  it('delivers the acceptance once, saved with what it delivered, and closes the answered request', async () => {
    const sent = await sentRequest();
    const first = await pollReplies(sent.poll(POLL), { store: sent.store, endpoints, key: async () => KEY }, sent.readTasks);
    expect(first).toMatchObject({ outcome: 'read', closed: true, setAside: [] });
    expect(first.outcome !== 'deferred' && first.deliver.map((m) => m.type)).toEqual(['wellbeing.cooperation.accepted.v1']);
    expect(sent.stored()).toMatchObject({ version: 1, state: { delivered: sent.prepared.process.pseudonyms }, replay: { messageId: POLL } });
    expect(sent.calls.closed).toBe(1);

    // The same poll redelivered (its outputs were lost): the same messages, without asking the county.
    const replayed = await pollReplies(sent.poll(POLL), { store: sent.store, endpoints, key: async () => KEY }, sent.readTasks);
    expect(replayed).toMatchObject({ outcome: 'replayed', deliver: first.outcome !== 'deferred' ? first.deliver : [] });
    expect(sent.calls.reads).toBe(1);

    // Another poll: the answer is a duplicate, nothing delivered, nothing saved.
    const again = await pollReplies(sent.poll(SECOND), { store: sent.store, endpoints, key: async () => KEY }, sent.readTasks);
    expect(again).toMatchObject({ outcome: 'read', deliver: [], setAside: [{ why: 'duplicate' }] });
    expect(sent.calls.saves).toBe(1);

    // For the operators: by reason and count, with the county and the kind, and no pseudonym.
    const event = setAsideEvent(again, '2026-11-05T08:00:00.000Z');
    expect(event).toEqual({ county: 'pohjanmaa', requestKind: 'cooperation', polledAt: '2026-11-05T08:00:00.000Z', setAside: [{ why: 'duplicate', count: 1 }] });
    expect(wellbeingRepliesSetAsideV1.safeParse(event).success).toBe(true);
    for (const pseudonym of sent.prepared.process.pseudonyms) expect(JSON.stringify(event)).not.toContain(pseudonym);
    expect(setAsideEvent(first, '2026-11-05T08:00:00.000Z')).toBeUndefined();
    expect(setAsideEvent({ outcome: 'deferred' }, '2026-11-05T08:00:00.000Z')).toBeUndefined();
  });

  it('counts the answers set aside per reason, in a fixed order, naming each reason once', () => {
    const read = { outcome: 'read', county: 'helsinki', kind: 'consultation', deliver: [], refused: [], stillRefused: 0, closed: false } as const;
    const setAside = [
      { why: 'late', pseudonym: 'a'.repeat(32) },
      { why: 'unmatched', pseudonym: 'b'.repeat(32) },
      { why: 'late', pseudonym: 'c'.repeat(32) },
    ] as const;
    expect(setAsideEvent({ ...read, setAside }, '2026-11-05T08:00:00.000Z')?.setAside).toEqual([
      { why: 'unmatched', count: 1 },
      { why: 'late', count: 2 },
    ]);
  });

  it('reads again, as a transient failure, when another hop changed the request meanwhile', async () => {
    const sent = await sentRequest();
    sent.refuseSaves();
    await expect(pollReplies(sent.poll(POLL), { store: sent.store, endpoints, key: async () => KEY }, sent.readTasks)).rejects.toBeInstanceOf(TransientError);
    expect(sent.calls.closed).toBe(0);
  });

  it('delivers the valid Tasks of a read and sets an invalid one aside on its own, once, until the county corrects it', async () => {
    const sent = await sentRequest(wellbeingEnvelope('wellbeing.consultation.requested.v1', consultation([consultationPerson(), consultationPerson()])) as WellbeingRequest);
    const deps = { store: sent.store, endpoints, key: async () => KEY };
    const [spoilt, good] = sent.mock.resources('Task');
    // The county's system saves one answer with a status R4 does not know.
    sent.mock.update('Task', spoilt!.id!, (task) => ({ ...task, status: 'answered' }));

    const first = read(await pollReplies(sent.poll(POLL), deps, sent.readTasks));
    expect(first.deliver.map((m) => m.type)).toEqual(['wellbeing.consultation.answered.v1']);
    const [answered] = first.deliver;
    const goodRef = sent.prepared.entries.find((e) => JSON.stringify(good).includes(e.pseudonym))!.personRef;
    expect(answered!.type === 'wellbeing.consultation.answered.v1' && answered!.payload.people.map((p) => p.personRef)).toEqual([goodRef]);
    expect(first.refused).toHaveLength(1);
    expect(first.refused[0]).toMatchObject({ code: 'fhir-invalid', task: { id: spoilt!.id, versionId: '3' } });
    expect(first.closed).toBe(false);

    // The dead letter: the county, the request, the Task's id and the validator's finding; no pseudonym, no person.
    const letter = refusedLetter(first, first.refused[0]!, sent.poll(POLL));
    expect(wellbeingTaskRefusedV1.safeParse(letter.payload).success).toBe(true);
    expect(letter.failure.code).toBe('fhir-invalid');
    expect(letter.failure.reason).toContain("the county 'pohjanmaa'");
    expect(letter.failure.reason).toContain(sent.request.correlationId);
    expect(letter.failure.reason).toContain(`Task ${spoilt!.id} version 3`);
    expect(letter.failure.reason).toMatch(/koto-status/);
    for (const entry of sent.prepared.entries) for (const value of [entry.pseudonym, entry.personRef]) expect(letter.failure.reason).not.toContain(value);
    expect(sent.stored().state.refused).toEqual([letter.payload.task.digest]);

    // Read again unchanged: not set aside a second time, and nothing to save.
    const saves = sent.calls.saves;
    const again = read(await pollReplies(sent.poll(SECOND), deps, sent.readTasks));
    expect(again).toMatchObject({ deliver: [], refused: [], stillRefused: 1 });
    expect(sent.calls.saves).toBe(saves);

    // The dead letter redriven while the Task is still the same: set aside anew, for the operators to see again.
    const rechecked = read(await pollReplies(sent.recheck(THIRD, letter.payload), deps, sent.readTasks));
    expect(rechecked.refused.map((r) => r.task.digest)).toEqual([letter.payload.task.digest]);
    expect(rechecked.deliver).toEqual([]);

    // The county corrects it: a new version, read as new, delivered; nothing is refused any more.
    sent.mock.update('Task', spoilt!.id!, (task) => ({ ...task, status: 'completed' }));
    const corrected = read(await pollReplies(sent.poll(FOURTH), deps, sent.readTasks));
    expect(corrected.refused).toEqual([]);
    const [late] = corrected.deliver;
    expect(late!.type === 'wellbeing.consultation.answered.v1' && late!.payload.people.map((p) => p.personRef)).toEqual(
      sent.prepared.entries.filter((e) => e.personRef !== goodRef).map((e) => e.personRef),
    );
    expect(corrected.closed).toBe(true);
    expect(sent.stored().state.refused).toBeUndefined();
  });

  it('sets the same refused Tasks aside again when the read that saved them is redelivered (its dead letters were not sent)', async () => {
    const sent = await sentRequest();
    const deps = { store: sent.store, endpoints, key: async () => KEY };
    const [task] = sent.mock.resources('Task');
    sent.mock.update('Task', task!.id!, (t) => ({ ...t, status: 'answered' }));
    const first = read(await pollReplies(sent.poll(POLL), deps, sent.readTasks));
    expect(first.refused.map((r) => r.code)).toEqual(['fhir-invalid']);
    const replayed = read(await pollReplies(sent.poll(POLL), deps, sent.readTasks));
    expect(replayed).toMatchObject({ outcome: 'replayed', refused: first.refused });
    expect(sent.calls.reads).toBe(1);
  });

  it('rebuilds the very transaction the intake built, and refuses one whose pseudonyms a new key would change', async () => {
    const sent = await sentRequest();
    const { transaction } = await transactionOf(sent.request, { store: sent.store, endpoints, key: async () => KEY });
    expect(transaction).toEqual(sent.prepared.transaction);
    await expect(transactionOf(sent.request, { store: sent.store, endpoints, key: async () => new Uint8Array(32).fill(4) })).rejects.toMatchObject({
      code: 'wellbeing-key-changed',
    });
  });

  it('neither sends nor reads a request for a municipality whose request id another municipality holds', async () => {
    const sent = await sentRequest();
    const deps = { store: sent.store, endpoints, key: async () => KEY };
    expect(sent.prepared.process.municipality).toBe('905');
    const other = '499';
    await expect(transactionOf({ ...sent.request, municipality: other }, deps)).rejects.toMatchObject({ code: 'wellbeing-request-id-taken' });
    await expect(pollReplies({ ...sent.poll(POLL), municipality: other }, deps, sent.readTasks)).rejects.toMatchObject({
      code: 'wellbeing-request-id-taken',
    });
    expect(sent.calls).toEqual({ saves: 0, closed: 0, reads: 0 });
  });
});
