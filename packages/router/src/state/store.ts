/** @module The requests and answers of the state stores (stores.ts): attempts, leases, budgets, rate limits and the snapshots /admin/state shows. */
import type { BudgetPeriod, ErrorClass } from "@switchyard/ir";
import type { BreakerStatus } from "../core/types.ts";

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
  /** The route the attempt served (feeds its canary's guard window). */
  route?: string;
  /**
   * The canary arm the attempt served: `canary` (the canary model drawn) or `baseline` (the route's
   * primary on a request that did not draw the canary); absent for fallbacks and long-context. When
   * absent, an attempt of the route's canary model still counts as `canary`.
   */
  arm?: "canary" | "baseline";
  /** The attempt's priced cost, USD, when it succeeded and usage was known (feeds the cost guard). */
  costUsd?: number;
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

/** One arm's attempts and feedback in a guard window (sums and counts: means are sum / count). */
export interface CanaryArmWindow {
  /** Attempts that ended (successes and failures; client faults excluded). */
  requests: number;
  /** Failed attempts, validator rejections included. */
  errors: number;
  /** p95 of successful attempts' latency, ms (undefined before any success). */
  p95Ms: number | undefined;
  /** Attempts a response validator rejected. */
  validationFailures: number;
  /** Summed cost of successful priced attempts, USD, and their number. */
  costUsd: number;
  costed: number;
  /** Summed feedback scores (0..1) and their number. */
  scoreSum: number;
  scores: number;
}

/**
 * What the guard judges since the current step began: the canary arm's figures at the top level, the
 * baseline arm's (the route's primary on requests that did not draw the canary) under `baseline`.
 */
export interface CanaryWindow extends CanaryArmWindow {
  /** Epoch ms the window began (the step's start). */
  since: number;
  baseline: CanaryArmWindow;
}

/** A feedback score to count into a route's guard window. */
export interface CanaryFeedback {
  route: string;
  arm: "canary" | "baseline";
  /** The model that answered: a score for another canary model than the current one is not counted. */
  model: string;
  score: number;
  /** Epoch ms the scored request was served: a score for a request from before the window began is not counted. */
  servedAt: number;
}

export interface CanarySnapshot {
  /** Canary model the state belongs to (state resets when the config names another). */
  model: string;
  percent: number;
  /** Index into the route's canary steps; -1 once rolled back (percent 0 until the canary changes). */
  step: number;
  /** Epoch ms of the last change (the current step's start). */
  updatedAt: number;
  reason: string | undefined;
  window: CanaryWindow;
}

/** A team's spend in its current budget period (USD). */
export interface BudgetSnapshot {
  /** Settled spend from real usage. */
  spentUsd: number;
  /** Estimates held by attempts in flight. */
  reservedUsd: number;
  limitUsd: number;
  period: BudgetPeriod;
  /** Epoch ms, UTC period boundaries ([start, end)). */
  periodStart: number;
  periodEnd: number;
  mode: "hard" | "soft";
}

/** One token bucket (requests or tokens per minute). */
export interface BucketSnapshot {
  capacity: number;
  /** Whole units left now (floor). */
  remaining: number;
  /** Ms until the bucket is full again. */
  resetMs: number;
}

/** A team's rate-limit buckets; a dimension without a limit is absent. */
export interface LimitSnapshot {
  rpm?: BucketSnapshot;
  tpm?: BucketSnapshot;
}

/** Everything the admin API shows (`GET /admin/state`); plain JSON. */
export interface StateSnapshot {
  breakers: Record<string, BreakerSnapshot>;
  latency: Record<string, LatencySnapshot>;
  inFlight: Record<string, number>;
  canaries: Record<string, CanarySnapshot>;
  /** Per team with a budget (teams of the active config, or seen since). */
  budgets: Record<string, BudgetSnapshot>;
  /** Per team with rate limits. */
  limits: Record<string, LimitSnapshot>;
}

/** The budget an attempt is charged against: its period is computed by the caller (UTC boundaries). */
export interface BudgetTerms {
  team: string;
  limitUsd: number;
  mode: "hard" | "soft";
  period: BudgetPeriod;
  periodStart: number;
  periodEnd: number;
}

export interface BudgetReserveRequest extends BudgetTerms {
  /** The attempt's estimated cost, USD (≥ 0). */
  amountUsd: number;
  now: number;
}

/**
 * The answer to a reservation. Hard budgets grant only when spent + reserved + amount ≤ limit; soft
 * budgets always grant and report `overLimit`. Figures are after the reservation (when granted).
 */
export interface BudgetReservation {
  granted: boolean;
  /** Pass to BudgetStore.settle; undefined when refused. */
  id: string | undefined;
  overLimit: boolean;
  spentUsd: number;
  reservedUsd: number;
  limitUsd: number;
  periodStart: number;
  periodEnd: number;
}

export interface BudgetSettleRequest {
  team: string;
  id: string;
  /** Real cost (0 releases the reservation without spending: a failed or aborted attempt). */
  costUsd: number;
  now: number;
}

export interface BudgetSettlement {
  /** Spend of the reservation's period after settling. */
  spentUsd: number;
  reservedUsd: number;
  limitUsd: number;
  periodStart: number;
  /** False when the id was unknown or already settled (settling twice spends once). */
  settled: boolean;
}

/** Per-minute limits of a team (absent = unlimited in that dimension). */
export interface RateLimitTerms {
  team: string;
  rpm: number | undefined;
  tpm: number | undefined;
}

export interface RateLimitRequest extends RateLimitTerms {
  /** Tokens the request is expected to use (estimated prompt + max output). */
  tokens: number;
  now: number;
}

/** Taken from both buckets or neither. `retryAfterMs` > 0 when refused: time until both could grant it. */
export interface RateLimitDecision {
  allowed: boolean;
  retryAfterMs: number;
  requests: BucketSnapshot | undefined;
  tokens: BucketSnapshot | undefined;
}

/** A rate-limit take and a budget reservation judged together (AdmissionStore.admit). */
export interface AdmitRequest {
  limits: RateLimitRequest;
  budget: BudgetReserveRequest;
}

/**
 * The answer to an admission: the rate-limit decision, and the reservation when the rate limit
 * allowed the request (undefined when it refused: nothing was reserved). A budget refusal keeps the
 * rate-limit take, as a take followed by a refused reservation would.
 */
export interface Admission {
  rateLimit: RateLimitDecision;
  reservation: BudgetReservation | undefined;
}

/** A settlement and the token-bucket correction of the same request, applied together (AdmissionStore.settleAndAdjust). */
export interface SettleAndAdjustRequest {
  settle: BudgetSettleRequest;
  adjust: RateLimitTerms & { deltaTokens: number; now: number };
}
