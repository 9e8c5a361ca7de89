/**
 * @module The four focused state stores (issue 19) and the bundle a router composes from them.
 *
 * - budgets, rate limits and rollout are SHARED when the environment declares `state: { kind: "redis" }`
 *   (every replica sees the same figures; each check-and-update is one atomic step);
 * - routing health (breakers, latency, in-flight counts) stays PER REPLICA, as Envoy's outlier
 *   detection does: it is what this replica's connections see, it changes on every attempt, and a
 *   shared copy would add a round trip to each attempt for little gain (docs/scaling.md).
 *
 * Each interface has one conformance suite (`*.conformance.ts` beside it: budgetStoreConformance,
 * rateLimitStoreConformance, healthStoreConformance, rolloutStoreConformance, stateStoresConformance; the
 * feedback store's is governance/feedback.conformance.ts)
 * that runs against the in-memory and the Redis implementation alike. Request and answer types are
 * those of store.ts; composeStateStores (compose.ts) builds the bundle's view and snapshot from the parts.
 */
import type { Config, Release } from "@switchyard/ir";
import type { RoutingState } from "../core/types.ts";
import type { FeedbackStore } from "../governance/feedback.ts";
import type { ResponseCacheStore } from "../cache/store.ts";
import type {
  Admission,
  AdmitRequest,
  AttemptOutcome,
  Awaitable,
  BreakerSnapshot,
  BudgetReservation,
  BudgetReserveRequest,
  BudgetSettleRequest,
  BudgetSettlement,
  BudgetSnapshot,
  BudgetTerms,
  CanaryFeedback,
  CanarySnapshot,
  InFlightLease,
  LatencySnapshot,
  RateLimitDecision,
  RateLimitRequest,
  RateLimitTerms,
  SettleAndAdjustRequest,
  StateSnapshot,
} from "./store.ts";

/** Team budgets: reserve, settle and release, atomically per team and period. */
export interface BudgetStore {
  /** Hard budgets grant only when spent + reserved + amount ≤ limit; soft ones always grant. */
  reserve(request: BudgetReserveRequest): Awaitable<BudgetReservation>;
  /** Replace a reservation by its real cost (0 = release). Settles once per id. */
  settle(request: BudgetSettleRequest): Awaitable<BudgetSettlement>;
  /** True exactly once per (team, period, threshold): alerts fire once even across replicas. */
  claimAlert(request: { team: string; periodStart: number; threshold: number }): Awaitable<boolean>;
  /** The ledger of one team's current period (zeros when nothing was spent). */
  peek(terms: BudgetTerms, now: number): Awaitable<BudgetSnapshot>;
}

/** Per-team requests-per-minute and tokens-per-minute buckets. */
export interface RateLimitStore {
  /** Take one request and `tokens` tokens, both or neither. */
  take(request: RateLimitRequest): Awaitable<RateLimitDecision>;
  /** Correct the token bucket once real usage is known (positive takes more, negative gives back up to capacity). */
  adjustTokens(request: RateLimitTerms & { deltaTokens: number; now: number }): Awaitable<void>;
  /** A team's buckets now, without taking. */
  peek(request: RateLimitTerms & { now: number }): Awaitable<RateLimitDecision>;
}

/**
 * A governed request's rate limits and budget together, so a shared store answers each in one round
 * trip (one script on Redis): the take and the first attempt's reservation before the upstream call,
 * the settlement and the token correction after it. Each is what the two stores' calls in sequence
 * would do; the memory bundle composes them synchronously (composeStateStores).
 */
export interface AdmissionStore {
  /** Take from the rate limits; only when allowed, reserve the budget (a refused reservation keeps the take). */
  admit(request: AdmitRequest): Awaitable<Admission>;
  /** Settle a reservation (BudgetStore.settle) and correct the token bucket (RateLimitStore.adjustTokens). */
  settleAndAdjust(request: SettleAndAdjustRequest): Awaitable<BudgetSettlement>;
}

/** Where a routing view reads canary shares from (the rollout store's synchronous cache). */
export type CanaryShares = Pick<RolloutStore, "canaryPercent">;

/** Breakers, latency statistics and in-flight counts of this replica (never shared). Synchronous. */
export interface HealthStore {
  /**
   * The synchronous view decide() reads at `now`: this store's health plus `canaries`' shares. One
   * object per request (the router's hot path), so the health store builds it over its own tables.
   */
  view(now: number, canaries: CanaryShares): RoutingState;
  /** Breaker and latency bookkeeping of one attempt (validation and client faults do not count against the breaker). */
  recordAttempt(outcome: AttemptOutcome): void;
  /** Count one request in flight to a model (a half-open breaker's probe slot when half-open); release the lease once. */
  acquire(model: string, now: number): InFlightLease;
  /** Breakers by model at `now`, sorted (plain JSON). */
  breakerSnapshot(now: number): Record<string, BreakerSnapshot>;
  latencySnapshot(): Record<string, LatencySnapshot>;
  inFlightSnapshot(): Record<string, number>;
  /** Forget models the active config no longer names. */
  retain(config: Config): void;
}

/** Canary steps and their guard windows, plus the lease that lets one controller per environment act. */
export interface RolloutStore {
  /**
   * A release became active: a route whose canary (model and steps) is unchanged keeps its current
   * step; a new or changed canary starts at its first step; a removed canary is dropped.
   */
  activate(config: Config, now: number): Awaitable<void>;
  /** Current canary share of a route, from a local cache a shared store keeps fresh (decide() reads it synchronously). */
  canaryPercent(route: string): number;
  /**
   * Count an attempt into its route's guard window, in the arm `outcome.arm` names (absent: `canary`
   * when `outcome.model` is the canary model, else ignored; a `canary` arm of another model is
   * ignored too). The caller excludes client faults (4xx other than 429). An arm keeps counts and
   * sums (requests, errors, validationFailures, costUsd, costed) and the latencies of its most recent
   * CANARY_LATENCY_SAMPLES successes (canary-window.ts), so replicas can add into one shared window.
   */
  recordCanaryAttempt(route: string, outcome: AttemptOutcome): Awaitable<void>;
  /**
   * Count a feedback score (0..1) into its route's guard window, in its arm (scoreSum, scores). False,
   * nothing counted, when the route has no canary, a canary-arm score names another model than the
   * current canary, or the request was served before the current window began.
   */
  recordCanaryFeedback(feedback: CanaryFeedback): Awaitable<boolean>;
  /** Set a route's canary share (clamped to 0..100); any call starts a fresh guard window. */
  setCanaryPercent(route: string, percent: number, options: { now: number; step?: number; reason?: string }): Awaitable<void>;
  /** Every route's canary state and guard window, by route. */
  snapshot(now: number): Awaitable<Record<string, CanarySnapshot>>;
  /**
   * Hold (or renew) the controller lease of `environment` for `ttlMs`: true while `holder` has it.
   * A holder that stops renewing loses it after `ttlMs`, and another replica takes over.
   */
  holdControllerLease(environment: string, holder: string, ttlMs: number, now: number): Awaitable<boolean>;
}

/** A release as the release store keeps it. */
export interface StoredRelease {
  hash: string;
  environment: string;
  uploadedAt: number;
  activatedAt: number | undefined;
  release: Release;
  bytes: number;
}

/** Releases of an environment, its active pointer and activation stack: shared so every replica serves the same one. */
export interface ReleaseStore {
  /** Remember an uploaded release (idempotent: a known hash keeps its first upload time). */
  put(record: StoredRelease): Awaitable<{ created: boolean }>;
  get(hash: string): Awaitable<StoredRelease | undefined>;
  /** The active release's hash, undefined before any activation was stored. */
  active(environment: string): Awaitable<string | undefined>;
  /** Make `hash` active (a rollback pops the activation stack); tells the other replicas. */
  activate(environment: string, hash: string, options: { now: number; rollback?: boolean }): Awaitable<void>;
  /** The hash a rollback returns to. */
  previous(environment: string): Awaitable<string | undefined>;
  /** Known releases, most recently used first. */
  history(environment: string, limit: number): Awaitable<StoredRelease[]>;
  /** Called with the new active hash whenever any replica activates one (pub/sub, with a periodic check as a backstop). */
  onActivate(listener: (environment: string, hash: string) => void): () => void;
}

/**
 * The state a router runs on. `memory`: everything in this process. `redis`: budgets, rate limits,
 * rollout and releases shared through Redis/Valkey; health always local.
 */
export interface StateStores {
  readonly kind: "memory" | "redis";
  readonly budgets: BudgetStore;
  readonly limits: RateLimitStore;
  /** `limits` and `budgets` in one step each (one round trip on Redis). */
  readonly admission: AdmissionStore;
  readonly health: HealthStore;
  readonly rollout: RolloutStore;
  /** Absent for memory: releases then live only in this process's ActiveRelease. */
  readonly releases: ReleaseStore | undefined;
  /**
   * Served requests `POST /v1/feedback` matches a score against, when shared (Redis: any replica accepts a
   * score). Absent: the router keeps its own in memory (governance/feedback.ts MemoryFeedbackStore).
   */
  readonly feedback?: FeedbackStore;
  /** Routes' cached answers, when shared (Redis: every replica serves them). Absent: the router keeps an LRU in memory (cache/store.ts). */
  readonly cache?: ResponseCacheStore;
  /** The synchronous view decide() reads: `health.view(now, rollout)`. */
  view(now: number): RoutingState;
  /** Everything `GET /admin/state` shows. `config` names the teams whose budgets and limits are listed. */
  snapshot(config: Config, now: number): Promise<StateSnapshot>;
  /** False while a shared backend is unreachable (the store then serves per `onUnavailable`). */
  backendUp(): boolean;
  close(): Promise<void>;
}
