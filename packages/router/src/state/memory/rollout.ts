/** @module MemoryRolloutStore: canary steps, their guard windows and the controller lease, in this process. */
import type { Config } from "@switchyard/ir";
import { percentile95 } from "../latency.ts";
import type { AttemptOutcome, CanarySnapshot } from "../store.ts";
import type { RolloutStore } from "../stores.ts";
import { byKey } from "./sort.ts";

interface CanaryEntry extends Omit<CanarySnapshot, "window"> {
  /** Steps the state was started with; a change of steps restarts the canary. */
  stepsKey: string;
  window: CanaryWindowCounts;
}

/** The guard window's running counts; latencies are the most recent successes (bounded). */
interface CanaryWindowCounts {
  since: number;
  requests: number;
  errors: number;
  latencies: number[];
}

/** Successful canary latencies kept for the window's p95 (the most recent ones). */
export const CANARY_LATENCY_SAMPLES = 512;

const freshWindow = (since: number): CanaryWindowCounts => ({ since, requests: 0, errors: 0, latencies: [] });

/** The canary's identity across releases: the same model and steps keep their progress. */
export const canaryStepsKey = (steps: readonly number[]): string => steps.join(",");

export function clampPercent(p: number): number {
  return Number.isFinite(p) ? Math.min(100, Math.max(0, p)) : 0;
}

/**
 * Rollout state in Maps, answered synchronously. The controller lease behaves as the shared one does:
 * the first holder keeps it while it renews within `ttlMs`; once that lapses, another may take it.
 *
 * @example
 * const rollout = new MemoryRolloutStore();
 * rollout.activate(config, Date.now());
 * rollout.canaryPercent("chat"); // → the canary's first step
 */
export class MemoryRolloutStore implements RolloutStore {
  readonly #canaries = new Map<string, CanaryEntry>();
  readonly #leases = new Map<string, { holder: string; expiresAt: number }>();

  activate(config: Config, now: number): void {
    for (const route of [...this.#canaries.keys()]) {
      if (config.routes[route]?.canary === undefined) this.#canaries.delete(route);
    }
    for (const [id, route] of Object.entries(config.routes)) {
      const canary = route.canary;
      if (canary === undefined) continue;
      const stepsKey = canaryStepsKey(canary.steps);
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
  }

  canaryPercent(route: string): number {
    return this.#canaries.get(route)?.percent ?? 0;
  }

  recordCanaryAttempt(route: string, outcome: AttemptOutcome): void {
    const canary = this.#canaries.get(route);
    if (canary === undefined || canary.model !== outcome.model) return;
    const w = canary.window;
    w.requests++;
    if (!outcome.ok) w.errors++;
    else {
      w.latencies.push(outcome.latencyMs);
      if (w.latencies.length > CANARY_LATENCY_SAMPLES) w.latencies.shift();
    }
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

  snapshot(): Record<string, CanarySnapshot> {
    const out: Record<string, CanarySnapshot> = {};
    for (const [route, c] of [...this.#canaries].sort(byKey)) {
      const w = c.window;
      const window = { requests: w.requests, errors: w.errors, p95Ms: w.latencies.length === 0 ? undefined : percentile95(w.latencies), since: w.since };
      out[route] = { model: c.model, percent: c.percent, step: c.step, updatedAt: c.updatedAt, reason: c.reason, window };
    }
    return out;
  }

  holdControllerLease(environment: string, holder: string, ttlMs: number, now: number): boolean {
    const lease = this.#leases.get(environment);
    if (lease !== undefined && lease.holder !== holder && now < lease.expiresAt) return false;
    this.#leases.set(environment, { holder, expiresAt: now + ttlMs });
    return true;
  }
}
