/** @module Strategy registry: the one place that maps a name (tier.strategy / route.optimize) to an implementation. */
import type { Optimize } from "@switchyard/ir";
import type { Strategy } from "../strategy.ts";
import type { StrategyName } from "../types.ts";
import { costStrategy } from "./cost.ts";
import { latencyStrategy } from "./latency.ts";
import { leastBusyStrategy } from "./least-busy.ts";
import { weightedStrategy } from "./weighted.ts";

export const strategies = {
  weighted: weightedStrategy,
  latency: latencyStrategy,
  cost: costStrategy,
  "least-busy": leastBusyStrategy,
} as const satisfies Record<StrategyName, Strategy>;

/** The strategy implementation for a name. */
export function createStrategy(name: StrategyName): Strategy {
  return strategies[name];
}

/** The route's default: optimize cost → cost, latency → latency, quality → weighted. */
export function strategyForOptimize(optimize: Optimize): StrategyName {
  return optimize === "cost" ? "cost" : optimize === "latency" ? "latency" : "weighted";
}
