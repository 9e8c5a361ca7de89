/** @module Rate-limit response headers with OpenAI's names and duration format. */
import type { BucketSnapshot } from "../state/index.ts";

/**
 * A duration the way OpenAI's `x-ratelimit-reset-*` headers write it: `"20ms"`, `"1.5s"`, `"6m0s"`.
 *
 * @example formatResetDuration(90_000) // → "1m30s"
 */
export function formatResetDuration(ms: number): string {
  const t = Math.max(0, Math.ceil(ms));
  if (t < 1_000) return `${t}ms`;
  // t is whole milliseconds, so t / 1000 prints with at most 3 decimals (what toFixed(3) gave, without its cost).
  if (t < 60_000) return `${t / 1_000}s`;
  const minutes = Math.floor(t / 60_000);
  return `${minutes}m${(t - minutes * 60_000) / 1_000}s`;
}

/** `x-ratelimit-{limit,remaining,reset}-{requests,tokens}` for the buckets a team has. */
export function rateLimitHeaders(buckets: { requests: BucketSnapshot | undefined; tokens: BucketSnapshot | undefined }): Record<string, string> {
  // Runs on every rate-limited request: fixed header names, no per-call arrays.
  const out: Record<string, string> = {};
  const r = buckets.requests;
  if (r !== undefined) {
    out["x-ratelimit-limit-requests"] = String(r.capacity);
    out["x-ratelimit-remaining-requests"] = String(r.remaining);
    out["x-ratelimit-reset-requests"] = formatResetDuration(r.resetMs);
  }
  const k = buckets.tokens;
  if (k !== undefined) {
    out["x-ratelimit-limit-tokens"] = String(k.capacity);
    out["x-ratelimit-remaining-tokens"] = String(k.remaining);
    out["x-ratelimit-reset-tokens"] = formatResetDuration(k.resetMs);
  }
  return out;
}

/** Whole seconds for `Retry-After`, at least 1. */
export function retryAfterSeconds(ms: number): string {
  return String(Math.max(1, Math.ceil(ms / 1_000)));
}
