/**
 * Runs `work` over `items` with at most `limit` of them in flight at once, in the order given.
 *
 * Hand-written, not a pool library (p-limit and the like): this is the whole of it, and the hub
 * needs nothing more (no priorities, no cancellation).
 */
export const withInFlight = async <T>(items: readonly T[], limit: number, work: (item: T) => Promise<unknown>): Promise<void> => {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(Math.max(1, Math.floor(limit)), items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
};
