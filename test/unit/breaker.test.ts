/**
 * The circuit breaker of an external system, on an injected clock and an in-memory store: it opens
 * after N transient failures in a row, probes at a growing interval while open, lets one probe out
 * at a time, closes on an answer; permanent faults neither count nor wait. Through the adapters'
 * guard, an open breaker re-sends the message with a delay instead of failing it. A system of many
 * servers (the counties) has one breaker per server, each with a record of its own.
 */
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { faultFromHttpStatus, XRoadFault } from '#contracts/xroad/errors';
import { CircuitBreaker } from '#lib/breaker/breaker';
import { delayUntil, MAX_DELAY_SECONDS, throughBreaker, type Wait } from '#lib/breaker/guard';
import { DynamoBreakerStore, MemoryBreakerStore } from '#lib/breaker/store';
import { breakerName, systemOfBreaker } from '#lib/breaker/names';
import type { BreakerPhase, BreakerPolicy } from '#lib/breaker/state';
import { breakerSpecFromEnv, toPolicy } from '#lib/breaker/system';
import { ATTR } from '#lib/batch/attributes';
import { PermanentError, TransientError } from '#lib/errors';
import { resetExternalMetrics } from '#lib/metrics';
import { XRoadHttpClient } from '#lib/xroad-client';
import { breakerPolicy } from '#infra/topology';

const POLICY: BreakerPolicy = { failuresToOpen: 3, firstProbeMs: 1_000, maxProbeMs: 6_000, probeTimeoutMs: 10_000, holdMs: 60_000 };

/** Time that moves only when the test moves it. */
class TestClock {
  constructor(public time = 1_000_000) {}
  now = (): number => this.time;
  advance(ms: number): void {
    this.time += ms;
  }
}

let clock: TestClock;
let store: MemoryBreakerStore;
let transitions: BreakerPhase[];
const breaker = (policy = POLICY) => new CircuitBreaker('vtj', store, policy, clock, (_system, to) => transitions.push(to));

beforeEach(() => {
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
  resetExternalMetrics();
  clock = new TestClock();
  store = new MemoryBreakerStore();
  transitions = [];
});
afterEach(() => {
  vi.unstubAllEnvs();
  resetExternalMetrics();
});

const call = { kind: 'call' } as const;

describe('the breaker state machine', () => {
  it('stays closed through N-1 transient failures in a row and opens on the Nth, with the first probe one interval later', async () => {
    const b = breaker();
    await b.failed(call);
    await b.failed(call);
    expect((await b.state()).phase).toBe('closed');
    const opened = await b.failed(call);
    expect(opened).toMatchObject({ phase: 'open', openedAt: clock.time, nextProbeAt: clock.time + 1_000 });
    expect(transitions).toEqual(['open']);
    expect((await b.admit()).admission).toEqual({ kind: 'wait', until: clock.time + 1_000 });
  });

  it('counts failures in a row only: an answer in between starts the count again', async () => {
    const b = breaker();
    await b.failed(call);
    await b.failed(call);
    await b.answered();
    await b.failed(call);
    await b.failed(call);
    expect(await b.state()).toMatchObject({ phase: 'closed', failures: 2 });
  });

  it('lets one probe out when it is due, makes everyone else wait for it, and closes when the probe is answered', async () => {
    const b = breaker();
    for (let i = 0; i < 3; i++) await b.failed(call);
    clock.advance(999);
    expect((await b.admit()).admission.kind).toBe('wait');
    clock.advance(1);
    expect((await b.admit()).admission).toEqual({ kind: 'probe' });
    const other = (await b.admit()).admission;
    expect(other).toEqual({ kind: 'wait', until: clock.time + POLICY.firstProbeMs });
    await b.answered();
    expect(await b.state()).toMatchObject({ phase: 'closed', failures: 0, openedAt: null });
    expect((await b.admit()).admission).toEqual({ kind: 'call' });
    expect(transitions).toEqual(['open', 'half-open', 'closed']);
  });

  it('probes at a growing interval, doubling after each failed probe up to the ceiling', async () => {
    const b = breaker();
    for (let i = 0; i < 3; i++) await b.failed(call);
    const intervals: number[] = [];
    for (let probe = 0; probe < 5; probe++) {
      const { nextProbeAt } = await b.state();
      intervals.push(nextProbeAt! - clock.time);
      clock.time = nextProbeAt!;
      const { admission } = await b.admit();
      expect(admission).toEqual({ kind: 'probe' });
      await b.failed(admission);
    }
    expect(intervals).toEqual([1_000, 2_000, 4_000, 6_000, 6_000]);
    expect(await b.state()).toMatchObject({ phase: 'open', failedProbes: 5 });
  });

  it('gives a probe whose instance never answered up after the probe timeout, and lets another out', async () => {
    const b = breaker();
    for (let i = 0; i < 3; i++) await b.failed(call);
    clock.advance(1_000);
    expect((await b.admit()).admission.kind).toBe('probe');
    clock.advance(POLICY.probeTimeoutMs - 1);
    expect((await b.admit()).admission.kind).toBe('wait');
    clock.advance(1);
    expect((await b.admit()).admission.kind).toBe('probe');
  });

  it('ignores the late failure of a call let through before it opened', async () => {
    const b = breaker();
    for (let i = 0; i < 3; i++) await b.failed(call);
    const open = await b.state();
    clock.advance(500);
    expect(await b.failed(call)).toEqual(open);
  });

  it('keeps one breaker per county under the system’s name and the county’s: one county open leaves the others closed', async () => {
    expect(breakerName('wellbeing', 'helsinki')).toBe('wellbeing:helsinki');
    expect(breakerName('vtj')).toBe('vtj');
    expect(systemOfBreaker('wellbeing:helsinki')).toBe('wellbeing');
    const county = (part: string) => new CircuitBreaker(breakerName('wellbeing', part), store, POLICY, clock);
    const helsinki = county('helsinki');
    for (let i = 0; i < POLICY.failuresToOpen; i++) await helsinki.failed((await helsinki.admit()).admission);
    expect((await helsinki.state()).phase).toBe('open');
    expect((await county('pohjanmaa').admit()).admission).toEqual({ kind: 'call' });
    expect((await store.read('wellbeing:helsinki')).state.phase).toBe('open');
    expect((await store.read('wellbeing')).version).toBe(0);
  });

  it('reads the topology figures, each overridden by its KOTO_BREAKER_* variable, and refuses a bad one by name', () => {
    expect(breakerSpecFromEnv({})).toEqual(breakerPolicy);
    expect(toPolicy(breakerSpecFromEnv({ KOTO_BREAKER_FIRST_PROBE_SECONDS: '0.5' })).firstProbeMs).toBe(500);
    expect(() => breakerSpecFromEnv({ KOTO_BREAKER_HOLD_SECONDS: 'soon' })).toThrow(/KOTO_BREAKER_HOLD_SECONDS/);
  });
});

describe('a call through the breaker', () => {
  const hopWith = (attributes: Record<string, string> = {}) => {
    const outcomes: string[] = [];
    return { outcomes, attribute: (name: string) => attributes[name], setOutcome: (o: string) => void outcomes.push(o) };
  };
  const unavailable = () => Promise.reject(faultFromHttpStatus(503, 'HenkilonTunnusKysely'));
  /** A real client whose register's pace leaves no slot before the deadline: nothing is sent. */
  const paced = new XRoadHttpClient(
    { securityServerUrl: 'http://127.0.0.1:9', client: { xRoadInstance: 'FI-TEST', memberClass: 'MUN', memberCode: '0000000-0', subsystemCode: 'koto-hub' }, userId: 'koto-hub', timeoutMs: 2000, maxResponseBytes: 10_000 },
    { acquire: async () => undefined },
    'vtj',
  );
  const noSlot = () => paced.rest('status', 'GET', '/r1/ok', undefined, { deadline: Date.now() + 1_000 });

  it('calls the system while closed and gives its answer', async () => {
    const requeued: Wait[] = [];
    const passage = await throughBreaker(breaker(), hopWith(), async () => 'answer', (w) => requeued.push(w), clock);
    expect(passage).toEqual({ answered: true, value: 'answer' });
    expect(requeued).toEqual([]);
  });

  it('throws a transient failure that leaves the breaker closed (the ordinary retry), and waits on the one that opens it', async () => {
    const b = breaker();
    const requeued: Wait[] = [];
    for (let i = 0; i < 2; i++) {
      await expect(throughBreaker(b, hopWith(), unavailable, (w) => requeued.push(w), clock)).rejects.toThrow(XRoadFault);
    }
    const hop = hopWith();
    expect(await throughBreaker(b, hop, unavailable, (w) => requeued.push(w), clock)).toEqual({ answered: false });
    expect(requeued).toEqual([{ delaySeconds: 1, attributes: { [ATTR.waitingSince]: String(clock.time) } }]);
    expect(hop.outcomes).toEqual(['deferred']);
  });

  it('does not call the system while open: the message is re-sent with a delay until the next probe, keeping when it began to wait', async () => {
    const b = breaker({ ...POLICY, firstProbeMs: 30_000 });
    for (let i = 0; i < 3; i++) await b.failed(call);
    clock.advance(10_000);
    const since = clock.time - 20_000;
    const called = vi.fn(async () => 'answer');
    const requeued: Wait[] = [];
    expect(await throughBreaker(b, hopWith({ [ATTR.waitingSince]: String(since) }), called, (w) => requeued.push(w), clock)).toEqual({ answered: false });
    expect(called).not.toHaveBeenCalled();
    expect(requeued).toEqual([{ delaySeconds: 20, attributes: { [ATTR.waitingSince]: String(since) } }]);
  });

  it('closes the breaker when the probe is answered, and the probing message goes on', async () => {
    const b = breaker();
    for (let i = 0; i < 3; i++) await b.failed(call);
    clock.advance(1_000);
    const passage = await throughBreaker(b, hopWith(), async () => 'answer', () => undefined, clock);
    expect(passage).toEqual({ answered: true, value: 'answer' });
    expect((await b.state()).phase).toBe('closed');
  });

  it('passes a permanent fault through at once, without counting it or waiting, and takes it as an answer that closes the breaker', async () => {
    const b = breaker();
    const requeued: Wait[] = [];
    const refused = () => Promise.reject(new PermanentError('Client.InvalidRequest', 'refused'));
    for (let i = 0; i < 5; i++) await expect(throughBreaker(b, hopWith(), refused, (w) => requeued.push(w), clock)).rejects.toThrow(PermanentError);
    expect(await b.state()).toMatchObject({ phase: 'closed', failures: 0 });
    for (let i = 0; i < 3; i++) await b.failed(call);
    clock.advance(1_000);
    await expect(throughBreaker(b, hopWith(), refused, (w) => requeued.push(w), clock)).rejects.toThrow(PermanentError);
    expect((await b.state()).phase).toBe('closed');
    expect(requeued).toEqual([]);
  });

  it('does not count a call that never left — no rate-limit slot before its deadline is the system’s pace, not its failure', async () => {
    const b = breaker();
    const requeued: Wait[] = [];
    for (let i = 0; i < POLICY.failuresToOpen + 2; i++) {
      const hop = hopWith();
      await expect(throughBreaker(b, hop, noSlot, (w) => requeued.push(w), clock)).rejects.toMatchObject({ transient: true });
      expect(hop.outcomes).toEqual([]);
    }
    expect(await b.state()).toMatchObject({ phase: 'closed', failures: 0 });
    expect(requeued).toEqual([]);
    // The same client's call that did leave and failed counts as ever.
    const unreachable = new XRoadHttpClient(paced.config, undefined, 'vtj');
    await expect(throughBreaker(b, hopWith(), () => unreachable.rest('status', 'GET', '/r1/ok'), () => undefined, clock)).rejects.toMatchObject({ transient: true });
    expect(await b.state()).toMatchObject({ phase: 'closed', failures: 1 });
  });

  it('frees a probe that never left at once: the next message probes rather than wait out the probe’s timeout', async () => {
    const b = breaker();
    for (let i = 0; i < POLICY.failuresToOpen; i++) await b.failed(call);
    clock.advance(POLICY.firstProbeMs);
    await expect(throughBreaker(b, hopWith(), noSlot, () => undefined, clock)).rejects.toMatchObject({ transient: true });
    expect(await b.state()).toMatchObject({ phase: 'open', nextProbeAt: clock.time, probeStartedAt: null, failedProbes: 0, probeIntervalMs: POLICY.firstProbeMs });
    // Freeing it is no transition: the breaker opened once, and nothing was learnt since.
    expect(transitions).toEqual(['open', 'half-open']);
    const requeued: Wait[] = [];
    expect(await throughBreaker(b, hopWith(), async () => 'answer', (w) => requeued.push(w), clock)).toEqual({ answered: true, value: 'answer' });
    expect(requeued).toEqual([]);
    expect((await b.state()).phase).toBe('closed');
  });

  it('leaves a probe claim another caller has taken over since (the first one’s timeout passed)', async () => {
    const b = breaker();
    for (let i = 0; i < POLICY.failuresToOpen; i++) await b.failed(call);
    clock.advance(POLICY.firstProbeMs);
    const first = await b.admit();
    clock.advance(POLICY.probeTimeoutMs);
    const second = await b.admit();
    expect(second.admission.kind).toBe('probe');
    await b.probeNotSent(first.state);
    expect(await b.state()).toMatchObject({ phase: 'half-open', probeStartedAt: clock.time });
  });

  it('stops waiting once the message has waited the whole hold: it then takes the ordinary retries', async () => {
    const b = breaker();
    for (let i = 0; i < 3; i++) await b.failed(call);
    const since = clock.time - POLICY.holdMs;
    await expect(throughBreaker(b, hopWith({ [ATTR.waitingSince]: String(since) }), async () => 'answer', () => undefined, clock)).rejects.toThrow(TransientError);
  });

  it('delays by whole seconds, at least one and at most what SQS takes', () => {
    expect(delayUntil(1_000, 1_000)).toBe(1);
    expect(delayUntil(2_500, 1_000)).toBe(2);
    expect(delayUntil(10_000_000, 0)).toBe(MAX_DELAY_SECONDS);
  });
});

describe('the breaker records in DynamoDB', () => {
  /** A table that answers each GetItem when the test says so, counting them by system. */
  const slowTable = () => {
    const asked: string[] = [];
    const pending: (() => void)[] = [];
    const item = { pk: 'BREAKER#vtj', system: 'vtj', phase: 'closed', failures: 2, version: 7 };
    const documents = {
      send: (command: unknown) => {
        if (!(command instanceof GetCommand)) throw new Error('only reads here');
        asked.push(String(command.input.Key?.pk));
        return new Promise((resolve) => pending.push(() => resolve({ Item: command.input.Key?.pk === item.pk ? item : undefined })));
      },
    } as unknown as DynamoDBDocumentClient;
    const answer = () => pending.splice(0).forEach((resolve) => resolve());
    return { store: new DynamoBreakerStore(() => documents, () => 'pacing'), asked, answer };
  };

  it('reads a system once for calls that ask together, and anew for a call that asks after', async () => {
    const { store, asked, answer } = slowTable();
    const together = Promise.all([store.read('vtj'), store.read('vtj'), store.read('vtj'), store.read('uma')]);
    answer();
    const [a, b, c, uma] = await together;
    expect(asked).toEqual(['BREAKER#vtj', 'BREAKER#uma']);
    expect([a, b, c].map((r) => [r.state.failures, r.version])).toEqual([[2, 7], [2, 7], [2, 7]]);
    expect(uma).toMatchObject({ state: { phase: 'closed', failures: 0 }, version: 0 });

    const later = store.read('vtj');
    answer();
    await later;
    expect(asked).toEqual(['BREAKER#vtj', 'BREAKER#uma', 'BREAKER#vtj']);
  });
});
