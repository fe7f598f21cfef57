import { describe, expect, it } from 'vitest';
import { GRANT_LEAD_MS, pacingInterval, RateLimiter, type Clock } from '#lib/rate-limit';
import { ManualClock } from '../support/manual-clock.ts';

/** Virtual time: sleeping advances the clock at once, so the test does not depend on the machine. */
const virtualClock = (): Clock & { advance(ms: number): void } => {
  let now = 0;
  return {
    now: () => now,
    sleep: async (ms) => {
      now = Math.max(now, now + ms);
    },
    advance: (ms) => {
      now += ms;
    },
  };
};

/** Sleeps that wait for each other in (virtual) time order, as concurrent timers do. */
const sharedTimeClock = (): Clock => {
  let now = 0;
  return {
    now: () => now,
    sleep: async (ms) => {
      now = Math.max(now, now + ms);
    },
  };
};

const maxInAnySecond = (times: readonly number[]): number => {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= 1000) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
};

describe('RateLimiter (pacing in one process)', () => {
  it('starts requests evenly, one interval apart, however many ask at once, and in the order they asked', async () => {
    const clock = virtualClock();
    const limiter = new RateLimiter(5, clock, 50);
    const slots: number[] = [];
    for (let i = 0; i < 47; i++) {
      await limiter.acquire();
      slots.push(clock.now());
    }
    expect(limiter.interval).toBe(210);
    expect(slots).toEqual(Array.from({ length: 47 }, (_, i) => i * 210));
    expect(maxInAnySecond(slots)).toBe(5);
  });

  it('keeps any one-second window of arrivals within the limit when the way to the register varies by up to the margin', () => {
    for (const perSecond of [1, 3, 5, 10, 20, 50]) {
      const margin = 50;
      const interval = pacingInterval(perSecond, margin);
      // The worst case: early requests take the longest way, later ones the shortest.
      const arrivals = Array.from({ length: 200 }, (_, i) => i * interval + (i % 2 === 0 ? margin : 0));
      expect(maxInAnySecond(arrivals), `at ${perSecond}/s`).toBeLessThanOrEqual(perSecond);
    }
  });

  it('does not delay a request whose slot has already come', async () => {
    const clock = virtualClock();
    const limiter = new RateLimiter(10, clock, 0);
    for (let i = 0; i < 10; i++) {
      await limiter.acquire();
      clock.advance(150);
    }
    expect(clock.now()).toBe(1500);
  });

  it('serves concurrent callers their slots in the order they asked', async () => {
    const clock = sharedTimeClock();
    const limiter = new RateLimiter(4, clock, 0);
    const order: number[] = [];
    await Promise.all(Array.from({ length: 6 }, (_, i) => limiter.acquire().then(() => order.push(i))));
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('pushes the next start back when a turn comes late, so no two requests start closer than one interval', async () => {
    let now = 0;
    let late = 0;
    // A busy event loop: every third timer fires 80 ms late.
    const clock: Clock = {
      now: () => now,
      sleep: async (ms) => {
        now += ms + (++late % 3 === 0 ? 80 : 0);
      },
    };
    const limiter = new RateLimiter(10, clock, 0);
    const starts: number[] = [];
    for (let i = 0; i < 12; i++) {
      await limiter.acquire();
      starts.push(now);
    }
    const gaps = starts.slice(1).map((start, i) => start - starts[i]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(100);
    expect(limiter.granted).toBe(12);
  });

  it('answers nothing at once, taking no slot, when the slot would come after the deadline', async () => {
    const clock = virtualClock();
    const limiter = new RateLimiter(2, clock, 0);
    expect(await limiter.acquire(100)).toEqual({ leaveAt: 0 });
    expect(await limiter.acquire(100)).toBeUndefined();
    expect(clock.now()).toBe(0);
    expect(await limiter.acquire(500)).toEqual({ leaveAt: 500 });
    expect(clock.now()).toBe(500);
  });

  /** Runs `callers` on a manual clock until all are done, moving time only when everyone waits. */
  const drive = async (clock: ManualClock, callers: Promise<unknown>[]) => {
    let done = false;
    const all = Promise.all(callers).then(() => (done = true));
    while (!done) {
      for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
      if (!done) clock.advanceToNextTimer();
    }
    await all;
  };

  /**
   * Requests that each take `way` ms from their grant to the socket, then hold their bytes until
   * their slot (as the X-Road client does), leave and report it; their departure times.
   */
  const departing = async (limiter: RateLimiter, clock: ManualClock, ways: readonly number[]) => {
    const departures: number[] = [];
    await drive(
      clock,
      ways.map(async (way) => {
        const grant = await limiter.acquire();
        await clock.sleep(way);
        const hold = grant!.leaveAt - clock.now();
        if (hold > 0) await clock.sleep(hold);
        departures.push(clock.now());
        limiter.departed(clock.now());
      }),
    );
    return departures;
  };

  /** The least time any `perSecond + 1` consecutive departures span: a register counting any one second sees at most `perSecond` of them if it is over 1000 ms. */
  const leastSpan = (departures: readonly number[], perSecond: number): number =>
    Math.min(...departures.slice(perSecond).map((at, i) => at - departures[i]!));

  // The way from the grant to the socket on a loaded machine: mostly a few ms, now and then far more.
  const WAYS = Array.from({ length: 40 }, (_, i) => (i % 7 === 3 ? 90 + (i % 3) * 30 : 1 + (i % 4)));

  it('paces from when each request left when told, so late departures do not bunch: any eleven span a second and the whole margin', async () => {
    const clock = new ManualClock();
    const departures = await departing(new RateLimiter(10, clock, 50, 1000), clock, WAYS);
    expect(leastSpan(departures, 10)).toBeGreaterThanOrEqual(1050);
    expect(maxInAnySecond(departures)).toBeLessThanOrEqual(10);
  });

  it('paced from the grants alone, the same late departures would bunch past the limit', async () => {
    const clock = new ManualClock();
    const departures = await departing(new RateLimiter(10, clock, 50), clock, WAYS);
    expect(maxInAnySecond(departures)).toBeGreaterThan(10);
  });

  it('lets a request through before its slot and holds it to the slot, so the usual few ms of the way cost no rate', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter(10, clock, 50, 1000);
    const departures = await departing(limiter, clock, Array.from({ length: 21 }, () => 3));
    expect(limiter.lead).toBe(GRANT_LEAD_MS);
    // The first, with no slot to be let through before, leaves after its 3 ms way; the rest on their
    // slots, 105 ms apart, but for the eleventh after it, held to a second and the margin after it.
    expect(departures).toEqual([3, ...Array.from({ length: 20 }, (_, i) => (i + 1) * 105 + (i === 9 || i === 19 ? 3 : 0))]);
  });

  it('keeps the grid when a departure is up to half an interval late: only the request a window after it waits for it', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter(10, clock, 50, 1000);
    // The third request's way takes 70 ms, 50 past its lead: it leaves 50 ms late, within half the
    // 105 ms interval, so the fourth and the rest keep their slots; the thirteenth, eleventh after
    // it, leaves a second and the margin after it, 50 ms past its own slot; the fourteenth is on its slot.
    const departures = await departing(limiter, clock, [0, 0, 70, ...Array.from({ length: 11 }, () => 0)]);
    expect(departures).toEqual([0, 105, 260, 315, 420, 525, 630, 735, 840, 945, 1050, 1155, 1310, 1365]);
    expect(leastSpan(departures, 10)).toBeGreaterThanOrEqual(1050);
    // Moving the whole grid on from the late one would have ended the same run 50 ms later.
    expect(departures.at(-1)).toBe(13 * 105);
  });

  it('moves the grid on to half an interval after a departure later than that, so no two leave closer', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter(10, clock, 50, 1000);
    // The third request's way takes 100 ms: 80 late, past half the interval.
    const departures = await departing(limiter, clock, [0, 0, 100, 0, 0]);
    expect(departures).toEqual([0, 105, 290, 342.5, 447.5]);
  });

  it('without departures told, lets nothing through early', async () => {
    const clock = virtualClock();
    const limiter = new RateLimiter(10, clock, 50);
    expect(limiter.lead).toBe(0);
    expect(await limiter.acquire()).toEqual({ leaveAt: 0 });
    expect(await limiter.acquire()).toEqual({ leaveAt: 105 });
    expect(clock.now()).toBe(105);
  });

  it('waits for a departure no longer than it was told, then paces from the slot', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter(10, clock, 50, 1000);
    const grants: number[] = [];
    await drive(clock, [0, 1].map(async () => (await limiter.acquire(), grants.push(clock.now()))));
    expect(grants).toEqual([0, 1000]);
  });

  it('says it is holding requests back while turns wait for their slots, and not a second after', async () => {
    const clock = virtualClock();
    const limiter = new RateLimiter(10, clock, 50);
    await limiter.acquire();
    expect(limiter.holdingBack()).toBe(false);
    await limiter.acquire();
    expect(limiter.holdingBack()).toBe(true);
    clock.advance(1001);
    expect(limiter.holdingBack()).toBe(false);
    // A limit no caller reaches holds nothing back.
    const unpaced = new RateLimiter(1_000_000, virtualClock(), 50);
    for (let i = 0; i < 20; i++) await unpaced.acquire();
    expect(unpaced.holdingBack()).toBe(false);
  });

  it('refuses a limit of zero and a negative margin', () => {
    expect(() => new RateLimiter(0)).toThrow(/more than zero/);
    expect(() => new RateLimiter(5, undefined, -1)).toThrow(/margin/);
  });
});
