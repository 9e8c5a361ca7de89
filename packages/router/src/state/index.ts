/** @module Live routing state: the StateStore interface, the in-memory store, circuit breakers, latency stats, budget periods and token buckets. */
export type {
  Awaitable,
  AttemptErrorClass,
  AttemptOutcome,
  InFlightLease,
  BreakerSnapshot,
  LatencySnapshot,
  CanarySnapshot,
  CanaryWindow,
  CanaryArmWindow,
  CanaryFeedback,
  StateSnapshot,
  StateStore,
  BudgetSnapshot,
  BucketSnapshot,
  LimitSnapshot,
  BudgetTerms,
  BudgetReserveRequest,
  BudgetReservation,
  BudgetSettleRequest,
  BudgetSettlement,
  RateLimitTerms,
  RateLimitRequest,
  RateLimitDecision,
} from "./store.ts";
export { periodBounds, type PeriodBounds } from "./budget-period.ts";
export { type Bucket, fullBucket, refill, msUntil, take, bucketSnapshot } from "./token-bucket.ts";
export { MemoryStateStore, type MemoryStateStoreOptions } from "./memory-store.ts";
export {
  type BreakerOptions,
  type BreakerState,
  type BreakerBucket,
  DEFAULT_BREAKER_OPTIONS,
  initialBreaker,
  breakerStatus,
  breakerWeight,
  breakerView,
  breakerOnResult,
  breakerOnProbeStart,
  breakerOnProbeEnd,
  windowCounts,
} from "./circuit-breaker.ts";
export { type LatencyOptions, type LatencyStats, DEFAULT_LATENCY_OPTIONS, latencyOnSample, percentile95 } from "./latency.ts";
export { type CanaryArm, type CanaryArmCounts, CANARY_LATENCY_SAMPLES, emptyArmCounts, countAttempt, countScore, armWindow } from "./canary-window.ts";
