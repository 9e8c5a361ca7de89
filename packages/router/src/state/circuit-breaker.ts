/** @module CircuitBreaker: pure state transitions for one model deployment (no clock; `now` is passed in). */
import type { BreakerStatus, BreakerView } from "../core/types.ts";

export interface BreakerOptions {
  /** Error-rate window, ms. */
  windowMs: number;
  /** Calls in the window before the error rate is judged. */
  minCalls: number;
  /** Error rate (0..1) at or above which the breaker opens. */
  errorRate: number;
  /** Consecutive failures that open the breaker regardless of rate. */
  consecutiveFailures: number;
  /** First cooldown before half-open, ms; doubles on each failed probe up to maxCooldownMs. */
  cooldownMs: number;
  maxCooldownMs: number;
  /** Probes allowed in flight while half-open. */
  halfOpenProbes: number;
  /** After closing, the weight ramps linearly from slowStartMinWeight to 1 over this many ms. */
  slowStartMs: number;
  slowStartMinWeight: number;
}

export const DEFAULT_BREAKER_OPTIONS: BreakerOptions = {
  windowMs: 30_000,
  minCalls: 10,
  errorRate: 0.5,
  consecutiveFailures: 5,
  cooldownMs: 10_000,
  maxCooldownMs: 300_000,
  halfOpenProbes: 1,
  slowStartMs: 30_000,
  slowStartMinWeight: 0.05,
};

/** Number of buckets the error-rate window is split into (a sliding window at bucket resolution). */
const BUCKETS = 6;

export interface BreakerBucket {
  start: number;
  calls: number;
  errors: number;
}

/** Stored breaker state; "half-open" is never stored: it is "open" whose cooldown has elapsed. */
export interface BreakerState {
  open: boolean;
  openedAt: number | undefined;
  cooldownMs: number;
  consecutiveFailures: number;
  buckets: readonly BreakerBucket[];
  probesInFlight: number;
  /** When the breaker last closed after being open (slow-start origin). */
  closedAt: number | undefined;
}

export function initialBreaker(options: BreakerOptions = DEFAULT_BREAKER_OPTIONS): BreakerState {
  return { open: false, openedAt: undefined, cooldownMs: options.cooldownMs, consecutiveFailures: 0, buckets: [], probesInFlight: 0, closedAt: undefined };
}

/** Status at `now`: open turns half-open once the cooldown has elapsed. */
export function breakerStatus(state: BreakerState, now: number): BreakerStatus {
  if (!state.open) return "closed";
  return state.openedAt !== undefined && now >= state.openedAt + state.cooldownMs ? "half-open" : "open";
}

/** Slow-start weight at `now`: ramps from slowStartMinWeight to 1 over slowStartMs after closing. */
export function breakerWeight(state: BreakerState, now: number, options: BreakerOptions = DEFAULT_BREAKER_OPTIONS): number {
  if (state.open) return 1;
  if (state.closedAt === undefined || options.slowStartMs <= 0) return 1;
  const t = (now - state.closedAt) / options.slowStartMs;
  if (t >= 1) return 1;
  return Math.max(options.slowStartMinWeight, Math.max(0, t));
}

/** The view decide() reads. */
const CLOSED_VIEW: BreakerView = Object.freeze({ status: "closed", openedAt: undefined, weight: 1, probeAvailable: true });

export function breakerView(state: BreakerState, now: number, options: BreakerOptions = DEFAULT_BREAKER_OPTIONS): BreakerView {
  // Hot path: a healthy breaker that never opened needs no allocation.
  if (!state.open && (state.closedAt === undefined || now - state.closedAt >= options.slowStartMs)) return CLOSED_VIEW;
  const status = breakerStatus(state, now);
  return {
    status,
    openedAt: state.openedAt,
    weight: breakerWeight(state, now, options),
    probeAvailable: status !== "half-open" || state.probesInFlight < options.halfOpenProbes,
  };
}

/**
 * The time from which breakerView() reads plainly closed at full weight, absent new events: +∞ while
 * open (or half-open), the end of slow start after a recovery, −∞ for a breaker that never opened.
 */
export function breakerQuietFrom(state: BreakerState, options: BreakerOptions = DEFAULT_BREAKER_OPTIONS): number {
  if (state.open) return Number.POSITIVE_INFINITY;
  return state.closedAt === undefined ? Number.NEGATIVE_INFINITY : state.closedAt + options.slowStartMs;
}

/** Calls and errors in the window ending at `now`. */
export function windowCounts(state: BreakerState, now: number, options: BreakerOptions = DEFAULT_BREAKER_OPTIONS): { calls: number; errors: number } {
  let calls = 0;
  let errors = 0;
  for (const b of state.buckets) {
    if (b.start > now - options.windowMs) {
      calls += b.calls;
      errors += b.errors;
    }
  }
  return { calls, errors };
}

/** Every bucket starts after `oldest` (a loop, not `every` with a closure: this runs per attempt). */
function noneExpired(buckets: readonly BreakerBucket[], oldest: number): boolean {
  for (let i = 0; i < buckets.length; i++) if ((buckets[i] as BreakerBucket).start <= oldest) return false;
  return true;
}

function addToWindow(buckets: readonly BreakerBucket[], ok: boolean, now: number, options: BreakerOptions): BreakerBucket[] {
  const width = Math.max(1, Math.ceil(options.windowMs / BUCKETS));
  const start = Math.floor(now / width) * width;
  const n = buckets.length;
  const last = buckets[n - 1];
  if (last !== undefined && last.start === start && noneExpired(buckets, now - options.windowMs - width)) {
    // Every result but the first in a bucket's time slice (nearly all of them under load): nothing
    // expires and the current bucket is the newest, so the window is a copy with that one replaced.
    const out = buckets.slice();
    out[n - 1] = { start, calls: last.calls + 1, errors: last.errors + (ok ? 0 : 1) };
    return out;
  }
  const kept = buckets.filter((b) => b.start > now - options.windowMs - width && b.start !== start);
  const current = buckets.find((b) => b.start === start) ?? { start, calls: 0, errors: 0 };
  kept.push({ start, calls: current.calls + 1, errors: current.errors + (ok ? 0 : 1) });
  return kept;
}

/** Transition on an attempt result (only results that count against the breaker; see AttemptErrorClass). */
export function breakerOnResult(
  state: BreakerState,
  result: { ok: boolean; now: number; probe?: boolean },
  options: BreakerOptions = DEFAULT_BREAKER_OPTIONS,
): BreakerState {
  const { ok, now } = result;
  let status = breakerStatus(state, now);
  // A forced probe (decide() found every breaker open) is judged like a half-open probe.
  if (status === "open" && result.probe === true) status = "half-open";
  if (status === "open") return state; // a late result from before the trip: the cooldown stands
  if (status === "half-open") {
    // probesInFlight is owned by acquire/release (breakerOnProbeStart/End), not by results.
    if (ok) {
      return { open: false, openedAt: state.openedAt, cooldownMs: options.cooldownMs, consecutiveFailures: 0, buckets: [], probesInFlight: 0, closedAt: now };
    }
    return { ...state, openedAt: now, cooldownMs: Math.min(state.cooldownMs * 2, options.maxCooldownMs), consecutiveFailures: state.consecutiveFailures + 1 };
  }
  const buckets = addToWindow(state.buckets, ok, now, options);
  const consecutiveFailures = ok ? 0 : state.consecutiveFailures + 1;
  // Field by field rather than a spread: one result per attempt.
  const next: BreakerState = {
    open: state.open,
    openedAt: state.openedAt,
    cooldownMs: state.cooldownMs,
    consecutiveFailures,
    buckets,
    probesInFlight: state.probesInFlight,
    closedAt: state.closedAt,
  };
  if (ok) return next;
  const w = windowCounts(next, now, options);
  const tripped = consecutiveFailures >= options.consecutiveFailures || (w.calls >= options.minCalls && w.errors / w.calls >= options.errorRate);
  if (!tripped) return next;
  return { open: true, openedAt: now, cooldownMs: options.cooldownMs, consecutiveFailures, buckets: [], probesInFlight: 0, closedAt: undefined };
}

/** A probe slot was taken (half-open acquire). */
export function breakerOnProbeStart(state: BreakerState): BreakerState {
  return { ...state, probesInFlight: state.probesInFlight + 1 };
}

/** A probe slot was given back without a result (e.g. the request was cancelled). */
export function breakerOnProbeEnd(state: BreakerState): BreakerState {
  return state.probesInFlight === 0 ? state : { ...state, probesInFlight: state.probesInFlight - 1 };
}
