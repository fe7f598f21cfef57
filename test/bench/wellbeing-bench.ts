/**
 * The wellbeing services county flow in the benchmark against the registers' real limits (its own
 * line, `"mode":"wellbeing"`): N requests about the municipality's people — consultations, every
 * tenth a cooperation request — posted through the door at a steady rate by the municipality's own
 * system. Each is timed from its POST to its sending to the county (the county adapter's `sent-`
 * hop in the audit) and to the county's answer in the municipality's inbox. The county mock answers
 * at once; the reply poller, every 15 minutes in AWS, is triggered here at most every two seconds,
 * when a sent request is unanswered and none waits to be sent, so the answer's time is the bench's
 * cadence, not the hub's. The floor is the posting itself or the county calls (sends and reads) ÷
 * the wellbeing rate in the topology, the longer; the county mock's `maxRequestsPerSecond` is
 * printed beside the limit.
 */
import { randomUUID } from 'node:crypto';
import { parseHetu } from '#contracts/hetu';
import type { ConsultationRequestedV1, CooperationRequestedV1 } from '#contracts/messages/wellbeing';
import type { FixturePerson } from '#contracts/population';
import { countyOf } from '#contracts/wellbeing/counties';
import { externalSystems } from '#infra/topology';
import { watchInboxes } from './inbox-watch.ts';
import { addBenchClient, auditOf, freshMock, percentileMs, postSteadily, waitUntil, whereTheyStand, type FlowBench } from './flow-support.ts';

export interface WellbeingBenchOptions {
  /** Requests posted, each about one person of the municipality. */
  readonly requests: number;
  /** Requests posted per second. */
  readonly rate: number;
}

const BENCH_CLIENT = 'bench-wellbeing';
const ANSWERS = ['wellbeing.consultation.answered.v1', 'wellbeing.cooperation.accepted.v1', 'wellbeing.cooperation.declined.v1'];
const REFUSED = 'wellbeing.request.refused.v1';
const POLL_EVERY_MS = 2000;

const consultationOf = (person: FixturePerson, personRef: string): ConsultationRequestedV1 => {
  const hetu = parseHetu(person.hetu);
  if (!hetu.ok) throw new Error('a bench person has no valid identity code');
  return {
    people: [
      {
        personRef,
        hetu: person.hetu,
        birthDate: hetu.hetu.birthDate,
        // The individual number's parity, as the identity code carries it.
        gender: hetu.hetu.individualNumber % 2 === 1 ? 'male' : 'female',
        languages: person.nativeLanguage && /^[a-z]{2}$/.test(person.nativeLanguage) ? [person.nativeLanguage] : [],
        interpreterRequired: person.nativeLanguage !== 'fi' && person.nativeLanguage !== 'sv',
        needs: ['health-care'],
        turvakielto: person.nonDisclosure,
      },
    ],
    plannedArrival: '2027-01',
  };
};

const cooperationOf = (person: FixturePerson, personRef: string): CooperationRequestedV1 => ({
  purpose: 'service-needs-assessment',
  person: { personRef, hetu: person.hetu, lastName: person.lastName, firstNames: person.firstNames, turvakielto: person.nonDisclosure },
  contact: { name: 'Bench Official', title: 'maahanmuuttokoordinaattori', email: 'bench@municipality.example' },
});

/** The i-th request: a consultation, every tenth a cooperation request. */
const requestOf = (municipality: string, person: FixturePerson, i: number) => {
  const personRef = `bench-wellbeing-${i}`;
  const cooperation = i % 10 === 9;
  return {
    messageId: randomUUID(),
    correlationId: randomUUID(),
    causationId: null,
    type: cooperation ? 'wellbeing.cooperation.requested.v1' : 'wellbeing.consultation.requested.v1',
    source: `municipality:${municipality}`,
    target: 'hub',
    municipality,
    occurredAt: new Date().toISOString(),
    payload: cooperation ? cooperationOf(person, personRef) : consultationOf(person, personRef),
  };
};

export const runWellbeingBench = async (bench: FlowBench, options: WellbeingBenchOptions): Promise<Record<string, unknown>> => {
  const route = countyOf(bench.municipality);
  if (!route.ok) throw new Error(`the wellbeing line: ${route.message}`);
  const county = route.county.id;
  if (bench.mockUrls[`wellbeing:${county}`]?.startsWith('https:')) {
    return { mode: 'wellbeing', county, skipped: "the county is reached with mutual TLS, and the bench reads its mock's statistics over plain HTTP only" };
  }
  const limit = externalSystems.wellbeing.ratePerSecond;
  const countyStats = await freshMock(bench, `wellbeing:${county}`, bench.latencyMs.wellbeing);
  await addBenchClient(bench, {
    clientId: BENCH_CLIENT,
    name: 'Municipal social services system (bench)',
    sends: ['wellbeing.consultation.requested.v1', 'wellbeing.cooperation.requested.v1'],
    receives: [...ANSWERS, REFUSED, 'wellbeing.consultation.overdue.v1', 'wellbeing.cooperation.overdue.v1'],
  });
  const people = bench.people.slice(0, options.requests);
  const answers = watchInboxes(bench.runtime, ANSWERS);
  const refusals = watchInboxes(bench.runtime, REFUSED);
  /** When each request was posted: `performance.now()` for the inbox's times, epoch ms for the audit's. */
  const posted = new Map<string, { at: number; wall: number }>();
  /** Milliseconds from each request's POST to its sending to the county. */
  const sent = new Map<string, number>();
  let postingDone = false;
  let polls = 0;

  const readSent = async () => {
    for (const [id, { wall }] of posted) {
      if (sent.has(id) || refusals.seen.has(id)) continue;
      const hop = (await auditOf(bench, id)).find((r) => r.stage === 'county-adapter' && r.outcome.startsWith('sent-'));
      if (hop) sent.set(id, Date.parse(hop.recordedAt) - wall);
    }
  };
  // The reply poller, every 15 minutes in AWS, here every `POLL_EVERY_MS` while a sent request waits for its answer and none
  // waits to be sent. A poll reads every open request, those taken but not yet sent among them, and the reads share the
  // county's rate with the sends: polled while sends wait, the wasted reads held the sends back for seconds (tried).
  let lastPoll = -Infinity;
  const tick = async () => {
    await readSent();
    const unanswered = [...sent.keys()].some((id) => !answers.seen.has(id));
    const unsent = [...posted.keys()].some((id) => !sent.has(id) && !refusals.seen.has(id));
    if (unanswered && !unsent && performance.now() - lastPoll >= POLL_EVERY_MS) {
      lastPoll = performance.now();
      polls += ((await bench.runtime.trigger('wellbeing-reply-poller')) as { polled: number }).polled;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  };
  const settled = () => postingDone && [...posted.keys()].every((id) => answers.seen.has(id) || refusals.seen.has(id));
  const waiting = waitUntil(bench, settled, 180_000 + (1000 * people.length) / options.rate, () => `wellbeing: ${sent.size}/${posted.size} sent, ${answers.seen.size} answered`, tick);
  const start = await postSteadily(bench, BENCH_CLIENT, options.rate, people.length, (i) => {
    const envelope = requestOf(bench.municipality, people[i]!, i);
    posted.set(envelope.correlationId, { at: performance.now(), wall: Date.now() });
    return envelope;
  });
  postingDone = true;
  await waiting;
  await readSent();
  await answers.stop();
  await refusals.stop();

  const answered = [...posted].flatMap(([id, { at }]) => (answers.seen.has(id) ? [answers.seen.get(id)! - at] : []));
  const stats = await countyStats();
  const seconds = (Math.max(...answers.seen.values(), start) - start) / 1000;
  // The floor: the posting itself, or the county calls at the wellbeing rate, whichever is longer.
  const floorSeconds = Math.max(people.length / options.rate, stats.total / limit);
  const unanswered = [...posted.keys()].filter((id) => !answers.seen.has(id) && !refusals.seen.has(id));
  return {
    mode: 'wellbeing',
    county,
    requests: posted.size,
    sent: sent.size,
    answered: answered.length,
    refused: refusals.seen.size,
    seconds: Number(seconds.toFixed(2)),
    floorSeconds: Number(floorSeconds.toFixed(2)),
    wellbeingFloorRatio: Number((seconds / floorSeconds).toFixed(3)),
    sentP50Ms: percentileMs([...sent.values()], 50),
    sentP95Ms: percentileMs([...sent.values()], 95),
    answeredP50Ms: percentileMs(answered, 50),
    answeredP95Ms: percentileMs(answered, 95),
    countyCalls: stats.total,
    polls,
    limitPerSecond: limit,
    maxRequestsPerSecond: stats.maxRequestsPerSecond,
    ...(unanswered.length > 0 ? { unansweredAt: await whereTheyStand(bench, unanswered) } : {}),
  };
};
