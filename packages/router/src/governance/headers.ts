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
  if (t < 60_000) return `${Number((t / 1_000).toFixed(3))}s`;
  const minutes = Math.floor(t / 60_000);
  return `${minutes}m${Number(((t - minutes * 60_000) / 1_000).toFixed(3))}s`;
}

/** `x-ratelimit-{limit,remaining,reset}-{requests,tokens}` for the buckets a team has. */
export function rateLimitHeaders(buckets: { requests: BucketSnapshot | undefined; tokens: BucketSnapshot | undefined }): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [suffix, b] of [["requests", buckets.requests], ["tokens", buckets.tokens]] as const) {
    if (b === undefined) continue;
    out[`x-ratelimit-limit-${suffix}`] = String(b.capacity);
    out[`x-ratelimit-remaining-${suffix}`] = String(b.remaining);
    out[`x-ratelimit-reset-${suffix}`] = formatResetDuration(b.resetMs);
  }
  return out;
}

/** Whole seconds for `Retry-After`, at least 1. */
export function retryAfterSeconds(ms: number): string {
  return String(Math.max(1, Math.ceil(ms / 1_000)));
}
