import { describe, expect, it } from 'vitest';
import { instanceShare, RateLimiter, type Clock } from '#lib/rate-limit';

/** Virtual time: sleeping advances the clock at once, so the test does not depend on the machine. */
const virtualClock = (): Clock & { advance(ms: number): void } => {
  let now = 0;
  return {
    now: () => now,
    sleep: async (ms) => {
      now += ms;
    },
    advance: (ms) => {
      now += ms;
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

describe('RateLimiter', () => {
  it('lets no more than the limit start in any one-second window, however many ask at once', async () => {
    const clock = virtualClock();
    const limiter = new RateLimiter(5, clock);
    const starts: number[] = [];
    await Promise.all(Array.from({ length: 47 }, () => limiter.run(async () => void starts.push(clock.now()))));
    expect(starts).toHaveLength(47);
    expect(maxInAnySecond(starts)).toBe(5);
    // 47 requests at 5 per second need nine full seconds after the first five.
    expect(Math.max(...starts)).toBe(9000);
  });

  it('does not delay requests that are already under the limit', async () => {
    const clock = virtualClock();
    const limiter = new RateLimiter(10, clock);
    for (let i = 0; i < 10; i++) {
      await limiter.acquire();
      clock.advance(150);
    }
    expect(clock.now()).toBe(1500);
  });

  it('answers false at once, taking no slot, when the next slot would come after the deadline', async () => {
    const clock = virtualClock();
    const limiter = new RateLimiter(2, clock);
    expect(await limiter.acquire(100)).toBe(true);
    expect(await limiter.acquire(100)).toBe(true);
    expect(await limiter.acquire(999)).toBe(false);
    expect(clock.now()).toBe(0);
    expect(await limiter.acquire(1000)).toBe(true);
    expect(clock.now()).toBe(1000);
  });

  it('refuses a limit below one request per second', () => {
    expect(() => new RateLimiter(0)).toThrow(/at least one/);
  });

  it('divides a system-wide limit between concurrent instances, never below one each', () => {
    expect(instanceShare(20, 4)).toBe(5);
    expect(instanceShare(10, 3)).toBe(3);
    expect(instanceShare(2, 5)).toBe(1);
  });
});
