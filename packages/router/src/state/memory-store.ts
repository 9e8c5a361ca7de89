/** @module MemoryStateStore: the default, single-process StateStore (all methods answer synchronously). */
import type { Config } from "@switchyard/ir";
import type { BreakerView, RoutingState } from "../core/types.ts";
import {
  breakerOnProbeEnd,
  breakerOnProbeStart,
  breakerOnResult,
  breakerStatus,
  breakerView,
  breakerWeight,
  type BreakerOptions,
  type BreakerState,
  DEFAULT_BREAKER_OPTIONS,
  initialBreaker,
  windowCounts,
} from "./circuit-breaker.ts";
import { DEFAULT_LATENCY_OPTIONS, latencyOnSample, type LatencyOptions, type LatencyStats } from "./latency.ts";
import type { AttemptOutcome, CanarySnapshot, InFlightLease, StateSnapshot, StateStore } from "./store.ts";

export interface MemoryStateStoreOptions {
  breaker?: Partial<BreakerOptions>;
  latency?: Partial<LatencyOptions>;
}

interface CanaryEntry extends CanarySnapshot {
  /** Steps the state was started with; a change of steps restarts the canary. */
  stepsKey: string;
}

const CLOSED: BreakerView = { status: "closed", openedAt: undefined, weight: 1, probeAvailable: true };

/**
 * In-process state: breakers, latency, in-flight counts and canary shares in Maps.
 *
 * @example
 * const store = new MemoryStateStore({ breaker: { consecutiveFailures: 3 } });
 * store.recordAttempt({ model: "gpt-mini", ok: false, errorClass: "5xx", latencyMs: 40, now: Date.now() });
 */
export class MemoryStateStore implements StateStore {
  readonly name = "memory";
  readonly breakerOptions: BreakerOptions;
  readonly latencyOptions: LatencyOptions;
  readonly #breakers = new Map<string, BreakerState>();
  readonly #latency = new Map<string, LatencyStats>();
  readonly #inFlight = new Map<string, number>();
  readonly #canaries = new Map<string, CanaryEntry>();

  constructor(options: MemoryStateStoreOptions = {}) {
    this.breakerOptions = { ...DEFAULT_BREAKER_OPTIONS, ...options.breaker };
    this.latencyOptions = { ...DEFAULT_LATENCY_OPTIONS, ...options.latency };
  }

  view(now: number): RoutingState {
    const breakers = this.#breakers;
    const latency = this.#latency;
    const inFlight = this.#inFlight;
    const canaries = this.#canaries;
    const opts = this.breakerOptions;
    return {
      breaker(model) {
        const b = breakers.get(model);
        return b === undefined ? CLOSED : breakerView(b, now, opts);
      },
      latency(model) {
        return latency.get(model); // LatencyStats is immutable and carries ewmaMs/p95Ms/samples: no copy needed
      },
      inFlight(model) {
        return inFlight.get(model) ?? 0;
      },
      canaryPercent(route) {
        return canaries.get(route)?.percent ?? 0;
      },
    };
  }

  activate(config: Config, now: number): void {
    for (const route of [...this.#canaries.keys()]) {
      if (config.routes[route]?.canary === undefined) this.#canaries.delete(route);
    }
    for (const [id, route] of Object.entries(config.routes)) {
      const canary = route.canary;
      if (canary === undefined) continue;
      const stepsKey = canary.steps.join(",");
      const existing = this.#canaries.get(id);
      if (existing !== undefined && existing.model === canary.model && existing.stepsKey === stepsKey) continue;
      this.#canaries.set(id, { model: canary.model, stepsKey, percent: clampPercent(canary.steps[0] ?? 0), step: 0, updatedAt: now, reason: "canary started" });
    }
  }

  recordAttempt(outcome: AttemptOutcome): void {
    const { model, ok, now } = outcome;
    if (ok) {
      this.#latency.set(model, latencyOnSample(this.#latency.get(model), { latencyMs: outcome.latencyMs, ttftMs: outcome.ttftMs, now }, this.latencyOptions));
    }
    if (!ok && (outcome.errorClass === "validation" || outcome.errorClass === "client")) return;
    const b = this.#breakers.get(model) ?? initialBreaker(this.breakerOptions);
    this.#breakers.set(model, breakerOnResult(b, { ok, now, probe: outcome.probe === true }, this.breakerOptions));
  }

  acquire(model: string, now: number): InFlightLease {
    this.#inFlight.set(model, (this.#inFlight.get(model) ?? 0) + 1);
    const b = this.#breakers.get(model);
    const probe = b !== undefined && breakerStatus(b, now) === "half-open";
    if (probe) this.#breakers.set(model, breakerOnProbeStart(b));
    let released = false;
    return {
      model,
      probe,
      release: () => {
        if (released) return;
        released = true;
        const n = (this.#inFlight.get(model) ?? 1) - 1;
        if (n <= 0) this.#inFlight.delete(model);
        else this.#inFlight.set(model, n);
        if (probe) {
          const cur = this.#breakers.get(model);
          if (cur !== undefined) this.#breakers.set(model, breakerOnProbeEnd(cur));
        }
      },
    };
  }

  setCanaryPercent(route: string, percent: number, options: { now: number; step?: number; reason?: string }): void {
    const existing = this.#canaries.get(route);
    this.#canaries.set(route, {
      model: existing?.model ?? "",
      stepsKey: existing?.stepsKey ?? "",
      percent: clampPercent(percent),
      step: options.step ?? existing?.step ?? 0,
      updatedAt: options.now,
      reason: options.reason,
    });
  }

  snapshot(now: number): StateSnapshot {
    const out: StateSnapshot = { breakers: {}, latency: {}, inFlight: {}, canaries: {} };
    for (const [model, b] of [...this.#breakers].sort(byKey)) {
      const w = windowCounts(b, now, this.breakerOptions);
      out.breakers[model] = {
        status: breakerStatus(b, now),
        openedAt: b.openedAt,
        cooldownMs: b.cooldownMs,
        consecutiveFailures: b.consecutiveFailures,
        windowCalls: w.calls,
        windowErrors: w.errors,
        weight: breakerWeight(b, now, this.breakerOptions),
        probesInFlight: b.probesInFlight,
      };
    }
    for (const [model, l] of [...this.#latency].sort(byKey)) {
      out.latency[model] = { ewmaMs: l.ewmaMs, p95Ms: l.p95Ms, samples: l.samples, ttftEwmaMs: l.ttftEwmaMs };
    }
    for (const [model, n] of [...this.#inFlight].sort(byKey)) out.inFlight[model] = n;
    for (const [route, c] of [...this.#canaries].sort(byKey)) {
      out.canaries[route] = { model: c.model, percent: c.percent, step: c.step, updatedAt: c.updatedAt, reason: c.reason };
    }
    return out;
  }
}

function byKey<T>(a: [string, T], b: [string, T]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

function clampPercent(p: number): number {
  return Number.isFinite(p) ? Math.min(100, Math.max(0, p)) : 0;
}
