/**
 * Outbound rate limit toward one external system: at most `perSecond` requests start in any
 * window of one second (a sliding window, not a token bucket, so no burst ever exceeds it).
 *
 * A limit for a system holds across concurrent invocations without shared state: each of the
 * binding's `maxConcurrency` instances takes an equal share (`instanceShare`). On the embedded
 * runtime every invocation shares one process, so the whole limit is one limiter.
 */

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export class RateLimiter {
  /** Start times of the last `perSecond` requests, oldest first. */
  private readonly starts: number[] = [];
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly perSecond: number,
    private readonly clock: Clock = systemClock,
  ) {
    if (!Number.isFinite(perSecond) || perSecond < 1) throw new RangeError('a rate limit is at least one request per second');
  }

  /**
   * Resolves true when one more request may start; callers are served in order. With a deadline
   * (epoch milliseconds), resolves false at once, taking no slot, when the next slot would only come
   * after it.
   */
  acquire(deadline?: number): Promise<boolean> {
    const turn = this.queue.then(() => this.waitForSlot(deadline));
    this.queue = turn.then(
      () => undefined,
      () => undefined,
    );
    return turn;
  }

  /** Runs `fn` once a slot is free. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    await this.acquire();
    return fn();
  }

  private async waitForSlot(deadline?: number): Promise<boolean> {
    for (;;) {
      const now = this.clock.now();
      while (this.starts.length > 0 && now - this.starts[0]! >= 1000) this.starts.shift();
      if (this.starts.length < this.perSecond) {
        this.starts.push(now);
        return true;
      }
      const wait = 1000 - (now - this.starts[0]!);
      if (deadline !== undefined && now + wait > deadline) return false;
      await this.clock.sleep(wait);
    }
  }
}

/** One instance's share of a system-wide limit when `maxConcurrency` instances run at once. */
export const instanceShare = (perSecond: number, maxConcurrency: number): number =>
  Math.max(1, Math.floor(perSecond / Math.max(1, maxConcurrency)));
