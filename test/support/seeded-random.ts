/**
 * A small deterministic generator (mulberry32) for property-style tests: the same seed gives the same
 * cases on every run, so a failure names a seed that reproduces it. No property-testing library is
 * a dependency of the hub; this is all those tests need.
 */
export const seededRandom = (seed: number): (() => number) => {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

/** An integer in [from, to]. */
export const between = (next: () => number, from: number, to: number): number => from + Math.floor(next() * (to - from + 1));
