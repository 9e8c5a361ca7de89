/** @module RedisRateLimitStore: per-team rpm and tpm buckets shared by every replica, both taken in one Lua script. */
import type { RateLimitDecision, RateLimitRequest, RateLimitTerms } from "../store.ts";
import type { RateLimitStore } from "../stores.ts";
import { bucketSnapshot } from "../token-bucket.ts";
import { BackendDown, type RedisBackend } from "./backend.ts";
import { type TeamKeys, teamKeysCache } from "./keys.ts";
import { RATE_LIMIT } from "./scripts.ts";

export interface RedisRateLimitStoreOptions {
  prefix: string;
  environment: string;
  /** Where buckets are taken from while Redis is down ("serve-local"): each replica then admits its own full rate. */
  local: RateLimitStore;
}

type Reply = [number, string, string, string, string, string];

/**
 * Rate limits in Redis, exact across replicas: the check and the take of both buckets are one
 * script. Time is the callers' `now` (replicas' clocks are NTP-synchronised; a skew of δ ms lets a
 * bucket refill δ·rate/60 000 units early, and a clock behind the stored one refills nothing).
 */
export class RedisRateLimitStore implements RateLimitStore {
  readonly #backend: RedisBackend;
  readonly #options: RedisRateLimitStoreOptions;
  readonly #teamKeys: (team: string) => TeamKeys;

  constructor(backend: RedisBackend, options: RedisRateLimitStoreOptions) {
    this.#backend = backend;
    this.#options = options;
    this.#teamKeys = teamKeysCache(options.prefix, options.environment);
  }

  async take(request: RateLimitRequest): Promise<RateLimitDecision> {
    try {
      return rateLimitDecision(await this.#run("take", request, request.tokens, request.now));
    } catch (error) {
      if (!(error instanceof BackendDown)) throw error;
    }
    if (this.#backend.onUnavailable === "refuse") throw this.#backend.refusal();
    return this.#options.local.take(request);
  }

  async adjustTokens(request: RateLimitTerms & { deltaTokens: number; now: number }): Promise<void> {
    if (request.tpm === undefined || !Number.isFinite(request.deltaTokens)) return;
    try {
      await this.#run("adjust", request, request.deltaTokens, request.now);
      return;
    } catch (error) {
      if (!(error instanceof BackendDown)) throw error;
    }
    if (this.#backend.onUnavailable === "serve-local") await this.#options.local.adjustTokens(request);
  }

  async peek(request: RateLimitTerms & { now: number }): Promise<RateLimitDecision> {
    try {
      return { ...rateLimitDecision(await this.#run("peek", request, 0, request.now)), allowed: true, retryAfterMs: 0 };
    } catch (error) {
      if (!(error instanceof BackendDown)) throw error;
    }
    if (this.#backend.onUnavailable === "refuse") throw this.#backend.refusal();
    return this.#options.local.peek(request);
  }

  async #run(op: "take" | "adjust" | "peek", terms: RateLimitTerms, amount: number, now: number): Promise<Reply> {
    const key = this.#teamKeys(terms.team).limits;
    return (await this.#backend.eval(RATE_LIMIT, [key], [op, terms.rpm ?? "", terms.tpm ?? "", amount, now])) as Reply;
  }

  /** The team's limits key (ADMIT and SETTLE_ADJUST touch it alongside the budget keys). */
  key(team: string): string {
    return this.#teamKeys(team).limits;
  }
}

/** A request's six ADMIT fields from `at` (allowed, retry ms, requests left and ms until full, tokens left and ms until full) as a decision. */
export function admittedRateLimit(reply: readonly unknown[], at: number, terms: RateLimitTerms): RateLimitDecision {
  const retry = reply[at + 1] as number;
  return {
    allowed: reply[at] === 1,
    retryAfterMs: retry < 0 ? Number.POSITIVE_INFINITY : retry,
    requests: terms.rpm === undefined ? undefined : { capacity: terms.rpm, remaining: reply[at + 2] as number, resetMs: reply[at + 3] as number },
    tokens: terms.tpm === undefined ? undefined : { capacity: terms.tpm, remaining: reply[at + 4] as number, resetMs: reply[at + 5] as number },
  };
}

/** A RATE_LIMIT reply as a decision. */
export function rateLimitDecision(reply: readonly unknown[]): RateLimitDecision {
  const retry = Number(reply[1]);
  return {
    allowed: reply[0] === 1,
    retryAfterMs: retry < 0 ? Number.POSITIVE_INFINITY : retry,
    requests: reply[2] === "" ? undefined : bucketSnapshot({ capacity: Number(reply[2]), level: Number(reply[3]), at: 0 }),
    tokens: reply[4] === "" ? undefined : bucketSnapshot({ capacity: Number(reply[4]), level: Number(reply[5]), at: 0 }),
  };
}
