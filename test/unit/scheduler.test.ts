/** The embedded runtime's scheduler (infra/local/scheduler.ts), with handlers that the test holds open. */
import { afterEach, describe, expect, it } from 'vitest';
import type { FunctionStats } from '#infra/local/runner';
import { Scheduler, type ScheduleRun } from '#infra/local/scheduler';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A handler whose invocations wait until the test releases them; it records how many ran at once. */
const gatedHandler = () => {
  const gates: (() => void)[] = [];
  openGates = gates;
  const state = { started: 0, running: 0, maxRunning: 0 };
  const handler: ScheduleRun['handler'] = async (event) => {
    state.started++;
    state.running++;
    state.maxRunning = Math.max(state.maxRunning, state.running);
    await new Promise<void>((resolve) => gates.push(resolve));
    state.running--;
    return { n: state.started, source: event.source };
  };
  const releaseAll = () => {
    while (gates.length) gates.shift()!();
  };
  return { handler, state, gates, releaseAll };
};

let scheduler: Scheduler | undefined;
/** Gates of the test's handler: kept open invocations are let go while the scheduler stops. */
let openGates: (() => void)[] = [];
afterEach(async () => {
  const release = setInterval(() => openGates.splice(0).forEach((open) => open()), 5);
  await scheduler?.stop();
  clearInterval(release);
  scheduler = undefined;
});

const setup = (run: Partial<ScheduleRun> & Pick<ScheduleRun, 'handler'>) => {
  const stats = new Map<string, FunctionStats>();
  const events: string[] = [];
  scheduler = new Scheduler(stats, 'eu-north-1', { onEvent: (line) => events.push(line) });
  scheduler.start({ functionName: 'poller', everyMs: 0, timeoutSeconds: 5, memoryMb: 128, ...run });
  return { scheduler, stats: () => stats.get('poller')!, events };
};

describe('scheduler of the embedded runtime', () => {
  it('invokes a scheduled function every period with a ScheduledEvent, and never while its last invocation runs', async () => {
    const gated = gatedHandler();
    const { stats } = setup({ handler: gated.handler, everyMs: 20 });
    await pause(150);
    // Several periods passed while the first invocation was held open: the ticks were skipped.
    expect(gated.state.started).toBe(1);
    gated.releaseAll();
    await pause(100);
    gated.releaseAll();
    expect(gated.state.started).toBeGreaterThan(1);
    expect(gated.state.maxRunning).toBe(1);
    expect(stats().invocations).toBeGreaterThanOrEqual(1);
  });

  it('trigger runs one invocation now, after the running one, and resolves with its result', async () => {
    const gated = gatedHandler();
    const { scheduler: s, stats } = setup({ handler: gated.handler });
    const first = s.trigger('poller');
    const second = s.trigger('poller');
    await pause(20);
    expect(gated.state.running).toBe(1);
    gated.releaseAll();
    expect(await first).toEqual({ n: 1, source: 'aws.events' });
    await pause(20);
    gated.releaseAll();
    expect(await second).toEqual({ n: 2, source: 'aws.events' });
    expect(gated.state.maxRunning).toBe(1);
    expect(stats()).toMatchObject({ invocations: 2, records: 2, errors: 0, inFlight: 0 });
  });

  it('counts a failed and a timed-out invocation, and waits for a timed-out one to end before the next', async () => {
    let calls = 0;
    const gated = gatedHandler();
    const { scheduler: s, stats, events } = setup({
      timeoutSeconds: 0.05,
      handler: async (event, context) => {
        calls++;
        if (calls === 1) throw new Error('boom');
        return gated.handler(event, context);
      },
    });
    await expect(s.trigger('poller')).rejects.toThrow('boom');
    await expect(s.trigger('poller')).rejects.toThrow(/ran past its timeout/);
    expect(stats()).toMatchObject({ errors: 1, timeouts: 1, invocations: 2, failedRecords: 2, inFlight: 1 });
    const third = s.trigger('poller');
    await pause(30);
    expect(gated.state.started).toBe(1);
    gated.releaseAll();
    await pause(10);
    gated.releaseAll();
    await third.catch(() => undefined);
    expect(gated.state.maxRunning).toBe(1);
    expect(events.join('\n')).toMatch(/failed \(Error\)[\s\S]*timed out/);
  });

  it('stops cleanly: no more ticks, running invocations end first, and a trigger after stop is refused', async () => {
    const gated = gatedHandler();
    const { scheduler: s } = setup({ handler: gated.handler, everyMs: 10 });
    await pause(30);
    expect(gated.state.started).toBe(1);
    let stopped = false;
    const stopping = s.stop().then(() => (stopped = true));
    await pause(20);
    expect(stopped).toBe(false);
    gated.releaseAll();
    await stopping;
    await pause(40);
    expect(gated.state.started).toBe(1);
    await expect(s.trigger('poller')).rejects.toThrow('stopping');
    await expect(s.trigger('other')).rejects.toThrow('not a scheduled function');
  });
});
