/**
 * A clock for the runtime's scheduler (`scheduleClock`) that a test sets: what time the schedules
 * see, while their sleeps stay real (a woken sleep reads the time again).
 */
import type { RunnerClock } from '#infra/local/runner';

export interface MovableClock {
  readonly clock: RunnerClock;
  /** The time the schedules see from now on (epoch milliseconds). */
  set(at: number): void;
}

export const movableClock = (start: number): MovableClock => {
  let now = start;
  return {
    clock: {
      now: () => now,
      sleep: (ms: number, signal?: AbortSignal) =>
        new Promise<void>((wake) => {
          const timer = setTimeout(wake, ms);
          signal?.addEventListener('abort', () => (clearTimeout(timer), wake()), { once: true });
        }),
    },
    set(at) {
      now = at;
    },
  };
};
