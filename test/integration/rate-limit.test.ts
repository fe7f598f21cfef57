/**
 * The outbound rate limit toward a register holds however many requests ask at once. The limiter
 * is driven by a manual clock, so what is measured is where in (virtual) time each request reaches
 * the mock, not how fast this machine happens to be: time moves only once every request whose slot
 * was granted has arrived over HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isValidHetu } from '#contracts/hetu';
import type { FunctionName } from '#infra/topology';
import { json, startMockServer, type MockServer } from '#mocks/framework';
import { loadPopulation, type PopulationIndex } from '#mocks/population-index';
import { RateLimiter } from '#lib/rate-limit';
import { parseClientId, xroadConfigFromEnv, XRoadHttpClient, type XRoadClientConfig } from '#lib/xroad-client';
import { XRoadFault } from '#contracts/xroad/errors';
import { queryPerson } from '#functions/vtj-adapter/query-person';
import { vtjCredentialsProvider } from '#functions/vtj-adapter/credentials';
import { eventually, startTestHub, type TestHub } from '../support/hub.ts';
import { ManualClock } from '../support/manual-clock.ts';
import { expectNoPersonalDataIn, personalDataOf } from '../support/personal-data.ts';
import { drain } from '../support/queues.ts';
import { expectedVtj, lookupRequest } from '../support/registers.ts';

const SAMPLE = 'mocks/population/sample.json';
/** The VTJ rate of the runtime in this file (KOTO_RATE_LIMIT_VTJ), low enough to see the spreading. */
const RUNTIME_VTJ_RATE = 2;

let hub: TestHub;
let population: PopulationIndex;
const savedRate = process.env.KOTO_RATE_LIMIT_VTJ;

beforeAll(async () => {
  // Read when the VTJ adapter's X-Road client is first made: set before the runtime starts.
  process.env.KOTO_RATE_LIMIT_VTJ = String(RUNTIME_VTJ_RATE);
  population = await loadPopulation(SAMPLE);
  const functions: readonly FunctionName[] = ['vtj-adapter'];
  hub = await startTestHub({ population: SAMPLE, functions });
});
afterAll(async () => {
  await hub?.stop();
  if (savedRate === undefined) delete process.env.KOTO_RATE_LIMIT_VTJ;
  else process.env.KOTO_RATE_LIMIT_VTJ = savedRate;
});

const clientConfig = (securityServerUrl: string): XRoadClientConfig => ({
  securityServerUrl,
  client: parseClientId('FI-TEST/MUN/0000000-0/koto-hub'),
  userId: 'koto-hub',
  timeoutMs: 10_000,
  maxResponseBytes: 1024 * 1024,
});

/** Polls (in real time) until `check` holds; the failure names what was awaited. */
const until = async (check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

/**
 * Lets `total` requests through `limiter`, moving virtual time only when every granted request has
 * reached the mock (`arrived()`) and the next one sleeps; returns the virtual time of each arrival.
 */
const spread = async (clock: ManualClock, limiter: RateLimiter, arrived: () => number, total: number): Promise<number[]> => {
  const times: number[] = [];
  for (;;) {
    // Every granted request has reached the mock, and the next one waits for its turn (or none is left).
    await until(() => arrived() === limiter.granted && (clock.sleeping > 0 || limiter.granted === total), 'every granted request to reach the mock');
    while (times.length < arrived()) times.push(clock.now());
    if (times.length === total) return times;
    clock.advanceToNextTimer();
  }
};

/** The most arrivals within any window [t, t + 1000) of virtual time. */
const mostInOneSecond = (times: readonly number[]): number => {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= 1000) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
};

describe('outbound rate limit', () => {
  it('spreads 40 concurrent requests so that the mock never sees more than 5 in any second, and delays none more than needed', async () => {
    const clock = new ManualClock();
    const arrivals: number[] = [];
    const mock: MockServer = await startMockServer({
      system: 'rate-probe',
      population: null,
      routes: [
        {
          name: 'probe',
          method: 'GET',
          pattern: /^\/r1\/FI-TEST\/GOV\/0000000-1\/probe\/ping\/v1\/\d+$/,
          handle: () => {
            arrivals.push(clock.now());
            return json(200, { ok: true });
          },
        },
      ],
    });
    try {
      const limiter = new RateLimiter(5, clock, 50);
      const client = new XRoadHttpClient(clientConfig(mock.url), limiter);
      const total = 40;
      const calls = Array.from({ length: total }, (_, i) => client.rest('ping', 'GET', `/r1/FI-TEST/GOV/0000000-1/probe/ping/v1/${i}`));

      const times = await spread(clock, limiter, () => arrivals.length, total);
      expect(await Promise.all(calls)).toEqual(Array.from({ length: total }, () => ({ ok: true })));
      expect(arrivals).toEqual(times);
      expect(mostInOneSecond(arrivals)).toBe(5);
      // Paced one every (1000 + 50 ms margin) / 5 = 210 ms: the 40th starts 39 intervals after the first, not later.
      expect(Math.max(...arrivals)).toBe(39 * 210);
      expect(mock.requests.count('probe')).toBe(total);
    } finally {
      await mock.close();
    }
  });

  it("holds VTJ's rate through the security server for concurrent person queries, each answered as the population says", async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter(3, clock, 50);
    const client = new XRoadHttpClient({ ...xroadConfigFromEnv(), timeoutMs: 10_000 }, limiter);
    const persons = population.persons.filter((p) => isValidHetu(p.hetu) && p.homeMunicipality === '837').slice(0, 14);
    const vtj = hub.mocks!.vtj;
    const before = vtj.requests.count('vtj.person');

    const deadline = Date.now() + 60_000;
    const credentials = await vtjCredentialsProvider()();
    const calls = persons.map((p) => queryPerson(client, credentials, p.hetu, { deadline }));
    const times = await spread(clock, limiter, () => vtj.requests.count('vtj.person') - before, persons.length);

    const answers = await Promise.all(calls);
    answers.forEach((answer, i) => expect(answer).toEqual(expectedVtj(persons[i]!)));
    expect(mostInOneSecond(times)).toBe(3);
    // One every 1050 / 3 = 350 ms.
    expect(Math.max(...times)).toBe(13 * 350);
  });

  it('fails a call still waiting for a rate-limit slot at its deadline with a timeout, instead of holding the batch', async () => {
    // Virtual time starts at the real time, so a deadline means the same on the clock and to Date.now().
    const clock = new ManualClock(Date.now());
    const arrivals: number[] = [];
    const mock = await startMockServer({
      system: 'rate-probe',
      population: null,
      routes: [{ name: 'probe', method: 'GET', pattern: /^\/r1\//, handle: () => (arrivals.push(clock.now()), json(200, { ok: true })) }],
    });
    const limiter = new RateLimiter(1, clock, 50);
    const client = new XRoadHttpClient(clientConfig(mock.url), limiter);
    const path = '/r1/FI-TEST/GOV/0000000-1/probe/ping/v1/1';
    let waiting: Promise<string> | undefined;
    try {
      await client.rest('ping', 'GET', path);
      // The next slot is 1050 ms away and virtual time does not move: the next call can only wait.
      waiting = client.rest('ping', 'GET', path, undefined, { deadline: clock.now() + 200 }).then(
        () => 'answered',
        (error: unknown) => (error instanceof XRoadFault ? error.faultCode : 'other error'),
      );
      const outcome = await Promise.race([waiting, new Promise<string>((resolve) => setTimeout(() => resolve('still waiting for a slot'), 3000))]);
      expect(outcome, 'a call past its deadline must end as a timeout').toBe('Client.Timeout');
      expect(arrivals).toHaveLength(1);
    } finally {
      // Let a call still waiting go, so nothing is left pending when the mock closes.
      if (clock.sleeping > 0) clock.advanceToNextTimer();
      await waiting;
      await mock.close();
    }
  });

  it(`spreads a burst of VTJ lookups through the runtime at its configured rate (${RUNTIME_VTJ_RATE}/s) and completes every one`, async () => {
    const [first, ...persons] = population.persons.filter((p) => isValidHetu(p.hetu) && p.homeMunicipality === '091').slice(0, 7);
    const requests = persons.map((p) => lookupRequest(p, ['vtj']));
    const vtj = hub.mocks!.vtj;
    // One lookup first, so that the adapter's TLS connection to the security server is open: a
    // handshake delays only the first arrival of a burst and would shorten the span measured below.
    await hub.sendRaw('vtj-lookups', [JSON.stringify(lookupRequest(first!, ['vtj']))]);
    await drain(hub.sqs, hub.queues.queue['outreach-decisions'], 1, 20_000);
    vtj.requests.clear();
    await hub.sendRaw('vtj-lookups', requests.map((r) => JSON.stringify(r)));

    const completed = await drain(hub.sqs, hub.queues.queue['outreach-decisions'], requests.length, 20_000);
    expect(completed.map((e) => e.correlationId).sort()).toEqual(requests.map((r) => r.correlationId).sort());
    expect(completed.every((e) => e.type === 'lookup.completed.v1')).toBe(true);
    const arrived = vtj.requests.entries().map((e) => Date.parse(e.at)).sort((a, b) => a - b);
    expect(arrived).toHaveLength(requests.length);
    // Six paced one every 525 ms span at least five intervals: a slower machine only adds to it.
    expect(arrived.at(-1)! - arrived[0]!).toBeGreaterThanOrEqual(5 * 525 - 50);
    const adapter = async () => (await hub.status()).functions.find((f) => f.name === 'vtj-adapter')!;
    await eventually(async () => ((await adapter()).records >= requests.length + 1 ? true : undefined), 'the adapter to settle');
    expect(await adapter()).toMatchObject({ failedRecords: 0, errors: 0, timeouts: 0 });
  });

  it('writes no HETU into any log line (and never needed the scrubber to hide one)', () => {
    const lines = hub.logLines();
    expectNoPersonalDataIn(lines, personalDataOf(population.persons));
  });
});
