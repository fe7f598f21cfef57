/**
 * The county's replies matched to their request process, on Tasks the county mock really answers:
 * answers delivered once with the municipality's references restored; duplicates, late and
 * unmatched replies change nothing and are set aside for the operators; an invalid Task is refused
 * with the validator's finding, once while it stays the same; the overdue event is raised once at the deadline.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { containsHetuShape } from '#contracts/hetu';
import { parseEnvelope } from '#contracts/messages/registry';
import { consultationAnsweredV1, consultationOverdueV1, cooperationAcceptedV1, cooperationOverdueV1 } from '#contracts/messages/wellbeing';
import type { CountyEndpointV1 } from '#contracts/wellbeing/endpoint';
import { NAMING_SYSTEMS } from '#contracts/wellbeing/fhir/systems';
import { prepareWellbeingRequest, type PreparedRequest, type WellbeingRequest } from '#functions/wellbeing/prepare';
import { NEW_PROCESS_STATE, overdueOf, takeReplies, taskDigest } from '#functions/wellbeing/replies';
import type { MockClock } from '#mocks/framework';
import { createCountyMock, type CountyBehaviour, type CountyMock } from '#mocks/wellbeing';

const KEY = new Uint8Array(32).fill(9);
const START = Date.parse('2026-11-02T07:00:00.000Z');
const DAY = 86_400_000;
const endpoints: CountyEndpointV1[] = [{ county: 'pohjanmaa', transport: { kind: 'direct', fhirBaseUrl: 'https://127.0.0.1:1/R4', authentication: 'mutual-tls' } }];

const example = (type: string): WellbeingRequest => {
  const parsed = parseEnvelope(JSON.parse(readFileSync(join('contracts', 'messages', 'examples', `${type}.json`), 'utf8')));
  if (!parsed.ok) throw new Error(`${type} example is invalid`);
  return parsed.envelope as WellbeingRequest;
};

/** The example consultation with a third person, under its own correlation id. */
function consultationOfThree(correlationId: string): WellbeingRequest {
  const request = structuredClone(example('wellbeing.consultation.requested.v1')) as WellbeingRequest & { payload: { people: unknown[] } };
  request.payload.people.push({ personRef: 'asiakas-10233', birthDate: '1961-12-30', gender: 'male', languages: ['so'], interpreterRequired: true, needs: [], turvakielto: true });
  return { ...request, correlationId } as WellbeingRequest;
}

class TestClock implements MockClock {
  time = START;
  now = (): number => this.time;
  sleep = (): Promise<void> => Promise.resolve();
  iso = (): string => new Date(this.time).toISOString();
}

const mocks: CountyMock[] = [];
afterEach(async () => {
  await Promise.all(mocks.splice(0).map((m) => m.close()));
});

async function county(clock: TestClock, behaviour: Partial<CountyBehaviour>): Promise<CountyMock> {
  const mock = await createCountyMock({ county: 'pohjanmaa', fhirBasePath: '/R4', timing: clock, behaviour });
  mocks.push(mock);
  return mock;
}

async function send(mock: CountyMock, prepared: PreparedRequest): Promise<void> {
  const res = await fetch(`${mock.url}/R4`, { method: 'POST', body: JSON.stringify(prepared.transaction) });
  expect(res.status).toBe(200);
}

/** Every Task of the county, as the hub would read them back (here: all, so other requests' too). */
async function tasksOf(mock: CountyMock, requestId?: string): Promise<unknown[]> {
  const query = requestId ? `?group-identifier=${encodeURIComponent(`${NAMING_SYSTEMS.request}|${requestId}`)}` : '';
  const bundle = (await (await fetch(`${mock.url}/R4/Task${query}`)).json()) as { entry: { resource: unknown }[] };
  return bundle.entry.map((e) => e.resource);
}

describe('a consultation of three people', () => {
  it('delivers the answers once, after the county gave them, on the municipality\'s references', async () => {
    const clock = new TestClock();
    const mock = await county(clock, { consultation: { kind: 'answer', afterMs: 3 * DAY, answer: () => ({ answer: 'services-arranged', comment: 'Palvelut järjestetty.' }) } });
    const prepared = prepareWellbeingRequest(consultationOfThree('11111111-1111-4111-8111-111111111111'), endpoints, KEY, clock.iso());
    await send(mock, prepared);

    const early = takeReplies(prepared.process, prepared.entries, NEW_PROCESS_STATE, await tasksOf(mock), clock.iso());
    expect(early.deliver).toEqual([]);
    expect(early.setAside).toEqual([]);

    clock.time += 3 * DAY;
    const taken = takeReplies(prepared.process, prepared.entries, NEW_PROCESS_STATE, await tasksOf(mock), clock.iso());
    expect(taken.refused).toEqual([]);
    expect(taken.deliver).toHaveLength(1);
    const [message] = taken.deliver;
    expect(message!.type).toBe('wellbeing.consultation.answered.v1');
    expect(consultationAnsweredV1.parse(message!.payload)).toMatchObject({
      county: 'pohjanmaa',
      people: ['asiakas-10231', 'asiakas-10232', 'asiakas-10233'].map((personRef) => ({ personRef, answer: 'services-arranged', comment: 'Palvelut järjestetty.' })),
    });

    const again = takeReplies(prepared.process, prepared.entries, taken.state, await tasksOf(mock), clock.iso());
    expect(again.deliver).toEqual([]);
    expect(again.setAside.map((s) => s.why)).toEqual(['duplicate', 'duplicate', 'duplicate']);
    expect(again.state.delivered).toEqual(taken.state.delivered);
  });

  it('delivers the answers that fit the contract and refuses, on its own, one answered on a day with no time', async () => {
    const clock = new TestClock();
    const mock = await county(clock, { consultation: { kind: 'answer', afterMs: DAY, answer: () => ({ answer: 'proposal', comment: 'Ehdotus.' }) } });
    const prepared = prepareWellbeingRequest(consultationOfThree('33333333-3333-4333-8333-333333333333'), endpoints, KEY, clock.iso());
    await send(mock, prepared);
    clock.time += DAY;
    const [long] = mock.resources('Task');
    // FHIR's dateTime may be a day alone; the municipality's contract promises a timestamp.
    mock.update('Task', long!.id!, (task) => ({ ...task, lastModified: '2026-11-03' }));
    const taken = takeReplies(prepared.process, prepared.entries, NEW_PROCESS_STATE, await tasksOf(mock), clock.iso());
    expect(taken.refused.map((r) => [r.code, r.task.id])).toEqual([['task-unreadable', long!.id]]);
    expect(taken.refused[0]!.reason).toMatch(/^the answer does not fit wellbeing\.consultation\.answered\.v1: answeredAt: /);
    expect(taken.deliver).toHaveLength(1);
    const answered = consultationAnsweredV1.parse(taken.deliver[0]!.payload);
    expect(answered.people).toHaveLength(2);
    expect(taken.state.delivered).toHaveLength(2);
  });

  it('sets aside a Task of another request as unmatched, and never delivers it', async () => {
    const clock = new TestClock();
    const mock = await county(clock, {});
    const ours = prepareWellbeingRequest(consultationOfThree('22222222-2222-4222-8222-222222222222'), endpoints, KEY, clock.iso());
    const theirs = prepareWellbeingRequest(consultationOfThree('33333333-3333-4333-8333-333333333333'), endpoints, KEY, clock.iso());
    await send(mock, theirs);
    const taken = takeReplies(ours.process, ours.entries, NEW_PROCESS_STATE, await tasksOf(mock), clock.iso());
    expect(taken.deliver).toEqual([]);
    expect(taken.setAside.map((s) => s.why)).toEqual(['unmatched', 'unmatched', 'unmatched']);
  });

  it('raises the overdue event once at the deadline, naming the unanswered, and a late answer then changes nothing', async () => {
    const clock = new TestClock();
    const mock = await county(clock, { consultation: { kind: 'never' } });
    const prepared = prepareWellbeingRequest(consultationOfThree('44444444-4444-4444-8444-444444444444'), endpoints, KEY, clock.iso());
    await send(mock, prepared);

    clock.time = Date.parse(prepared.process.dueAt) - 1;
    expect(overdueOf(prepared.process, prepared.entries, NEW_PROCESS_STATE, clock.iso())).toBeUndefined();
    clock.time += 1;
    const overdue = overdueOf(prepared.process, prepared.entries, NEW_PROCESS_STATE, clock.iso())!;
    expect(overdue.message.type).toBe('wellbeing.consultation.overdue.v1');
    expect(consultationOverdueV1.parse(overdue.message.payload)).toEqual({
      county: 'pohjanmaa',
      requestedAt: prepared.process.requestedAt,
      dueAt: prepared.process.dueAt,
      unanswered: ['asiakas-10231', 'asiakas-10232', 'asiakas-10233'],
    });
    expect(overdueOf(prepared.process, prepared.entries, overdue.state, clock.iso())).toBeUndefined();

    mock.behave({ consultation: { kind: 'answer', afterMs: 0 } });
    clock.time += DAY;
    const late = takeReplies(prepared.process, prepared.entries, overdue.state, await tasksOf(mock), clock.iso());
    expect(late.deliver).toEqual([]);
    expect(late.setAside.map((s) => s.why)).toEqual(['late', 'late', 'late']);
    expect(late.state).toEqual(overdue.state);
  });
});

describe('a cooperation request', () => {
  const request = example('wellbeing.cooperation.requested.v1');

  it('is answered with the responsible person, routed back on the municipality\'s reference', async () => {
    const clock = new TestClock();
    const mock = await county(clock, { cooperation: { kind: 'accept', afterMs: DAY, responsible: { name: 'Mikael Sosiaali', phone: '+358 6 218 0000' } } });
    const prepared = prepareWellbeingRequest(request, endpoints, KEY, clock.iso());
    await send(mock, prepared);
    clock.time += DAY;
    const taken = takeReplies(prepared.process, prepared.entries, NEW_PROCESS_STATE, await tasksOf(mock, request.correlationId), clock.iso());
    expect(taken.deliver).toHaveLength(1);
    expect(taken.deliver[0]!.type).toBe('wellbeing.cooperation.accepted.v1');
    expect(cooperationAcceptedV1.parse(taken.deliver[0]!.payload)).toEqual({
      county: 'pohjanmaa',
      personRef: 'asiakas-20417',
      acceptedAt: clock.iso(),
      responsible: { name: 'Mikael Sosiaali', phone: '+358 6 218 0000' },
    });
  });

  it('raises its overdue event naming the person by the municipality\'s reference', async () => {
    const prepared = prepareWellbeingRequest(request, endpoints, KEY, new Date(START).toISOString());
    const overdue = overdueOf(prepared.process, prepared.entries, NEW_PROCESS_STATE, prepared.process.dueAt)!;
    expect(cooperationOverdueV1.parse(overdue.message.payload)).toMatchObject({ personRef: 'asiakas-20417', county: 'pohjanmaa' });
  });

  it('refuses a malformed answer with the validator\'s finding, naming no value', async () => {
    const clock = new TestClock();
    const mock = await county(clock, {});
    mock.faults.add({ route: 'county.search', effect: { kind: 'custom', name: 'invalidTask' } });
    const prepared = prepareWellbeingRequest(request, endpoints, KEY, clock.iso());
    await send(mock, prepared);
    const taken = takeReplies(prepared.process, prepared.entries, NEW_PROCESS_STATE, await tasksOf(mock, request.correlationId), clock.iso());
    expect(taken.deliver).toEqual([]);
    expect(taken.refused).toHaveLength(1);
    expect(taken.refused[0]!.code).toBe('fhir-invalid');
    expect(taken.refused[0]!.reason).toMatch(/koto-status/);
    expect(containsHetuShape(taken.refused[0]!.reason)).toBe(false);
    expect(taken.refused[0]!.reason).not.toContain('Hassan');
  });

  it('refuses an answer that is valid FHIR but no answer the municipality\'s contract takes, and delivers nothing of it', async () => {
    const clock = new TestClock();
    const phone = '06 218 0000 (vaihde, arkisin 8–16)';
    const mock = await county(clock, { cooperation: { kind: 'accept', afterMs: DAY, responsible: { name: 'Mikael Sosiaali', phone } } });
    const prepared = prepareWellbeingRequest(request, endpoints, KEY, clock.iso());
    await send(mock, prepared);
    clock.time += DAY;
    const taken = takeReplies(prepared.process, prepared.entries, NEW_PROCESS_STATE, await tasksOf(mock, request.correlationId), clock.iso());
    expect(taken.deliver).toEqual([]);
    expect(taken.state.delivered).toEqual([]);
    expect(taken.refused).toHaveLength(1);
    expect(taken.refused[0]).toMatchObject({ code: 'task-unreadable', reason: expect.stringMatching(/^the answer does not fit wellbeing\.cooperation\.accepted\.v1: responsible\.phone: /) });
    expect(taken.refused[0]!.reason).not.toContain('218');
    expect(taken.refused[0]!.reason).not.toContain('Mikael');
  });

  it('refuses the same Task once: read again unchanged it is only counted, unless it is the one rechecked; a new version is read as new', async () => {
    const clock = new TestClock();
    const mock = await county(clock, { cooperation: { kind: 'never' } });
    const prepared = prepareWellbeingRequest(request, endpoints, KEY, clock.iso());
    await send(mock, prepared);
    const [task] = mock.resources('Task');
    mock.update('Task', task!.id!, (t) => ({ ...t, status: 'answered' }));
    let tasks = await tasksOf(mock, request.correlationId);
    const take = (state: typeof NEW_PROCESS_STATE, recheck?: string) => takeReplies(prepared.process, prepared.entries, state, tasks, clock.iso(), recheck);

    const first = take(NEW_PROCESS_STATE);
    expect(first.refused.map((r) => r.task)).toEqual([{ id: task!.id, versionId: '2', digest: taskDigest(tasks[0]) }]);
    expect(first.state.refused).toEqual([first.refused[0]!.task.digest]);
    const again = take(first.state);
    expect(again).toMatchObject({ refused: [], stillRefused: 1, state: { refused: first.state.refused } });
    expect(take(first.state, first.refused[0]!.task.digest).refused).toHaveLength(1);

    // A new version, still invalid: refused as new.
    mock.update('Task', task!.id!, (t) => ({ ...t, status: 'answered', note: [{ text: 'korjattu' }] }));
    tasks = await tasksOf(mock, request.correlationId);
    const changed = take(first.state);
    expect(changed.refused.map((r) => r.task.versionId)).toEqual(['3']);
    expect(changed.state.refused).not.toEqual(first.state.refused);
  });
});
