/** @module Canary progression: the controller that runs the step function (./canary-step.ts) on a timer. */
import type { Config } from "@switchyard/ir";
import { randomUUID } from "node:crypto";
import type { HealthStore, RolloutStore } from "../state/index.ts";

export { nextCanaryStep, type CanaryProgress, type CanaryGuardInput, type CanaryNext, type GuardVerdict } from "./canary-step.ts";

/** One change the controller made. */
export interface CanaryChange {
  route: string;
  /** The canary model. */
  model: string;
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
    // Loaded only now: a router whose routes have no canary never evaluates guards (a chunk in router.mjs).
    const { nextCanaryStep } = await import("./canary-step.ts");
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
      const change: CanaryChange = { route: id, model: canary.model, action: next.action, step: next.step, percent: next.percent, reason: next.reason, at };
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
