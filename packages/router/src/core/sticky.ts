/** @module Sticky bucketing: a stable hash of a key into [0, 100) so one caller stays on one side of a canary. */

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** 32-bit FNV-1a over the UTF-16 code units of `text` (stable across processes and platforms). */
export function fnv1a32(text: string, seed: number = FNV_OFFSET): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h ^= c & 0xff;
    h = Math.imul(h, FNV_PRIME);
    h ^= c >>> 8;
    h = Math.imul(h, FNV_PRIME);
  }
  // Final avalanche (murmur3 fmix32) so that keys differing only in their last character spread evenly.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Stable bucket in [0, 100) for `key`, salted (e.g. with the route and canary model) so that one user
 * is not always first in every canary. Fractional, so percentages like 0.5 % are honoured.
 *
 * @example
 * stickyBucket("user-42", "legal-review/claude-next") < 5 // → this user sees the 5 % canary
 */
export function stickyBucket(key: string, salt: string): number {
  const h = fnv1a32(key, fnv1a32(salt));
  return (h / 4294967296) * 100;
}
