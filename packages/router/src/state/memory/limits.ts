/** @module MemoryRateLimitStore: per-team requests- and tokens-per-minute buckets of this process. */
import { type Bucket, bucketSnapshot, fullBucket, msUntil, refill, take } from "../token-bucket.ts";
import type { RateLimitDecision, RateLimitRequest, RateLimitTerms } from "../store.ts";
import type { RateLimitStore } from "../stores.ts";

interface LimitBuckets {
  requests: Bucket | undefined;
  tokens: Bucket | undefined;
}

/**
 * Token buckets in Maps, answered synchronously; a take is both buckets or neither.
 *
 * @example
 * const limits = new MemoryRateLimitStore();
 * limits.take({ team: "support", rpm: 60, tpm: 100_000, tokens: 1_200, now: Date.now() }).allowed; // → true
 */
export class MemoryRateLimitStore implements RateLimitStore {
  readonly #buckets = new Map<string, LimitBuckets>();

  take(request: RateLimitRequest): RateLimitDecision {
    const b = this.#refilled(request, request.now);
    const waitRequests = b.requests === undefined ? 0 : msUntil(b.requests, 1);
    const waitTokens = b.tokens === undefined ? 0 : msUntil(b.tokens, request.tokens);
    const allowed = waitRequests === 0 && waitTokens === 0;
    if (allowed) {
      if (b.requests !== undefined) b.requests = take(b.requests, 1);
      if (b.tokens !== undefined) b.tokens = take(b.tokens, Math.max(0, request.tokens));
    }
    return decision(allowed, allowed ? 0 : Math.max(waitRequests, waitTokens), b);
  }

  adjustTokens(request: RateLimitTerms & { deltaTokens: number; now: number }): void {
    const b = this.#refilled(request, request.now);
    if (b.tokens === undefined || !Number.isFinite(request.deltaTokens)) return;
    b.tokens = { ...b.tokens, level: Math.min(b.tokens.capacity, b.tokens.level - request.deltaTokens) };
  }

  /** Read-only: a team not seen yet reads as full buckets. */
  peek(request: RateLimitTerms & { now: number }): RateLimitDecision {
    const b = this.#buckets.get(request.team);
    const at = (limit: number | undefined, bucket: Bucket | undefined): Bucket | undefined =>
      limit === undefined ? undefined : bucket === undefined ? fullBucket(limit, request.now) : refill(bucket, limit, request.now);
    return decision(true, 0, { requests: at(request.rpm, b?.requests), tokens: at(request.tpm, b?.tokens) });
  }

  /** The team's buckets refilled to `now`; created full, resized when the limits change, dropped when removed. */
  #refilled(terms: RateLimitTerms, now: number): LimitBuckets {
    let b = this.#buckets.get(terms.team);
    if (b === undefined) {
      b = { requests: undefined, tokens: undefined };
      this.#buckets.set(terms.team, b);
    }
    b.requests = terms.rpm === undefined ? undefined : b.requests === undefined ? fullBucket(terms.rpm, now) : refill(b.requests, terms.rpm, now);
    b.tokens = terms.tpm === undefined ? undefined : b.tokens === undefined ? fullBucket(terms.tpm, now) : refill(b.tokens, terms.tpm, now);
    return b;
  }
}

function decision(allowed: boolean, retryAfterMs: number, b: LimitBuckets): RateLimitDecision {
  return {
    allowed,
    retryAfterMs,
    requests: b.requests === undefined ? undefined : bucketSnapshot(b.requests),
    tokens: b.tokens === undefined ? undefined : bucketSnapshot(b.tokens),
  };
}
