/** @module Seeded pseudo-random numbers for reproducible decisions (tests, `switchyard explain`, simulation). */

/**
 * mulberry32: a tiny, fast 32-bit PRNG. Returns a function yielding uniform numbers in [0, 1).
 * Not cryptographic; used only where routing needs reproducible randomness.
 *
 * @example
 * const rng = mulberry32(42);
 * decide(config, request, state, { rng, now: Date.now() });
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
