/**
 * Time as a mock server sees it: when a request arrived and how long it took (the request log and
 * the per-second counters), and the wait of a `latency` fault. Real time by default; a test passes
 * its own clock (test/support/manual-clock.ts fits) to decide when a wait ends instead of waiting.
 */

/** The clock of a mock server; the shape of the hub's `Clock` (functions/lib/rate-limit.ts). */
export interface MockClock {
  /** Milliseconds since the epoch (or since any start the clock chooses). */
  now(): number;
  /**
   * Resolves after `ms` milliseconds. `signal` is aborted when the server closes: a clock may end
   * the wait then (the real one does, so no timer outlives the server); the server stops waiting
   * either way.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Wall-clock time and `setTimeout`. */
export const realClock: MockClock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const stop = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', stop);
        resolve();
      }, ms);
      signal?.addEventListener('abort', stop, { once: true });
    }),
};
