/**
 * Virtual time for code that takes a `Clock` (the rate limiter, the event source runner, the
 * mocks): `now()` moves only when the test advances it, and `sleep(ms)` resolves only once the
 * test has advanced past its end. A test can so let everything that may happen at one instant
 * happen, look, and only then move on.
 */
import type { Clock } from '#lib/rate-limit';

export class ManualClock implements Clock {
  private timers: { readonly at: number; readonly wake: () => void }[] = [];

  /** `start` in epoch milliseconds when the code under test also compares times with `Date.now()` (deadlines). */
  constructor(private time = 0) {}

  now(): number {
    return this.time;
  }

  /** Resolves once time is advanced past `ms` from now, or at once when `signal` is aborted (the sleeper is then gone). */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((wake) => {
      if (signal?.aborted) return wake();
      const timer = { at: this.time + Math.max(0, ms), wake };
      this.timers.push(timer);
      signal?.addEventListener(
        'abort',
        () => {
          this.timers = this.timers.filter((t) => t !== timer);
          wake();
        },
        { once: true },
      );
    });
  }

  /** Sleepers not yet woken. */
  get sleeping(): number {
    return this.timers.length;
  }

  /** Moves time to the earliest sleeper's wake-up and wakes every sleeper due by then. */
  advanceToNextTimer(): void {
    if (this.timers.length === 0) throw new Error('no one is sleeping: advancing time would change nothing');
    this.time = Math.max(this.time, Math.min(...this.timers.map((t) => t.at)));
    const due = this.timers.filter((t) => t.at <= this.time);
    this.timers = this.timers.filter((t) => t.at > this.time);
    for (const timer of due) timer.wake();
  }
}
