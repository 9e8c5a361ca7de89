/** @module MemoryHealthStore: breakers, latency statistics and in-flight counts of this replica (every router uses it; never shared). */
import type { Config } from "@switchyard/ir";
import type { BreakerView, RoutingState } from "../../core/types.ts";
import {
  breakerOnProbeEnd,
  breakerOnProbeStart,
  breakerOnResult,
  breakerQuietFrom,
  breakerStatus,
  breakerView,
  breakerWeight,
  type BreakerOptions,
  type BreakerState,
  DEFAULT_BREAKER_OPTIONS,
  initialBreaker,
  windowCounts,
} from "../circuit-breaker.ts";
import { DEFAULT_LATENCY_OPTIONS, latencyOnSample, type LatencyOptions, type LatencyStats } from "../latency.ts";
import type { AttemptOutcome, BreakerSnapshot, InFlightLease, LatencySnapshot } from "../store.ts";
import type { CanaryShares, HealthStore } from "../stores.ts";
import { byKey } from "./sort.ts";

export interface MemoryHealthOptions {
  breaker?: Partial<BreakerOptions>;
  latency?: Partial<LatencyOptions>;
}

const CLOSED: BreakerView = { status: "closed", openedAt: undefined, weight: 1, probeAvailable: true };

/** What every view reads, gathered once. */
interface ViewTables {
  breakers: Map<string, BreakerState>;
  latency: Map<string, LatencyStats>;
  inFlight: Map<string, number>;
  opts: BreakerOptions;
}

/** The state seen at one instant: made per request, so one small object with its methods on the prototype (not five closures). */
class MemoryView implements RoutingState {
  constructor(
    readonly tables: ViewTables,
    readonly canaries: CanaryShares,
    readonly now: number,
    readonly quiet: boolean,
  ) {}

  breakersClosed(): boolean {
    return this.quiet;
  }

  breaker(model: string): BreakerView {
    const b = this.tables.breakers.get(model);
    return b === undefined ? CLOSED : breakerView(b, this.now, this.tables.opts);
  }

  latency(model: string): LatencyStats | undefined {
    return this.tables.latency.get(model); // LatencyStats is immutable and carries ewmaMs/p95Ms/samples: no copy needed
  }

  inFlight(model: string): number {
    return this.tables.inFlight.get(model) ?? 0;
  }

  canaryPercent(route: string): number {
    return this.canaries.canaryPercent(route);
  }
}

/**
 * Routing health in Maps, answered synchronously (the request path reads and writes it on every attempt).
 *
 * @example
 * const health = new MemoryHealthStore({ breaker: { consecutiveFailures: 3 } });
 * health.recordAttempt({ model: "gpt-mini", ok: false, errorClass: "5xx", latencyMs: 40, now: Date.now() });
 */
export class MemoryHealthStore implements HealthStore {
  readonly breakerOptions: BreakerOptions;
  readonly latencyOptions: LatencyOptions;
  readonly #breakers = new Map<string, BreakerState>();
  /**
   * The latest breakerQuietFrom() of any breaker: from then on every breaker reads plainly closed, so a
   * view answers breakersClosed() in O(1) and decide() skips one breaker read per planned model.
   */
  #breakersQuietFrom = Number.NEGATIVE_INFINITY;
  readonly #latency = new Map<string, LatencyStats>();
  readonly #inFlight = new Map<string, number>();
  readonly #tables: ViewTables;

  constructor(options: MemoryHealthOptions = {}) {
    this.breakerOptions = { ...DEFAULT_BREAKER_OPTIONS, ...options.breaker };
    this.latencyOptions = { ...DEFAULT_LATENCY_OPTIONS, ...options.latency };
    this.#tables = { breakers: this.#breakers, latency: this.#latency, inFlight: this.#inFlight, opts: this.breakerOptions };
  }

  view(now: number, canaries: CanaryShares): RoutingState {
    return new MemoryView(this.#tables, canaries, now, now >= this.#breakersQuietFrom);
  }

  recordAttempt(outcome: AttemptOutcome): void {
    const { model, ok, now } = outcome;
    if (ok) {
      this.#latency.set(model, latencyOnSample(this.#latency.get(model), { latencyMs: outcome.latencyMs, ttftMs: outcome.ttftMs, now }, this.latencyOptions));
    }
    if (!ok && (outcome.errorClass === "validation" || outcome.errorClass === "client")) return;
    const b = this.#breakers.get(model) ?? initialBreaker(this.breakerOptions);
    this.#setBreaker(model, breakerOnResult(b, { ok, now, probe: outcome.probe === true }, this.breakerOptions));
  }

  /** Every breaker write goes through here to keep #breakersQuietFrom exact. */
  #setBreaker(model: string, next: BreakerState): void {
    const prev = this.#breakers.get(model);
    this.#breakers.set(model, next);
    const from = breakerQuietFrom(next, this.breakerOptions);
    if (from >= this.#breakersQuietFrom) this.#breakersQuietFrom = from;
    else if (prev !== undefined && breakerQuietFrom(prev, this.breakerOptions) >= this.#breakersQuietFrom) this.#recomputeQuietFrom();
  }

  /** A breaker that may have held the bound moved earlier (a recovery or a removal, rare): recompute. */
  #recomputeQuietFrom(): void {
    let latest = Number.NEGATIVE_INFINITY;
    for (const b of this.#breakers.values()) latest = Math.max(latest, breakerQuietFrom(b, this.breakerOptions));
    this.#breakersQuietFrom = latest;
  }

  acquire(model: string, now: number): InFlightLease {
    this.#inFlight.set(model, (this.#inFlight.get(model) ?? 0) + 1);
    const b = this.#breakers.get(model);
    const probe = b !== undefined && breakerStatus(b, now) === "half-open";
    if (probe) this.#setBreaker(model, breakerOnProbeStart(b));
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
          if (cur !== undefined) this.#setBreaker(model, breakerOnProbeEnd(cur));
        }
      },
    };
  }

  breakerSnapshot(now: number): Record<string, BreakerSnapshot> {
    const out: Record<string, BreakerSnapshot> = {};
    for (const [model, b] of [...this.#breakers].sort(byKey)) {
      const w = windowCounts(b, now, this.breakerOptions);
      out[model] = {
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
    return out;
  }

  latencySnapshot(): Record<string, LatencySnapshot> {
    const out: Record<string, LatencySnapshot> = {};
    for (const [model, l] of [...this.#latency].sort(byKey)) out[model] = { ewmaMs: l.ewmaMs, p95Ms: l.p95Ms, samples: l.samples, ttftEwmaMs: l.ttftEwmaMs };
    return out;
  }

  inFlightSnapshot(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [model, n] of [...this.#inFlight].sort(byKey)) out[model] = n;
    return out;
  }

  /** Drop breakers and latency of models `config` no longer names (in-flight counts end with their leases). */
  retain(config: Config): void {
    let removed = false;
    for (const model of [...this.#breakers.keys()]) {
      if (Object.hasOwn(config.models, model)) continue;
      this.#breakers.delete(model);
      removed = true;
    }
    for (const model of [...this.#latency.keys()]) if (!Object.hasOwn(config.models, model)) this.#latency.delete(model);
    if (removed) this.#recomputeQuietFrom();
  }
}
