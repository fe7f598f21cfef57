import { describe, expect, it } from 'vitest';
import { pacingInterval, RateLimiter, type Clock } from '#lib/rate-limit';

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

  it('answers false at once, taking no slot, when the slot would come after the deadline', async () => {
    const clock = virtualClock();
    const limiter = new RateLimiter(2, clock, 0);
    expect(await limiter.acquire(100)).toBe(true);
    expect(await limiter.acquire(100)).toBe(false);
    expect(clock.now()).toBe(0);
    expect(await limiter.acquire(500)).toBe(true);
    expect(clock.now()).toBe(500);
  });

  it('refuses a limit of zero and a negative margin', () => {
    expect(() => new RateLimiter(0)).toThrow(/more than zero/);
    expect(() => new RateLimiter(5, undefined, -1)).toThrow(/margin/);
  });
});
