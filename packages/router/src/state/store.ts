/** @module The StateStore interface: live routing state behind one contract (memory now, Redis later). */
import type { Config, ErrorClass } from "@switchyard/ir";
import type { BreakerStatus, RoutingState } from "../core/types.ts";

/** A value or a promise of it: remote stores answer asynchronously, the memory store synchronously. Always `await`. */
export type Awaitable<T> = T | Promise<T>;

/**
 * Why an attempt failed. The route's retryable classes plus:
 * `validation` (a response validator rejected the output), `client` (a 4xx other than 429 — the
 * request's fault), `other`. `validation` and `client` do not count against the circuit breaker.
 */
export type AttemptErrorClass = ErrorClass | "validation" | "client" | "other";

/** The result of one attempt against one model deployment. */
export interface AttemptOutcome {
  model: string;
  /** The route the attempt served (feeds per-route canary guards later). */
  route?: string;
  ok: boolean;
  /** Set when ok is false. */
  errorClass?: AttemptErrorClass;
  /** Total attempt duration, ms. Only successful attempts feed latency stats. */
  latencyMs: number;
  /** Time to first token, ms, when streamed. */
  ttftMs?: number;
  /** Epoch ms when the attempt ended. */
  now: number;
  /**
   * Set when the attempt was a plan's `probe: true` candidate (every breaker was open, decide()
   * probed the oldest): its result counts like a half-open probe even before the cooldown ended —
   * success closes the breaker (with slow start), failure re-opens it with a doubled cooldown.
   */
  probe?: boolean;
}

/** A slot in a model's in-flight count; release it exactly once when the attempt ends. */
export interface InFlightLease {
  readonly model: string;
  /** True when the slot is a half-open breaker probe. */
  readonly probe: boolean;
  release(): Awaitable<void>;
}

export interface BreakerSnapshot {
  status: BreakerStatus;
  openedAt: number | undefined;
  /** Cooldown before the next half-open, ms (doubles on a failed probe, capped). */
  cooldownMs: number;
  consecutiveFailures: number;
  windowCalls: number;
  windowErrors: number;
  /** Slow-start weight in (0, 1]. */
  weight: number;
  probesInFlight: number;
}

export interface LatencySnapshot {
  ewmaMs: number;
  p95Ms: number;
  samples: number;
  ttftEwmaMs: number | undefined;
}

export interface CanarySnapshot {
  /** Canary model the state belongs to (state resets when the config names another). */
  model: string;
  percent: number;
  /** Index into the route's canary steps. */
  step: number;
  updatedAt: number;
  reason: string | undefined;
}

/** Everything the admin API shows (`GET /admin/state`); plain JSON. Budgets and limits are added here later. */
export interface StateSnapshot {
  breakers: Record<string, BreakerSnapshot>;
  latency: Record<string, LatencySnapshot>;
  inFlight: Record<string, number>;
  canaries: Record<string, CanarySnapshot>;
}

/**
 * Live routing state. Mutations are async-capable so a shared (Redis) store can implement them; the
 * `view()` that decide() reads is synchronous (a remote store serves it from a local cache).
 * Budgets and rate limits will join this interface as further methods.
 *
 * @example
 * const store = new MemoryStateStore();
 * await store.activate(config, Date.now());
 * const d = decide(config, req, store.view(Date.now()), { rng: Math.random, now: Date.now() });
 * const lease = await store.acquire(model, Date.now());
 * try { … } finally { await store.recordAttempt({ model, ok, latencyMs, now: Date.now() }); await lease.release(); }
 */
export interface StateStore {
  readonly name: string;
  /** A synchronous read view at time `now` (breaker status derives from it: open → half-open after cooldown). */
  view(now: number): RoutingState;
  /**
   * Called when a release becomes active: a route whose canary (model and steps) is unchanged keeps its
   * current step; a new or changed canary starts at its first step; a removed canary is dropped.
   */
  activate(config: Config, now: number): Awaitable<void>;
  recordAttempt(outcome: AttemptOutcome): Awaitable<void>;
  /** Count one request in flight to a model (a half-open breaker's probe slot when half-open). */
  acquire(model: string, now: number): Awaitable<InFlightLease>;
  setCanaryPercent(route: string, percent: number, options: { now: number; step?: number; reason?: string }): Awaitable<void>;
  snapshot(now: number): Awaitable<StateSnapshot>;
}
