/** @module Canary progression: a pure step function judged on the guard window, and the controller that runs it on a timer. */
import type { Canary, Config } from "@switchyard/ir";
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

/**
 * Decide a canary's next state. The guard is judged only once the window holds `minRequests`
 * attempts of the canary model; a breach (error rate above `maxErrorRate`, p95 above `maxP95Ms`)
 * rolls back at once, whatever the step's age. An open breaker on the canary model also rolls back:
 * it keeps the canary from being tried, so its window would otherwise never fill. Otherwise the canary advances one step when the
 * current step is `everyMs` old. A rolled-back canary stays at 0 % until a release changes it.
 *
 * @example
 * nextCanaryStep({ step: 0, percent: 5, updatedAt: 0 }, { requests: 40, errors: 0, p95Ms: 300, since: 0 }, 3_600_000, canary)
 * // → { action: "advance", step: 1, percent: 25, reason: "guard held at 5 %: …" }
 */
export function nextCanaryStep(progress: CanaryProgress, window: CanaryGuardInput, now: number, canary: Canary): CanaryNext {
  if (progress.step < 0) return { action: "hold", reason: "rolled back" };
  const { guard } = canary;
  const errorRate = window.requests === 0 ? 0 : window.errors / window.requests;
  const judged = window.requests >= guard.minRequests;
  const measured = `error rate ${fmt(errorRate)} over ${window.requests} request${window.requests === 1 ? "" : "s"}${window.p95Ms === undefined ? "" : `, p95 ${Math.round(window.p95Ms)} ms`}`;
  if (judged) {
    const breaches: string[] = [];
    if (guard.maxErrorRate !== undefined && errorRate > guard.maxErrorRate) breaches.push(`error rate ${fmt(errorRate)} > ${fmt(guard.maxErrorRate)}`);
    if (guard.maxP95Ms !== undefined && window.p95Ms !== undefined && window.p95Ms > guard.maxP95Ms)
      breaches.push(`p95 ${Math.round(window.p95Ms)} ms > ${guard.maxP95Ms} ms`);
    if (breaches.length > 0)
      return {
        action: "rollback",
        step: -1,
        percent: 0,
        reason: `rolled back at ${progress.percent} %: ${breaches.join(", ")} over ${window.requests} requests`,
      };
  }
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
  if (!judged) return { action: "hold", reason: `waiting for ${guard.minRequests} canary requests (${window.requests} so far)` };
  const step = progress.step + 1;
  const percent = canary.steps[step] ?? 100;
  return { action: "advance", step, percent, reason: `guard held at ${progress.percent} % (${measured})` };
}

function fmt(rate: number): string {
  return Number(rate.toFixed(4)).toString();
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
