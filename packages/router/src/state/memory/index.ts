/** @module The in-memory StateStores: the default, single-process state (every method answers synchronously). */
import { type ComposedStateStores, composeStateStores } from "../compose.ts";
import { MemoryBudgetStore } from "./budgets.ts";
import { MemoryHealthStore, type MemoryHealthOptions } from "./health.ts";
import { MemoryRateLimitStore } from "./limits.ts";
import { MemoryRolloutStore } from "./rollout.ts";

export { MemoryBudgetStore } from "./budgets.ts";
export { MemoryHealthStore, type MemoryHealthOptions } from "./health.ts";
export { MemoryRateLimitStore } from "./limits.ts";
export { MemoryRolloutStore } from "./rollout.ts";

/** Breaker and latency options of the health store. */
export type MemoryStateStoresOptions = MemoryHealthOptions;

/** The memory bundle: its parts keep their synchronous types (tests and `switchyard explain` read them without awaiting). */
export type MemoryStateStores = ComposedStateStores<MemoryBudgetStore, MemoryRateLimitStore, MemoryHealthStore, MemoryRolloutStore>;

/**
 * Fresh in-memory stores: kind "memory", no release store, backend always up.
 *
 * @example
 * const state = createMemoryStateStores({ breaker: { consecutiveFailures: 3 } });
 * state.rollout.activate(config, Date.now());
 * const d = decide(config, req, state.view(Date.now()), { rng: Math.random, now: Date.now() });
 */
export function createMemoryStateStores(options: MemoryStateStoresOptions = {}): MemoryStateStores {
  return composeStateStores({
    kind: "memory",
    budgets: new MemoryBudgetStore(),
    limits: new MemoryRateLimitStore(),
    health: new MemoryHealthStore(options),
    rollout: new MemoryRolloutStore(),
  });
}
