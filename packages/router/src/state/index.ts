/** @module Live routing state: the four focused stores (stores.ts) and their in-memory implementations, circuit breakers, latency stats, budget periods and token buckets. */
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
  AdmitRequest,
  Admission,
  SettleAndAdjustRequest,
} from "./store.ts";
export { periodBounds, type PeriodBounds } from "./budget-period.ts";
export { type Bucket, fullBucket, refill, msUntil, take, bucketSnapshot } from "./token-bucket.ts";
export type {
  AdmissionStore,
  BudgetStore,
  RateLimitStore,
  HealthStore,
  RolloutStore,
  ReleaseStore,
  StoredRelease,
  StateStores,
  CanaryShares,
} from "./stores.ts";
export { composeStateStores, type ComposedStateStores, type StateStoresParts } from "./compose.ts";
export {
  createMemoryStateStores,
  type MemoryStateStores,
  type MemoryStateStoresOptions,
  MemoryBudgetStore,
  MemoryRateLimitStore,
  MemoryHealthStore,
  type MemoryHealthOptions,
  MemoryRolloutStore,
} from "./memory/index.ts";
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
