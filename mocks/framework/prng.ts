/**
 * The mocks' seeded pseudo-random numbers: the same seed gives the same sequence, so fault draws
 * (`probability` rules) and generated fixture populations can be repeated.
 */

/** Seeded PRNG (mulberry32): numbers in [0, 1), the same sequence for the same seed. */
export function createPrng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
