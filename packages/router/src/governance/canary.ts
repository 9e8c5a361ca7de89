/** @module Canary progression: a pure step function judged on the guard window, and the controller that runs it on a timer. */
import type { Canary, CanaryGuard, Config } from "@switchyard/ir";
import { randomUUID } from "node:crypto";
import type { CanaryWindow, HealthStore, RolloutStore } from "../state/index.ts";

/** Where a route's canary stands (the state store's CanarySnapshot carries these). */
export interface CanaryProgress {
  /** Index into the steps; -1 once rolled back. */
  step: number;
  percent: number;
  /** Epoch ms the current step began. */
  updatedAt: number;
}

/** The guard window plus whether the canary model's circuit breaker is open right now. */
export type CanaryGuardInput = CanaryWindow & { breakerOpen?: boolean };

/** The next state: unchanged (`hold`), the next step (`advance`) or 0 % (`rollback`), with the reason. */
export type CanaryNext =
  | { action: "hold"; reason: string }
  | { action: "advance"; step: number; percent: number; reason: string }
  | { action: "rollback"; step: -1; percent: 0; reason: string };

/** Feedback scores the canary arm needs before `minScore` is judged, when the guard does not say. */
export const DEFAULT_MIN_SAMPLES = 20;

/** One guard's verdict on a window: `waiting` for samples, `held`, or `breached` (with what it measured). */
export interface GuardVerdict {
  /** The guard's field in routes.ts (`minRequests` while the window has too few canary requests). */
  guard: keyof CanaryGuard;
  state: "waiting" | "held" | "breached";
  text: string;
}

/**
 * Judge each configured guard on the window. Request-based guards wait for `minRequests` canary
 * attempts; the ratio guards (p95, cost) also for `minRequests` baseline attempts (successes for p95,
 * priced successes for cost); `minScore` waits for `minSamples` canary feedback scores.
 */
export function judgeCanaryGuards(window: CanaryWindow, guard: CanaryGuard): GuardVerdict[] {
  const out: GuardVerdict[] = [];
  const min = guard.minRequests;
  const base = window.baseline;
  const over = `over ${window.requests} request${window.requests === 1 ? "" : "s"}`;
  const enough = window.requests >= min;
  const waitCanary: GuardVerdict = { guard: "minRequests", state: "waiting", text: `waiting for ${min} canary requests (${window.requests} so far)` };
  const limit = (guardName: keyof CanaryGuard, value: number, max: number, what: string, shown: (v: number) => string): GuardVerdict => ({
    guard: guardName,
    ...(value > max ? { state: "breached", text: `${what} ${shown(value)} > ${shown(max)} ${over}` } : { state: "held", text: `${what} ${shown(value)}` }),
  });
  const errorRate = window.requests === 0 ? 0 : window.errors / window.requests;
  // The error-rate guard with its default (no limit) still gates advancing on minRequests, as before.
  if (!enough) out.push(waitCanary);
  else if (guard.maxErrorRate !== undefined) out.push(limit("maxErrorRate", errorRate, guard.maxErrorRate, "error rate", fmt));
  if (guard.maxP95Ms !== undefined && enough && window.p95Ms !== undefined) out.push(limit("maxP95Ms", window.p95Ms, guard.maxP95Ms, "p95", ms));
  if (guard.maxValidationFailureRate !== undefined && enough) {
    const rate = window.requests === 0 ? 0 : window.validationFailures / window.requests;
    out.push(limit("maxValidationFailureRate", rate, guard.maxValidationFailureRate, "validation failure rate", fmt));
  }
  if (guard.maxP95Ratio !== undefined && enough) {
    if (base.requests < min || base.p95Ms === undefined || window.p95Ms === undefined || base.p95Ms <= 0)
      out.push({ guard: "maxP95Ratio", state: "waiting", text: `waiting for ${min} baseline requests to compare p95 (${base.requests} so far)` });
    else {
      const ratio = window.p95Ms / base.p95Ms;
      const text = `p95 ${ms(window.p95Ms)} vs baseline ${ms(base.p95Ms)} (×${ratio.toFixed(2)}`;
      out.push(
        ratio > guard.maxP95Ratio
          ? { guard: "maxP95Ratio", state: "breached", text: `${text} > ×${guard.maxP95Ratio}) ${over}` }
          : { guard: "maxP95Ratio", state: "held", text: `${text})` },
      );
    }
  }
  if (guard.maxCostRatio !== undefined && enough) {
    if (window.costed === 0 || base.costed < min)
      out.push({ guard: "maxCostRatio", state: "waiting", text: `waiting for ${min} priced baseline requests to compare cost (${base.costed} so far)` });
    else {
      const canaryCost = window.costUsd / window.costed;
      const baseCost = base.costUsd / base.costed;
      const ratio = baseCost === 0 ? (canaryCost === 0 ? 1 : Number.POSITIVE_INFINITY) : canaryCost / baseCost;
      const text = `cost/request $${usd(canaryCost)} vs baseline $${usd(baseCost)} (×${ratio.toFixed(2)}`;
      out.push(
        ratio > guard.maxCostRatio
          ? { guard: "maxCostRatio", state: "breached", text: `${text} > ×${guard.maxCostRatio}) ${over}` }
          : { guard: "maxCostRatio", state: "held", text: `${text})` },
      );
    }
  }
  if (guard.minScore !== undefined) {
    const needed = guard.minSamples ?? DEFAULT_MIN_SAMPLES;
    if (window.scores < needed)
      out.push({ guard: "minScore", state: "waiting", text: `waiting for ${needed} canary feedback scores (${window.scores} so far)` });
    else {
      const mean = window.scoreSum / window.scores;
      const baseline = base.scores === 0 ? "" : `, baseline ${fmt(base.scoreSum / base.scores)}`;
      out.push(
        mean < guard.minScore
          ? { guard: "minScore", state: "breached", text: `mean score ${fmt(mean)} < ${fmt(guard.minScore)} over ${window.scores} scores${baseline}` }
          : { guard: "minScore", state: "held", text: `mean score ${fmt(mean)}${baseline}` },
      );
    }
  }
  return out;
}

/**
 * Decide a canary's next state. Each guard is judged once the window holds its samples (see
 * judgeCanaryGuards); any breach (error rate, absolute p95, p95 or cost against the baseline arm,
 * validator failure rate, mean feedback score) rolls back at once, whatever the step's age. An open
 * breaker on the canary model also rolls back: it keeps the canary from being tried, so its window
 * would otherwise never fill. Otherwise the canary advances one step when the current step is
 * `everyMs` old and every configured guard has its samples and held. A rolled-back canary stays at
 * 0 % until a release changes it.
 *
 * @example
 * nextCanaryStep({ step: 0, percent: 5, updatedAt: 0 }, window, 3_600_000, canary)
 * // → { action: "advance", step: 1, percent: 25, reason: "guard held at 5 % (error rate 0 over 40 requests, p95 300 ms)" }
 */
export function nextCanaryStep(progress: CanaryProgress, window: CanaryGuardInput, now: number, canary: Canary): CanaryNext {
  if (progress.step < 0) return { action: "hold", reason: "rolled back" };
  const verdicts = judgeCanaryGuards(window, canary.guard);
  const errorRate = window.requests === 0 ? 0 : window.errors / window.requests;
  const measured = `error rate ${fmt(errorRate)} over ${window.requests} request${window.requests === 1 ? "" : "s"}${window.p95Ms === undefined ? "" : `, p95 ${ms(window.p95Ms)}`}`;
  const breaches = verdicts.filter((v) => v.state === "breached").map((v) => v.text);
  if (breaches.length > 0) return { action: "rollback", step: -1, percent: 0, reason: `rolled back at ${progress.percent} %: ${breaches.join("; ")}` };
  if (window.breakerOpen === true)
    return {
      action: "rollback",
      step: -1,
      percent: 0,
      reason: `rolled back at ${progress.percent} %: ${canary.model}'s circuit breaker is open (${measured})`,
    };
  const last = canary.steps.length - 1;
  if (progress.step >= last) return { action: "hold", reason: `complete at ${progress.percent} %` };
  if (now - progress.updatedAt < canary.everyMs)
    return { action: "hold", reason: `step ${progress.step} until ${new Date(progress.updatedAt + canary.everyMs).toISOString()}` };
  const waiting = verdicts.filter((v) => v.state === "waiting").map((v) => v.text);
  if (waiting.length > 0) return { action: "hold", reason: waiting.join("; ") };
  // Error rate and absolute p95 are in `measured` already; the other guards add what they compared.
  const extra = verdicts
    .filter((v) => v.guard !== "maxErrorRate" && v.guard !== "maxP95Ms")
    .map((v) => v.text)
    .join(", ");
  const step = progress.step + 1;
  const percent = canary.steps[step] ?? 100;
  return { action: "advance", step, percent, reason: `guard held at ${progress.percent} % (${measured}${extra === "" ? "" : `; ${extra}`})` };
}

function fmt(rate: number): string {
  return Number(rate.toFixed(4)).toString();
}

function ms(value: number): string {
  return `${Math.round(value)} ms`;
}

function usd(value: number): string {
  return value >= 0.01 ? value.toFixed(4) : value.toPrecision(3);
}

/** One change the controller made. */
export interface CanaryChange {
  route: string;
  action: "advance" | "rollback";
  step: number;
  percent: number;
  reason: string;
  at: number;
}

export interface CanaryControllerOptions {
  /** Canary steps, guard windows and the controller lease. */
  rollout: RolloutStore;
  /** This replica's breakers: an open breaker on the canary model rolls it back. */
  health: HealthStore;
  /** The active config (read at every evaluation; its `environment` names the lease). */
  config: () => Config;
  now: () => number;
  /** Evaluation period of the timer, ms (default 5 000); a breached guard rolls back within it. */
  intervalMs?: number;
  /**
   * How long the controller lease lasts without renewal, ms (default 3 × intervalMs): when the
   * holding replica stops, another takes over within this plus one interval.
   */
  leaseTtlMs?: number;
  /** This controller's name in the lease (default: a random id per controller). */
  holderId?: string;
  onChange?: (change: CanaryChange) => void;
}

/** Default evaluation period of the controller's timer, ms. */
const DEFAULT_INTERVAL_MS = 5_000;

/**
 * Runs nextCanaryStep for every route with a canary, on an unref'd timer (`start`) or on demand
 * (`evaluate`, which tests call with an injected clock). It acts only while it holds its
 * environment's controller lease, so with shared state one replica at a time moves the canaries and
 * every replica splits traffic by the same step.
 *
 * @example
 * const canaries = new CanaryController({ rollout: state.rollout, health: state.health, config: () => active.current.config, now: Date.now });
 * canaries.start(); … canaries.stop();
 */
export class CanaryController {
  readonly #options: CanaryControllerOptions;
  readonly #holderId: string;
  readonly #leaseTtlMs: number;
  #timer: ReturnType<typeof setInterval> | undefined;
  #running: Promise<CanaryChange[]> | undefined;

  constructor(options: CanaryControllerOptions) {
    this.#options = options;
    this.#holderId = options.holderId ?? randomUUID();
    this.#leaseTtlMs = options.leaseTtlMs ?? 3 * (options.intervalMs ?? DEFAULT_INTERVAL_MS);
  }

  /** Evaluate every canary once at `now()`; concurrent calls share one pass. */
  evaluate(): Promise<CanaryChange[]> {
    this.#running ??= this.#evaluate().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #evaluate(): Promise<CanaryChange[]> {
    const { rollout, health, config, now, onChange } = this.#options;
    const active = config();
    const routes = Object.entries(active.routes).filter(([, r]) => r.canary !== undefined);
    if (routes.length === 0) return [];
    const at = now();
    if (!(await rollout.holdControllerLease(active.environment, this.#holderId, this.#leaseTtlMs, at))) return [];
    const canaries = await rollout.snapshot(at);
    const breakers = health.breakerSnapshot(at);
    const changes: CanaryChange[] = [];
    for (const [id, route] of routes) {
      const canary = route.canary;
      const current = canaries[id];
      if (canary === undefined || current === undefined || current.model !== canary.model) continue;
      const next = nextCanaryStep(current, { ...current.window, breakerOpen: breakers[canary.model]?.status === "open" }, at, canary);
      if (next.action === "hold") continue;
      await rollout.setCanaryPercent(id, next.percent, { now: at, step: next.step, reason: next.reason });
      const change: CanaryChange = { route: id, action: next.action, step: next.step, percent: next.percent, reason: next.reason, at };
      changes.push(change);
      try {
        onChange?.(change);
      } catch {
        // a listener must not stop the controller
      }
    }
    return changes;
  }

  /** Evaluate every `intervalMs` without keeping the process alive. */
  start(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => void this.evaluate().catch(() => undefined), this.#options.intervalMs ?? DEFAULT_INTERVAL_MS);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
