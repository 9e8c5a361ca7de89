/** @module Live routing state: the StateStore interface, the in-memory store, circuit breakers and latency stats. */
export type {
  Awaitable,
  AttemptErrorClass,
  AttemptOutcome,
  InFlightLease,
  BreakerSnapshot,
  LatencySnapshot,
  CanarySnapshot,
  StateSnapshot,
  StateStore,
} from "./store.ts";
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
