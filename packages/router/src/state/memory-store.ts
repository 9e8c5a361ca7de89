/** @module MemoryStateStore: the default, single-process StateStore (all methods answer synchronously). */
import type { Config } from "@switchyard/ir";
import type { BreakerView, RoutingState } from "../core/types.ts";
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
} from "./circuit-breaker.ts";
import { DEFAULT_LATENCY_OPTIONS, latencyOnSample, percentile95, type LatencyOptions, type LatencyStats } from "./latency.ts";
import { periodBounds } from "./budget-period.ts";
import { type CanaryArmCounts, armWindow, countAttempt, countScore, emptyArmCounts } from "./canary-window.ts";
import { type Bucket, bucketSnapshot, fullBucket, msUntil, refill, take } from "./token-bucket.ts";
import type {
  AttemptOutcome,
  BudgetReservation,
  BudgetReserveRequest,
  BudgetSettleRequest,
  BudgetSettlement,
  BudgetSnapshot,
  BudgetTerms,
  CanaryFeedback,
  CanarySnapshot,
  InFlightLease,
  LimitSnapshot,
  RateLimitDecision,
  RateLimitRequest,
  RateLimitTerms,
  StateSnapshot,
  StateStore,
} from "./store.ts";

export interface MemoryStateStoreOptions {
  breaker?: Partial<BreakerOptions>;
  latency?: Partial<LatencyOptions>;
}

interface CanaryEntry extends Omit<CanarySnapshot, "window"> {
  /** Steps the state was started with; a change of steps restarts the canary. */
  stepsKey: string;
  window: CanaryWindowCounts;
}

/** The guard window's running counts per arm (canary-window.ts). */
interface CanaryWindowCounts {
  since: number;
  canary: CanaryArmCounts;
  baseline: CanaryArmCounts;
}

/** A team's budget counters in one period; reservations outlive a period change until they settle. */
interface BudgetLedger {
  terms: BudgetTerms;
  spentUsd: number;
  reservedUsd: number;
  reservations: Map<string, number>;
}

interface LimitBuckets {
  requests: Bucket | undefined;
  tokens: Bucket | undefined;
}

const freshWindow = (since: number): CanaryWindowCounts => ({ since, canary: emptyArmCounts(), baseline: emptyArmCounts() });

const CLOSED: BreakerView = { status: "closed", openedAt: undefined, weight: 1, probeAvailable: true };

interface ViewTables {
  breakers: Map<string, BreakerState>;
  latency: Map<string, LatencyStats>;
  inFlight: Map<string, number>;
  canaries: Map<string, CanaryEntry>;
  opts: BreakerOptions;
}

/** The store seen at one instant: made per request, so one small object with its methods on the prototype (not five closures). */
class MemoryView implements RoutingState {
  constructor(
    readonly tables: ViewTables,
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
    return this.tables.canaries.get(route)?.percent ?? 0;
  }
}

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
  /**
   * The latest breakerQuietFrom() of any breaker: from then on every breaker reads plainly closed, so a
   * view answers breakersClosed() in O(1) and decide() skips one breaker read per planned model.
   */
  #breakersQuietFrom = Number.NEGATIVE_INFINITY;
  readonly #latency = new Map<string, LatencyStats>();
  readonly #inFlight = new Map<string, number>();
  readonly #canaries = new Map<string, CanaryEntry>();
  /** What every view reads, gathered once. */
  #tables: ViewTables | undefined;
  readonly #budgets = new Map<string, BudgetLedger>();
  readonly #alerts = new Set<string>();
  readonly #limits = new Map<string, LimitBuckets>();
  /** Teams and terms of the active config, so the snapshot lists them before their first request. */
  #budgetTerms = new Map<string, Config["teams"][string]>();
  #reservationSeq = 0;

  constructor(options: MemoryStateStoreOptions = {}) {
    this.breakerOptions = { ...DEFAULT_BREAKER_OPTIONS, ...options.breaker };
    this.latencyOptions = { ...DEFAULT_LATENCY_OPTIONS, ...options.latency };
  }

  view(now: number): RoutingState {
    this.#tables ??= { breakers: this.#breakers, latency: this.#latency, inFlight: this.#inFlight, canaries: this.#canaries, opts: this.breakerOptions };
    return new MemoryView(this.#tables, now, now >= this.#breakersQuietFrom);
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
      this.#canaries.set(id, {
        model: canary.model,
        stepsKey,
        percent: clampPercent(canary.steps[0] ?? 0),
        step: 0,
        updatedAt: now,
        reason: "canary started",
        window: freshWindow(now),
      });
    }
    this.#budgetTerms = new Map(Object.entries(config.teams).filter(([, team]) => team.budget !== undefined || team.limits !== undefined));
  }

  recordAttempt(outcome: AttemptOutcome): void {
    const { model, ok, now } = outcome;
    if (outcome.route !== undefined) {
      const canary = this.#canaries.get(outcome.route);
      if (canary !== undefined) {
        const arm = outcome.arm ?? (canary.model === model ? "canary" : undefined);
        // A canary-arm attempt of another model than the current canary's belongs to a canary since replaced.
        if (arm === "baseline" || (arm === "canary" && canary.model === model)) countAttempt(canary.window[arm], outcome);
      }
    }
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
    else if (prev !== undefined && breakerQuietFrom(prev, this.breakerOptions) >= this.#breakersQuietFrom) {
      // This breaker may have held the bound and its own moved earlier (a recovery, rare): recompute.
      let latest = Number.NEGATIVE_INFINITY;
      for (const b of this.#breakers.values()) latest = Math.max(latest, breakerQuietFrom(b, this.breakerOptions));
      this.#breakersQuietFrom = latest;
    }
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

  setCanaryPercent(route: string, percent: number, options: { now: number; step?: number; reason?: string }): void {
    const existing = this.#canaries.get(route);
    this.#canaries.set(route, {
      model: existing?.model ?? "",
      stepsKey: existing?.stepsKey ?? "",
      percent: clampPercent(percent),
      step: options.step ?? existing?.step ?? 0,
      updatedAt: options.now,
      reason: options.reason,
      window: freshWindow(options.now),
    });
  }

  recordCanaryFeedback(feedback: CanaryFeedback): boolean {
    const canary = this.#canaries.get(feedback.route);
    if (canary === undefined || feedback.servedAt < canary.window.since) return false;
    if (feedback.arm === "canary" && feedback.model !== canary.model) return false;
    countScore(canary.window[feedback.arm], feedback.score);
    return true;
  }

  reserveBudget(request: BudgetReserveRequest): BudgetReservation {
    const ledger = this.#ledger(request);
    const amount = Math.max(0, request.amountUsd);
    const after = ledger.spentUsd + ledger.reservedUsd + amount;
    const overLimit = after > request.limitUsd;
    const granted = request.mode === "soft" || !overLimit;
    let id: string | undefined;
    if (granted) {
      id = `r${++this.#reservationSeq}`;
      ledger.reservations.set(id, amount);
      ledger.reservedUsd += amount;
    }
    return {
      granted,
      id,
      overLimit,
      spentUsd: ledger.spentUsd,
      reservedUsd: ledger.reservedUsd,
      limitUsd: request.limitUsd,
      periodStart: request.periodStart,
      periodEnd: request.periodEnd,
    };
  }

  settleBudget(request: BudgetSettleRequest): BudgetSettlement {
    const ledger = this.#budgets.get(request.team);
    if (ledger === undefined) return { spentUsd: 0, reservedUsd: 0, limitUsd: 0, periodStart: 0, settled: false };
    const amount = ledger.reservations.get(request.id);
    const settled = amount !== undefined;
    if (amount !== undefined) {
      ledger.reservations.delete(request.id);
      ledger.reservedUsd = ledger.reservations.size === 0 ? 0 : Math.max(0, ledger.reservedUsd - amount); // no float residue once idle
      const { start, end } = periodBounds(ledger.terms.period, request.now);
      if (start !== ledger.terms.periodStart) this.#roll(ledger, { ...ledger.terms, periodStart: start, periodEnd: end });
      ledger.spentUsd += Math.max(0, request.costUsd);
    }
    return { spentUsd: ledger.spentUsd, reservedUsd: ledger.reservedUsd, limitUsd: ledger.terms.limitUsd, periodStart: ledger.terms.periodStart, settled };
  }

  claimBudgetAlert(request: { team: string; periodStart: number; threshold: number }): boolean {
    const key = `${request.team}\u0000${request.periodStart}\u0000${request.threshold}`;
    if (this.#alerts.has(key)) return false;
    this.#alerts.add(key);
    return true;
  }

  takeRateLimit(request: RateLimitRequest): RateLimitDecision {
    const b = this.#buckets(request, request.now);
    const waitRequests = b.requests === undefined ? 0 : msUntil(b.requests, 1);
    const waitTokens = b.tokens === undefined ? 0 : msUntil(b.tokens, request.tokens);
    const allowed = waitRequests === 0 && waitTokens === 0;
    if (allowed) {
      if (b.requests !== undefined) b.requests = take(b.requests, 1);
      if (b.tokens !== undefined) b.tokens = take(b.tokens, Math.max(0, request.tokens));
    }
    return {
      allowed,
      retryAfterMs: allowed ? 0 : Math.max(waitRequests, waitTokens),
      requests: b.requests === undefined ? undefined : bucketSnapshot(b.requests),
      tokens: b.tokens === undefined ? undefined : bucketSnapshot(b.tokens),
    };
  }

  adjustRateLimitTokens(request: RateLimitTerms & { deltaTokens: number; now: number }): void {
    const b = this.#buckets(request, request.now);
    if (b.tokens === undefined || !Number.isFinite(request.deltaTokens)) return;
    b.tokens = { ...b.tokens, level: Math.min(b.tokens.capacity, b.tokens.level - request.deltaTokens) };
  }

  peekRateLimit(request: RateLimitTerms & { now: number }): RateLimitDecision {
    const b = this.#buckets(request, request.now);
    return {
      allowed: true,
      retryAfterMs: 0,
      requests: b.requests === undefined ? undefined : bucketSnapshot(b.requests),
      tokens: b.tokens === undefined ? undefined : bucketSnapshot(b.tokens),
    };
  }

  /** The team's ledger for the request's period (a new period starts from zero spend). */
  #ledger(terms: BudgetTerms): BudgetLedger {
    let ledger = this.#budgets.get(terms.team);
    if (ledger === undefined) {
      ledger = { terms, spentUsd: 0, reservedUsd: 0, reservations: new Map() };
      this.#budgets.set(terms.team, ledger);
    } else if (terms.periodStart > ledger.terms.periodStart || terms.period !== ledger.terms.period) this.#roll(ledger, terms);
    else ledger.terms = { ...terms, periodStart: ledger.terms.periodStart, periodEnd: ledger.terms.periodEnd };
    return ledger;
  }

  #roll(ledger: BudgetLedger, terms: BudgetTerms): void {
    ledger.terms = terms;
    ledger.spentUsd = 0;
  }

  /** The team's buckets refilled to `now`; created full, resized when the limits change, dropped when removed. */
  #buckets(terms: RateLimitTerms, now: number): LimitBuckets {
    let b = this.#limits.get(terms.team);
    if (b === undefined) {
      b = { requests: undefined, tokens: undefined };
      this.#limits.set(terms.team, b);
    }
    b.requests = terms.rpm === undefined ? undefined : b.requests === undefined ? fullBucket(terms.rpm, now) : refill(b.requests, terms.rpm, now);
    b.tokens = terms.tpm === undefined ? undefined : b.tokens === undefined ? fullBucket(terms.tpm, now) : refill(b.tokens, terms.tpm, now);
    return b;
  }

  snapshot(now: number): StateSnapshot {
    const out: StateSnapshot = { breakers: {}, latency: {}, inFlight: {}, canaries: {}, budgets: {}, limits: {} };
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
      const w = c.window;
      const window = { ...armWindow(w.canary), since: w.since, baseline: armWindow(w.baseline) };
      out.canaries[route] = { model: c.model, percent: c.percent, step: c.step, updatedAt: c.updatedAt, reason: c.reason, window };
    }
    const teams = new Set([...this.#budgetTerms.keys(), ...this.#budgets.keys(), ...this.#limits.keys()]);
    for (const team of [...teams].sort()) {
      const configured = this.#budgetTerms.get(team);
      const budget = this.#budgetSnapshot(team, configured?.budget, now);
      if (budget !== undefined) out.budgets[team] = budget;
      const limits = this.#limitSnapshot(team, configured?.limits, now);
      if (limits !== undefined) out.limits[team] = limits;
    }
    return out;
  }

  #budgetSnapshot(team: string, budget: Config["teams"][string]["budget"], now: number): BudgetSnapshot | undefined {
    const ledger = this.#budgets.get(team);
    const period = budget?.per ?? ledger?.terms.period;
    if (period === undefined) return undefined;
    const { start, end } = periodBounds(period, now);
    const current = ledger !== undefined && ledger.terms.period === period && ledger.terms.periodStart === start;
    return {
      spentUsd: current ? ledger.spentUsd : 0,
      reservedUsd: ledger?.reservedUsd ?? 0,
      limitUsd: budget?.usd ?? ledger?.terms.limitUsd ?? 0,
      period,
      periodStart: start,
      periodEnd: end,
      mode: budget?.mode ?? ledger?.terms.mode ?? "hard",
    };
  }

  #limitSnapshot(team: string, limits: Config["teams"][string]["limits"], now: number): LimitSnapshot | undefined {
    const b = this.#limits.get(team);
    const rpm = limits?.rpm ?? b?.requests?.capacity;
    const tpm = limits?.tpm ?? b?.tokens?.capacity;
    if (rpm === undefined && tpm === undefined) return undefined;
    const out: LimitSnapshot = {};
    if (rpm !== undefined) out.rpm = bucketSnapshot(b?.requests === undefined ? fullBucket(rpm, now) : refill(b.requests, rpm, now));
    if (tpm !== undefined) out.tpm = bucketSnapshot(b?.tokens === undefined ? fullBucket(tpm, now) : refill(b.tokens, tpm, now));
    return out;
  }
}

function byKey<T>(a: [string, T], b: [string, T]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

function clampPercent(p: number): number {
  return Number.isFinite(p) ? Math.min(100, Math.max(0, p)) : 0;
}
