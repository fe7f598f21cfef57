/**
 * The wellbeing services county flow through the embedded runtime (issue #12, Acceptance): the demo
 * client `vaasa-905` posts consultations and cooperation requests over mutual TLS, `wellbeing-intake`
 * routes them to Pohjanmaa (Vaasa's county), the county adapter sends each as a FHIR transaction to
 * the county mock behind the security-server stand-in, the reply poller and the overdue watch run
 * on the scheduler's clock (the test's), and every answer, overdue event and refusal is read from
 * the municipality's inbox.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Envelope } from '#contracts/envelope';
import { containsHetuShape } from '#contracts/hetu';
import { buildEnvelope } from '#contracts/messages/registry';
import type { ConsultationAnsweredV1, CooperationAcceptedV1, CooperationDeclinedV1, CooperationOverdueV1, WellbeingRequestRefusedV1 } from '#contracts/messages/wellbeing';
import { NAMING_SYSTEMS, PROFILES, type ProfileUrl } from '#contracts/wellbeing/fhir/systems';
import { validateFhir } from '#contracts/wellbeing/fhir/validate';
import { CONSULTATION_SENT_FIELDS, leafPaths } from '#contracts/wellbeing/sent-fields';
import { DEMO_CLIENT } from '#infra/local/local-clients';
import { deterministicUuid } from '#lib/ids';
import { emitRoots } from '#lib/root-hop';
import { DEFAULT_COUNTY_BEHAVIOUR } from '#mocks/wellbeing';
import type { Trace, TraceNode } from '#ops/audit/trace';
import { REPLY_POLLER_STAGE } from '#functions/wellbeing/watch';
import { ATTR } from '#lib/batch/attributes';
import { viewDeadLetter } from '#ops/audit/redrive';
import { text } from '#ops/dead-letters';
import { peekDeadLetters } from '../support/dead-letters.ts';
import { movableClock } from '../support/schedule-clock.ts';
import { drainedQueue } from '../support/take-queued.ts';
import { eventually, startTestHub, type TestHub } from '../support/hub.ts';
import { inboxEnvelopes } from '../support/inbox.ts';
import { koto } from '../support/outreach-runs.ts';
import { addMunicipalSystem, consultation, consultationPerson, cooperation, familyOfThree, WELLBEING_HETUS, wellbeingEnvelope } from '../support/wellbeing.ts';

const DAY = 86_400_000;

/** The scheduler's clock: the time the reply poller and the overdue watch see. */
const schedule = movableClock(Date.now());

/** A municipal system of Maarianhamina (478), in Åland, which no wellbeing services county serves. */
const ALAND_CLIENT = 'mariehamn-478';

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub({ population: 'mocks/population/sample.json', municipalities: ['905', '478'], scheduleSeconds: 0, scheduleClock: schedule.clock });
  await addMunicipalSystem(hub, { clientId: ALAND_CLIENT, municipality: '478', name: 'Maarianhamina', receives: ['wellbeing.request.refused.v1'] });
});
afterEach(() => {
  schedule.set(Date.now());
  county().faults.clear();
  county().behave(DEFAULT_COUNTY_BEHAVIOUR);
});
afterAll(async () => {
  await hub?.stop();
});

const county = () => hub.mocks!.counties.mocks.find((m) => m.county === 'pohjanmaa')!;

type Resource = Record<string, unknown> & { resourceType: string };
type Identifier = { system?: string; value?: string };

const post = async (envelope: ReturnType<typeof wellbeingEnvelope>, as = DEMO_CLIENT) => {
  const response = await hub.post(envelope, as);
  expect(response.status, JSON.stringify(response.body)).toBe(202);
  return envelope;
};

/** The request's Tasks at the county, once there are `count`. */
const tasksAtCounty = (requestId: string, count: number): Promise<Resource[]> =>
  eventually(async () => {
    const tasks = county()
      .resources('Task')
      .filter((t) => (t.groupIdentifier as Identifier | undefined)?.value === requestId);
    return tasks.length === count ? tasks : undefined;
  }, `${count} Tasks of the request at the county`);

const pseudonymOf = (resource: Resource): string => ((resource.identifier as Identifier[]).find((i) => i.system === NAMING_SYSTEMS.requestItem)?.value ?? '');

const inboxOf = async <P>(requestId: string, type: string, municipality = '905'): Promise<Envelope<P>[]> =>
  (await inboxEnvelopes(hub, municipality)).filter((e) => e.correlationId === requestId && e.type === type) as Envelope<P>[];

const oneInInbox = <P>(requestId: string, type: string, municipality = '905') =>
  eventually(async () => (await inboxOf<P>(requestId, type, municipality))[0], `${type} in ${municipality}'s inbox`);

/** Runs the reply poller at `at` and waits for the county adapter to have read the request's replies. */
const pollAt = async (requestId: string, at: number) => {
  schedule.set(at);
  await hub.trigger('wellbeing-reply-poller');
  const pollId = deterministicUuid(requestId, REPLY_POLLER_STAGE, new Date(at).toISOString());
  return eventually(async () => (await hub.auditOf(requestId)).find((r) => r.stage === 'county-adapter' && r.messageId === pollId), 'the county adapter reading the replies');
};

/** A moment for messages that should not come to have come, if they were going to. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 1500));

/** The resource fields the county's server adds to what it was sent. */
const SERVER_FIELDS = /^(Patient|ServiceRequest|Task)\.(id|meta\.versionId|meta\.lastUpdated)$/;
const HUB_PROFILES = new Set<string>(Object.values(PROFILES));
const claimedProfile = (resource: Resource) => ((resource.meta as { profile?: string[] }).profile ?? []).find((p) => HUB_PROFILES.has(p)) as ProfileUrl | undefined;

/** The refused Tasks' dead letters of a request in the county adapter's DLQ (left there), once there are `count` if given. */
const refusedLettersOf = async (requestId: string, count?: number) => {
  const look = () => peekDeadLetters(hub, 'county-requests', (e) => e.correlationId === requestId && e.type === 'wellbeing.task.refused.v1');
  return count === undefined ? look() : eventually(async () => ((await look()).length === count ? look() : undefined), `${count} refused Task(s) in the DLQ`);
};

/** Everything the operators' queue held (taken off it), kept across tests. */
const operatorQueue = drainedQueue(() => hub, 'ops-events');
const operatorEventsOf = (requestId: string) => operatorQueue.of(requestId);

const flatten = (nodes: readonly TraceNode[]): TraceNode[] => nodes.flatMap((n) => [n, ...flatten(n.children)]);

describe('the wellbeing services county flow', () => {
  it('sends a consultation of three people to Pohjanmaa with only the documented fields, and answers Vaasa with its own person references', async () => {
    county().behave({ consultation: { kind: 'never' } });
    const people = familyOfThree();
    const request = await post(wellbeingEnvelope('wellbeing.consultation.requested.v1', consultation(people)));

    const tasks = await tasksAtCounty(request.correlationId, 3);
    const pseudonyms = tasks.map(pseudonymOf);
    const serviceRequests = county()
      .resources('ServiceRequest')
      .filter((r) => (r.requisition as Identifier | undefined)?.value === request.correlationId);
    const patients = county()
      .resources('Patient')
      .filter((p) => ((p.identifier as Identifier[] | undefined) ?? []).some((i) => pseudonyms.includes(i.value ?? '')));
    expect(serviceRequests).toHaveLength(3);
    expect(patients).toHaveLength(3);

    const received = [...patients, ...serviceRequests, ...tasks];
    for (const resource of received) {
      // Field by field: nothing outside contracts/wellbeing/sent-fields.ts left the hub.
      const undocumented = leafPaths(resource).filter((path) => !SERVER_FIELDS.test(path) && !Object.hasOwn(CONSULTATION_SENT_FIELDS, path));
      expect(undocumented, resource.resourceType).toEqual([]);
      expect(validateFhir(resource, claimedProfile(resource)), `${resource.resourceType} against R4 and its profile`).toEqual([]);
    }
    const text = JSON.stringify(received);
    expect(containsHetuShape(text)).toBe(false);
    for (const person of people) {
      for (const value of [person.personRef, person.hetu!, person.birthDate, person.birthDate.slice(0, 7)]) expect(text).not.toContain(value);
    }
    // The one person under turvakielto keeps the label on every resource that names them.
    const labelled = received.filter((r) => JSON.stringify((r.meta as { security?: unknown }).security ?? []).includes('TURVAKIELTO'));
    expect(labelled.map((r) => r.resourceType).sort()).toEqual(['Patient', 'ServiceRequest', 'Task']);
    expect(new Set(labelled.map(pseudonymOf)).size).toBe(1);

    county().behave({ consultation: { kind: 'answer', afterMs: 0, answer: () => ({ answer: 'services-arranged', comment: 'Sosiaalityö ottaa yhteyttä.' }) } });
    expect((await pollAt(request.correlationId, Date.now())).outcome).toBe('replies-delivered');
    const answered = await oneInInbox<ConsultationAnsweredV1>(request.correlationId, 'wellbeing.consultation.answered.v1');
    expect(answered).toMatchObject({ municipality: '905', target: 'municipality:905', payload: { county: 'pohjanmaa' } });
    expect(answered.payload.people.map((p) => p.personRef).sort()).toEqual(people.map((p) => p.personRef).sort());
    expect(answered.payload.people.every((p) => p.answer === 'services-arranged' && p.comment === 'Sosiaalityö ottaa yhteyttä.')).toBe(true);
    for (const pseudonym of pseudonyms) expect(JSON.stringify(answered)).not.toContain(pseudonym);
    // The county's answered Tasks, as the hub read them, are valid R4 for the hub's profile too.
    for (const task of await tasksAtCounty(request.correlationId, 3)) {
      expect(task.status).toBe('completed');
      expect(validateFhir(task, claimedProfile(task))).toEqual([]);
    }
  });

  it('routes a cooperation request’s acceptance back to Vaasa with the county’s responsible person', async () => {
    const payload = cooperation();
    const request = await post(wellbeingEnvelope('wellbeing.cooperation.requested.v1', payload));
    const [task] = await tasksAtCounty(request.correlationId, 1);
    expect(validateFhir(task, claimedProfile(task!))).toEqual([]);
    // Open in koto-hub status until the answer is delivered.
    const status = await koto(hub, ['status']);
    expect(status.code, status.err).toBe(0);
    const row = status.out.split('\n').find((line) => line.startsWith(request.correlationId));
    expect(row?.split(/\s{2,}/).slice(1, 5)).toEqual(['cooperation', '905', 'pohjanmaa', '0/1']);

    await pollAt(request.correlationId, Date.now());
    const accepted = await oneInInbox<CooperationAcceptedV1>(request.correlationId, 'wellbeing.cooperation.accepted.v1');
    expect(accepted.payload).toMatchObject({
      county: 'pohjanmaa',
      personRef: payload.person.personRef,
      responsible: { name: 'Sanna Sosiaaliohjaaja', phone: '+358 40 000 0000', email: 'sosiaaliohjaus@county.example' },
    });
    expect(JSON.stringify(accepted)).not.toContain(payload.person.hetu);
    expect((await hub.status()).wellbeing?.map((r) => r.requestId)).not.toContain(request.correlationId);
  });

  it('routes a declined cooperation request back to Vaasa with the county’s reason', async () => {
    county().behave({ cooperation: { kind: 'decline', afterMs: 0, reason: 'not-a-customer', explanation: 'Ei asiakkuutta.' } });
    const payload = cooperation();
    const request = await post(wellbeingEnvelope('wellbeing.cooperation.requested.v1', payload));
    await tasksAtCounty(request.correlationId, 1);
    await pollAt(request.correlationId, Date.now());
    const declined = await oneInInbox<CooperationDeclinedV1>(request.correlationId, 'wellbeing.cooperation.declined.v1');
    expect(declined.payload).toMatchObject({ county: 'pohjanmaa', personRef: payload.person.personRef, reason: 'not-a-customer', explanation: 'Ei asiakkuutta.' });
  });

  it('raises an unanswered request’s overdue event at its deadline, once, to Vaasa and the operators', async () => {
    county().behave({ cooperation: { kind: 'never' } });
    const payload = cooperation();
    const request = await post(wellbeingEnvelope('wellbeing.cooperation.requested.v1', payload));
    await tasksAtCounty(request.correlationId, 1);
    const taken = Date.now();

    // A day before its fourteen days are up, nothing.
    schedule.set(taken + 13 * DAY);
    await hub.trigger('wellbeing-overdue-watch');
    await settle();
    expect(await inboxOf(request.correlationId, 'wellbeing.cooperation.overdue.v1')).toEqual([]);

    schedule.set(taken + 14 * DAY + 60_000);
    await hub.trigger('wellbeing-overdue-watch');
    const overdue = await oneInInbox<CooperationOverdueV1>(request.correlationId, 'wellbeing.cooperation.overdue.v1');
    expect(overdue).toMatchObject({ municipality: '905', target: 'municipality:905', payload: { county: 'pohjanmaa', personRef: payload.person.personRef } });
    expect(Date.parse(overdue.payload.dueAt) - Date.parse(overdue.payload.requestedAt)).toBe(14 * DAY);
    const toOperators = await eventually(async () => {
      const events = await operatorEventsOf(request.correlationId);
      return events.length > 0 ? events : undefined;
    }, 'the overdue event on the operators’ queue');
    expect(toOperators.map((e) => e.type)).toEqual(['wellbeing.cooperation.overdue.v1']);

    schedule.set(taken + 15 * DAY);
    await hub.trigger('wellbeing-overdue-watch');
    await hub.trigger('wellbeing-overdue-watch');
    await settle();
    expect(await inboxOf(request.correlationId, 'wellbeing.cooperation.overdue.v1')).toHaveLength(1);
    expect(await operatorEventsOf(request.correlationId)).toHaveLength(1);
  });

  it('changes nothing on a duplicate answer (a second read of the same Tasks) or a late one (after the overdue event)', async () => {
    const duplicate = await post(wellbeingEnvelope('wellbeing.consultation.requested.v1', consultation([consultationPerson()])));
    await tasksAtCounty(duplicate.correlationId, 1);
    expect((await pollAt(duplicate.correlationId, Date.now())).outcome).toBe('replies-delivered');
    await oneInInbox(duplicate.correlationId, 'wellbeing.consultation.answered.v1');
    // A second poll of the same request, as an operator's redrive or a racing schedule would send it.
    const again = buildEnvelope('wellbeing.replies.poll.v1', { polledAt: new Date().toISOString() }, {
      messageId: deterministicUuid(duplicate.correlationId, 'test-second-poll'),
      correlationId: duplicate.correlationId,
      causationId: null,
      source: 'hub',
      target: 'hub',
      municipality: '905',
    });
    await emitRoots('county-requests', [again], REPLY_POLLER_STAGE);
    const second = await eventually(async () => (await hub.auditOf(duplicate.correlationId)).find((r) => r.stage === 'county-adapter' && r.messageId === again.messageId), 'the second read');
    expect(second.outcome).toBe('no-new-replies-set-aside-duplicate');
    await settle();
    expect(await inboxOf(duplicate.correlationId, 'wellbeing.consultation.answered.v1')).toHaveLength(1);

    county().behave({ cooperation: { kind: 'never' } });
    const late = await post(wellbeingEnvelope('wellbeing.cooperation.requested.v1', cooperation()));
    await tasksAtCounty(late.correlationId, 1);
    const taken = Date.now();
    schedule.set(taken + 14 * DAY + 60_000);
    await hub.trigger('wellbeing-overdue-watch');
    await oneInInbox(late.correlationId, 'wellbeing.cooperation.overdue.v1');
    county().behave({ cooperation: DEFAULT_COUNTY_BEHAVIOUR.cooperation });
    expect((await pollAt(late.correlationId, taken + 15 * DAY)).outcome).toBe('no-new-replies-set-aside-late');
    await settle();
    expect(await inboxOf(late.correlationId, 'wellbeing.cooperation.accepted.v1')).toEqual([]);
  });

  it('delivers the valid answers of a read and sets a Task that is not valid FHIR aside as a dead letter of its own, once, until the county corrects it', async () => {
    county().behave({ consultation: { kind: 'never' } });
    const people = [consultationPerson(), consultationPerson()];
    const request = await post(wellbeingEnvelope('wellbeing.consultation.requested.v1', consultation(people)));
    await tasksAtCounty(request.correlationId, 2);
    county().behave({ consultation: DEFAULT_COUNTY_BEHAVIOUR.consultation });
    // The county answers both, and its system then saves one of the answers with a status R4 does not know.
    const [spoilt, good] = await tasksAtCounty(request.correlationId, 2);
    county().update('Task', spoilt!.id as string, (task) => ({ ...task, status: 'answered' }));
    const at = Date.now();

    expect((await pollAt(request.correlationId, at)).outcome).toBe('replies-delivered-task-refused');
    const answered = await oneInInbox<ConsultationAnsweredV1>(request.correlationId, 'wellbeing.consultation.answered.v1');
    expect(answered.payload.people).toHaveLength(1);
    const letters = await refusedLettersOf(request.correlationId, 1);
    const [letter] = letters;
    expect(text(letter!.attributes, ATTR.failureCode)).toBe('fhir-invalid');
    const reason = text(letter!.attributes, ATTR.failureReason) ?? '';
    // The county, the request, the Task and the validator's finding by its rule's key; no value, pseudonym or person.
    expect(reason).toContain("the county 'pohjanmaa'");
    expect(reason).toContain(request.correlationId);
    expect(reason).toContain(`Task ${String(spoilt!.id)}`);
    expect(reason).toMatch(/koto-status/);
    expect(containsHetuShape(reason)).toBe(false);
    for (const value of [pseudonymOf(spoilt!), pseudonymOf(good!), ...people.map((p) => p.personRef)]) expect(reason).not.toContain(value);

    // Fifteen minutes later the Task is the same: read, not set aside again (the good one is a duplicate now).
    expect((await pollAt(request.correlationId, at + 15 * 60_000)).outcome).toBe('no-new-replies-set-aside-duplicate');
    await settle();
    expect(await refusedLettersOf(request.correlationId)).toHaveLength(1);

    // The county corrects it (a new version): the next read delivers it, and the request is answered.
    county().update('Task', spoilt!.id as string, (task) => ({ ...task, status: 'completed' }));
    expect((await pollAt(request.correlationId, at + 30 * 60_000)).outcome).toBe('replies-delivered-set-aside-duplicate');
    await eventually(async () => ((await inboxOf(request.correlationId, 'wellbeing.consultation.answered.v1')).length === 2 ? true : undefined), 'the corrected answer in the inbox');
    const all = await inboxOf<ConsultationAnsweredV1>(request.correlationId, 'wellbeing.consultation.answered.v1');
    expect(all.flatMap((m) => m.payload.people.map((p) => p.personRef)).sort()).toEqual(people.map((p) => p.personRef).sort());
    expect((await hub.status()).wellbeing?.map((r) => r.requestId)).not.toContain(request.correlationId);
    expect(await refusedLettersOf(request.correlationId)).toHaveLength(1);
  });

  it('reads the request again when an operator redrives a refused Task’s dead letter: set aside anew while still the same, delivered once corrected', async () => {
    const payload = cooperation();
    const request = await post(wellbeingEnvelope('wellbeing.cooperation.requested.v1', payload));
    const [task] = await tasksAtCounty(request.correlationId, 1);
    county().update('Task', task!.id as string, (t) => ({ ...t, status: 'answered' }));
    expect((await pollAt(request.correlationId, Date.now())).outcome).toBe('no-new-replies-task-refused');
    const [first] = await refusedLettersOf(request.correlationId, 1);
    const firstId = viewDeadLetter(first!.body, first!.sqsMessageId).messageId;

    // Redriven while the county has not corrected it: the operators see it again, as a new dead letter.
    const redrive = await koto(hub, ['dlq', 'redrive', 'county-requests', '--message', firstId]);
    expect(redrive.code, redrive.err).toBe(0);
    const reread = await eventually(async () => (await hub.auditOf(request.correlationId)).find((r) => r.stage === 'county-adapter' && r.messageId === firstId), 'the redriven read');
    expect(reread.outcome).toBe('no-new-replies-task-refused');
    const [second] = await eventually(async () => {
      const found = await refusedLettersOf(request.correlationId);
      return found.length === 1 && viewDeadLetter(found[0]!.body, found[0]!.sqsMessageId).messageId !== firstId ? found : undefined;
    }, 'the Task set aside anew');

    // Corrected, then redriven: delivered, and nothing of it is left in the DLQ.
    county().update('Task', task!.id as string, (t) => ({ ...t, status: 'accepted' }));
    const secondId = viewDeadLetter(second!.body, second!.sqsMessageId).messageId;
    expect((await koto(hub, ['dlq', 'redrive', 'county-requests', '--message', secondId])).code).toBe(0);
    const accepted = await oneInInbox<CooperationAcceptedV1>(request.correlationId, 'wellbeing.cooperation.accepted.v1');
    expect(accepted.payload.personRef).toBe(payload.person.personRef);
    const delivered = (await hub.auditOf(request.correlationId)).find((r) => r.stage === 'county-adapter' && r.messageId === secondId);
    expect(delivered?.outcome).toBe('replies-delivered');
    expect(await refusedLettersOf(request.correlationId)).toEqual([]);
  });

  it('refuses a request of an Åland municipality to its sender, naming the municipality and the rule, and sends nothing to any county', async () => {
    const request = await post(wellbeingEnvelope('wellbeing.consultation.requested.v1', consultation(), '478'), ALAND_CLIENT);
    const refused = await oneInInbox<WellbeingRequestRefusedV1>(request.correlationId, 'wellbeing.request.refused.v1', '478');
    expect(refused.payload).toMatchObject({ requestType: 'wellbeing.consultation.requested.v1', code: 'NO_COUNTY_ALAND', field: 'municipality' });
    expect(refused.payload.message).toContain("'478'");
    expect(refused.payload.message).toContain('Åland');
    const intake = (await hub.auditOf(request.correlationId)).find((r) => r.stage === 'wellbeing-intake');
    expect(intake?.outcome).toBe('refused-NO_COUNTY_ALAND');
    expect(county().resources('Task').filter((t) => (t.groupIdentifier as Identifier | undefined)?.value === request.correlationId)).toEqual([]);
  });

  it('shows a request’s hops in koto-hub trace, from the door through intake and the county adapter to the inbox, with no identity code', async () => {
    const payload = cooperation();
    const request = await post(wellbeingEnvelope('wellbeing.cooperation.requested.v1', payload));
    await tasksAtCounty(request.correlationId, 1);
    await pollAt(request.correlationId, Date.now());
    await oneInInbox(request.correlationId, 'wellbeing.cooperation.accepted.v1');
    const traced = await eventually(async () => {
      const run = await koto(hub, ['trace', request.correlationId, '--json']);
      expect(run.code, run.err).toBe(0);
      const trace = JSON.parse(run.out) as Trace;
      const nodes = flatten(trace.roots);
      return nodes.filter((n) => n.stage === 'municipality-inbox').length > 0 ? { run, trace, nodes } : undefined;
    }, 'the answer in the trace');
    const hopOf = (stage: string) => traced.nodes.find((n) => n.stage === stage)!;
    // The request's chain, and the poll the schedule started, each under its sender.
    expect(traced.trace.roots.map((r) => r.stage).sort()).toEqual(['ingress', REPLY_POLLER_STAGE]);
    expect(hopOf('wellbeing-intake').parentHop).toBe(hopOf('ingress').hop);
    const adapterHops = traced.nodes.filter((n) => n.stage === 'county-adapter');
    expect(adapterHops.map((n) => n.outcome).sort()).toEqual(['replies-delivered', 'sent-pohjanmaa']);
    expect(hopOf('municipality-inbox').type).toBe('wellbeing.cooperation.accepted.v1');
    expect(traced.trace.summary).toMatchObject({ deadLetters: 0 });
    expect(traced.run.out).not.toContain(payload.person.hetu);
  });

  it('writes no identity code into any log line of the flow', () => {
    const log = hub.logLines().join('\n');
    expect(log).toContain('wellbeing-intake');
    for (const hetu of WELLBEING_HETUS) expect(log).not.toContain(hetu);
  });
});
