import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createPrng,
  json,
  maskHetus,
  startMockServer,
  type FaultRule,
  type MockServer,
  type MockClock,
  type MockServerOptions,
  realClock,
} from '#mocks/framework';
import { ManualClock } from '../support/manual-clock.ts';

const HETU = '131052-308T';

interface Echo {
  greeting: string;
}

const routes: MockServerOptions<Echo>['routes'] = [
  {
    name: 'echo.person',
    method: 'GET',
    pattern: /^\/person\/([^/]+)$/,
    handle: (_req, match, population) => json(200, { greeting: population.greeting, id: match[1] }),
  },
  {
    name: 'echo.post',
    method: 'POST',
    pattern: /^\/post$/,
    handle: (req) => ({ status: 201, headers: { 'content-type': 'text/plain' }, body: `got ${req.body.length} bytes` }),
  },
  {
    name: 'echo.xml',
    method: 'GET',
    pattern: /^\/xml$/,
    handle: () => ({ status: 200, headers: { 'content-type': 'text/xml' }, body: '<a><b>hello</b></a>' }),
  },
];

const servers: MockServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function start(extra: Partial<MockServerOptions<Echo>> = {}): Promise<MockServer> {
  const server = await startMockServer<Echo>({ system: 'echo', routes, population: { greeting: 'hei' }, ...extra });
  servers.push(server);
  return server;
}

const get = (server: MockServer, path: string, init?: RequestInit): Promise<Response> => fetch(`${server.url}${path}`, init);

/** A clock whose waits end at once and are remembered: the test checks what was asked for, not how long it took. */
function instantClock(): MockClock & { readonly waits: number[] } {
  const waits: number[] = [];
  return { waits, now: () => 0, sleep: (ms) => (waits.push(ms), Promise.resolve()) };
}

/** A clock that stands still until the test sets it. */
function settableClock(): MockClock & { time: number } {
  return {
    time: 0,
    now() {
      return this.time;
    },
    sleep: () => new Promise<void>(() => {}),
  };
}

/** A request that hangs (a timeout fault), given up by the client once the server has logged it. */
async function abandoned(server: MockServer, path: string): Promise<void> {
  const client = new AbortController();
  const request = get(server, path, { signal: client.signal });
  const logged = server.requests.entries().length + 1;
  await vi.waitFor(() => expect(server.requests.entries()).toHaveLength(logged));
  client.abort();
  await expect(request).rejects.toThrow();
}

/** Status of each of `n` sequential requests. */
async function statuses(server: MockServer, n: number, path = `/person/${HETU}`): Promise<number[]> {
  const result: number[] = [];
  for (let i = 0; i < n; i++) {
    const res = await get(server, path);
    await res.text();
    result.push(res.status);
  }
  return result;
}

describe('mock server framework', () => {
  it('listens on 127.0.0.1 on a free port and routes by method and path pattern', async () => {
    const server = await start();
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect(server.port).toBeGreaterThan(0);

    const res = await get(server, '/person/abc');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ greeting: 'hei', id: 'abc' });

    const post = await get(server, '/post', { method: 'POST', body: 'x'.repeat(10) });
    expect(post.status).toBe(201);
    expect(await post.text()).toBe('got 10 bytes');

    const missing = await get(server, '/nowhere');
    expect(missing.status).toBe(404);
    expect(Object.keys((await missing.json()) as object)).toEqual(['type', 'message', 'detail']);
  });

  it('answers a handler that throws with a 500 that does not repeat the error text', async () => {
    const server = await startMockServer({
      system: 'boom',
      population: null,
      routes: [{ name: 'boom', method: 'GET', pattern: /^\/boom$/, handle: () => { throw new Error(`bad ${HETU}`); } }],
    });
    servers.push(server);
    const res = await get(server, '/boom');
    expect(res.status).toBe(500);
    expect(await res.text()).not.toContain(HETU);
  });

  it('fires a `times` rule on exactly the next N matching requests', async () => {
    const server = await start({ faults: [{ route: 'echo.person', times: 2, effect: { kind: 'status', status: 503 } }] });
    expect(await statuses(server, 4)).toEqual([503, 503, 200, 200]);
    expect(server.faults.list()[0]).toMatchObject({ fired: 2, remaining: 0 });
  });

  it('applies latency rules and then the first deciding rule; later rules are not used up', async () => {
    const timing = instantClock();
    const server = await start({
      timing,
      faults: [
        { times: 1, effect: { kind: 'latency', ms: 10 } },
        { times: 1, effect: { kind: 'status', status: 503 } },
        { times: 1, effect: { kind: 'status', status: 429 } },
      ],
    });
    expect(await statuses(server, 3)).toEqual([503, 429, 200]);
    expect(server.requests.entries()[0]?.faults).toEqual(['latency', 'status']);
    expect(timing.waits).toEqual([10]);
  });

  it('matches a rule by path pattern and by method, leaving other requests alone', async () => {
    const server = await start();
    server.faults.set([{ path: /^\/person\//, method: 'GET', effect: { kind: 'status', status: 502, body: 'bad gateway' } }]);
    const faulted = await get(server, '/person/x');
    expect(faulted.status).toBe(502);
    expect(await faulted.text()).toBe('bad gateway');
    expect((await get(server, '/post', { method: 'POST', body: '' })).status).toBe(201);
  });

  it('repeats the same probability faults for the same seed, and different ones for another seed', async () => {
    const rule: FaultRule = { route: 'echo.person', probability: 0.5, effect: { kind: 'status', status: 503 } };
    const run = async (seed: number): Promise<number[]> => {
      const server = await start({ seed, faults: [rule] });
      return statuses(server, 24);
    };
    const first = await run(42);
    const second = await run(42);
    const other = await run(7);
    expect(first).toEqual(second);
    expect(first).toContain(503);
    expect(first).toContain(200);
    expect(other).not.toEqual(first);
  });

  it('re-seeding at runtime replays the same sequence', async () => {
    const server = await start({ seed: 99 });
    server.faults.set([{ probability: 0.3, effect: { kind: 'status', status: 500 } }], { seed: 5 });
    const first = await statuses(server, 16);
    server.faults.set([{ probability: 0.3, effect: { kind: 'status', status: 500 } }], { seed: 5 });
    expect(await statuses(server, 16)).toEqual(first);
  });

  it('adds latency on its clock and then answers normally', async () => {
    const clock = new ManualClock(Date.parse('2026-11-01T08:00:00Z'));
    const server = await start({ timing: clock, faults: [{ route: 'echo.person', times: 1, effect: { kind: 'latency', ms: 150 } }] });
    let answered = false;
    const pending = get(server, '/person/x').then((res) => ((answered = true), res));
    await vi.waitFor(() => expect(clock.sleeping).toBe(1));
    expect(answered).toBe(false);

    clock.advanceToNextTimer();
    const res = await pending;
    expect(res.status).toBe(200);
    expect(server.requests.entries()[0]).toMatchObject({ faults: ['latency'], at: '2026-11-01T08:00:00.000Z', durationMs: 150 });
  });

  it('a timeout fault hangs until the client gives up, and close() ends hanging connections', async () => {
    const server = await start({ faults: [{ route: 'echo.person', effect: { kind: 'timeout' } }] });
    await abandoned(server, '/person/x');

    // This client never gives up: close() returns only because it ends the connection itself.
    const hanging = get(server, '/person/y').then(
      () => 'answered',
      () => 'ended',
    );
    await vi.waitFor(() => expect(server.requests.entries()).toHaveLength(2));
    await server.close();
    expect(await hanging).toBe('ended');
  });

  it('close() does not wait for a pending latency fault', async () => {
    // The clock is never advanced: close() returns only because it ends the wait itself.
    const clock = new ManualClock();
    const server = await start({ timing: clock, faults: [{ effect: { kind: 'latency', ms: 60_000 } }] });
    const pending = get(server, '/person/x').catch(() => 'ended');
    await vi.waitFor(() => expect(clock.sleeping).toBe(1));
    await server.close();
    expect(await pending).toBe('ended');
    expect(server.requests.entries()).toEqual([]);
  });


  it('malformed answers with the normal body cut in half by default', async () => {
    const server = await start({ faults: [{ route: 'echo.xml', times: 1, effect: { kind: 'malformed' } }] });
    const res = await get(server, '/xml');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('<a><b>hel');
  });

  it('malformed uses the system hook when one is given', async () => {
    const server = await start({
      malformed: (_req, normal) => ({ ...normal, body: `${normal.body}<<garbage` }),
      faults: [{ route: 'echo.xml', times: 1, effect: { kind: 'malformed' } }],
    });
    expect(await (await get(server, '/xml')).text()).toBe('<a><b>hello</b></a><<garbage');
  });

  it('soapFault answers with a SOAP 1.1 fault, or the system’s own fault body', async () => {
    const server = await start({
      faults: [{ times: 1, effect: { kind: 'soapFault', faultcode: 'Server.ServerProxy.ServiceFailed', faultstring: 'Service failed' } }],
    });
    const res = await get(server, '/xml');
    expect(res.status).toBe(500);
    expect(res.headers.get('content-type')).toContain('text/xml');
    const body = await res.text();
    expect(body).toContain('<faultcode>Server.ServerProxy.ServiceFailed</faultcode>');
    expect(body).toContain('<faultstring>Service failed</faultstring>');

    const own = await start({
      faultBody: (code, text) => json(500, { type: code, message: text, detail: '' }),
      faults: [{ times: 1, effect: { kind: 'soapFault', faultcode: 'Client.InvalidSoap', faultstring: 'no', status: 400 } }],
    });
    const ownRes = await get(own, '/xml');
    expect(ownRes.status).toBe(400);
    expect(await ownRes.json()).toEqual({ type: 'Client.InvalidSoap', message: 'no', detail: '' });
  });

  it('custom runs the system’s named variant with its params and the normal answer', async () => {
    const server = await start({
      custom: {
        wrongGreeting: async (_req, ctx) => {
          const normal = JSON.parse((await ctx.normal()).body) as Record<string, unknown>;
          return json(200, { ...normal, greeting: ctx.params.greeting, route: ctx.route.name });
        },
      },
      faults: [{ route: 'echo.person', times: 1, effect: { kind: 'custom', name: 'wrongGreeting', params: { greeting: 'moi' } } }],
    });
    expect(await (await get(server, '/person/z')).json()).toEqual({ greeting: 'moi', id: 'z', route: 'echo.person' });

    server.faults.set([{ effect: { kind: 'custom', name: 'noSuchVariant' } }]);
    expect((await get(server, '/person/z')).status).toBe(500);
  });

  it('the admin endpoint sets, lists and clears faults, and reports stats', async () => {
    const server = await start();
    const set = await get(server, '/__faults', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ seed: 3, rules: [{ id: 'r1', path: '^/person/', times: 1, effect: { kind: 'status', status: 429 } }] }),
    });
    expect(set.status).toBe(200);
    expect(await statuses(server, 2)).toEqual([429, 200]);

    const appended = await get(server, '/__faults', {
      method: 'POST',
      body: JSON.stringify({ append: true, rules: [{ route: 'echo.xml', effect: { kind: 'status', status: 500 } }] }),
    });
    const listed = (await appended.json()) as { rules: { id?: string; fired: number }[] };
    expect(listed.rules).toHaveLength(2);
    expect(listed.rules[0]).toMatchObject({ id: 'r1', fired: 1 });

    const stats = (await (await get(server, '/__stats')).json()) as {
      system: string;
      total: number;
      routes: Record<string, { count: number; byStatus: Record<string, number>; faulted: number }>;
      log: unknown[];
    };
    expect(stats.system).toBe('echo');
    expect(stats.total).toBe(2);
    expect(stats.routes['echo.person']).toMatchObject({ count: 2, byStatus: { '429': 1, '200': 1 }, faulted: 1 });
    expect(stats.log).toHaveLength(2);

    expect((await get(server, '/__faults', { method: 'DELETE' })).status).toBe(200);
    expect(server.faults.list()).toEqual([]);
  });

  it('the admin endpoint rejects bad settings naming the field', async () => {
    const server = await start();
    const res = await get(server, '/__faults', {
      method: 'POST',
      body: JSON.stringify({ rules: [{ times: 1, effect: { kind: 'explode' } }] }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { detail: string };
    expect(body.detail).toContain('rules.0.effect.kind');
    expect((await get(server, '/__faults', { method: 'POST', body: '{' })).status).toBe(400);
    expect(
      (await get(server, '/__faults', { method: 'POST', body: JSON.stringify({ rules: [{ path: '(', effect: { kind: 'timeout' } }] }) })).status,
    ).toBe(400);
  });

  it('POST /__reset clears faults, counters and log, and calls the system’s reset', async () => {
    let resets = 0;
    const server = await start({ onReset: () => (resets += 1), faults: [{ effect: { kind: 'status', status: 500 } }] });
    await statuses(server, 3);
    const res = await get(server, '/__reset', { method: 'POST' });
    expect(res.status).toBe(200);
    expect(resets).toBe(1);
    expect(server.faults.list()).toEqual([]);
    expect(server.requests.count()).toBe(0);
    expect(server.requests.entries()).toEqual([]);
    expect(await statuses(server, 1)).toEqual([200]);
  });

  it('logs path, status and time but never a body, a query string or an identity code', async () => {
    const server = await start();
    await (await get(server, `/person/${HETU}?hetu=${HETU}`)).text();
    await (await get(server, '/post', { method: 'POST', body: `{"hetu":"${HETU}","name":"Amina"}` })).text();
    const entries = server.requests.entries();
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({ route: 'echo.person', method: 'GET', path: '/person/***', status: 200, faults: [] });
    expect(entries[1]).toMatchObject({ route: 'echo.post', method: 'POST', path: '/post', status: 201 });
    expect(typeof entries[0]?.at).toBe('string');
    expect(typeof entries[0]?.durationMs).toBe('number');
    const everything = JSON.stringify(server.stats());
    expect(everything).not.toContain(HETU);
    expect(everything).not.toContain('Amina');
    expect(everything).not.toContain('?');
  });

  it('counts requests per route and the largest number that arrived within one second, by arrival time', async () => {
    const clock = settableClock();
    const server = await start({ timing: clock });
    const burst = (n: number) => Promise.all(Array.from({ length: n }, () => get(server, '/person/x').then((r) => r.text())));
    await burst(12);
    expect(server.requests.count('echo.person')).toBe(12);
    expect(server.requests.maxRequestsPerSecond()).toBe(12);
    expect(server.requests.maxRequestsPerSecond('echo.person')).toBe(12);
    expect(server.requests.maxRequestsPerSecond('echo.xml')).toBe(0);

    clock.time = 1000; // the first burst is out of the window that ends now
    await burst(8);
    expect(server.requests.maxRequestsPerSecond()).toBe(12);
    clock.time = 1999; // the second one is still in it
    await burst(5);
    expect(server.requests.maxRequestsPerSecond('echo.person')).toBe(13);
    expect(server.requests.count()).toBe(25);
  });

  it('a timed-out request is logged with status 0 and its fault', async () => {
    const server = await start({ faults: [{ times: 1, effect: { kind: 'timeout' } }] });
    await abandoned(server, '/person/x');
    expect(server.requests.entries()[0]).toMatchObject({ status: 0, faults: ['timeout'] });
  });
});

describe('helpers', () => {
  describe('realClock (under fake timers)', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it('sleeps the milliseconds asked for', async () => {
      vi.useFakeTimers();
      let woken = false;
      const wait = realClock.sleep(150).then(() => (woken = true));
      await vi.advanceTimersByTimeAsync(149);
      expect(woken).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      await wait;
      expect(woken).toBe(true);
    });

    it('ends the wait and its timer when the signal aborts, so no timer outlives a closed server', async () => {
      vi.useFakeTimers();
      const closing = new AbortController();
      const wait = realClock.sleep(60_000, closing.signal);
      expect(vi.getTimerCount()).toBe(1);
      closing.abort();
      await wait;
      expect(vi.getTimerCount()).toBe(0);
      await realClock.sleep(60_000, closing.signal);
      expect(vi.getTimerCount()).toBe(0);
    });
  });

  it('createPrng gives the same sequence for the same seed, in [0, 1)', () => {
    const a = createPrng(123);
    const b = createPrng(123);
    const seqA = Array.from({ length: 100 }, a);
    expect(Array.from({ length: 100 }, b)).toEqual(seqA);
    expect(seqA.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(Array.from({ length: 100 }, createPrng(124))).not.toEqual(seqA);
  });

  it('maskHetus masks valid, lower-case and malformed codes, and leaves member codes alone', () => {
    expect(maskHetus(`/a/${HETU}/b`)).toBe('/a/***/b');
    expect(maskHetus('/a/010101a123b')).toBe('/a/***');
    expect(maskHetus('/a/010190%2B123X')).toBe('/a/***');
    expect(maskHetus('/r1/FI/GOV/0246246-0/kelmu')).toBe('/r1/FI/GOV/0246246-0/kelmu');
  });
});
