/** @module decide(): the pure routing core. Config + request + state view → an ordered plan with reasons. */
import type { Config } from "@switchyard/ir";
import { compileRouteTable, type RouteTable } from "./route-table.ts";
import type { DecideOptions, Decision, RoutingRequest, RoutingState } from "./types.ts";

const tables = new WeakMap<Config, RouteTable>();

/** The cached RouteTable for a config object (compiled on first use; keyed by identity). */
export function routeTableFor(config: Config): RouteTable {
  let t = tables.get(config);
  if (t === undefined) {
    t = compileRouteTable(config);
    tables.set(config, t);
  }
  return t;
}

/**
 * Decide the ordered plan for a request. Pure: reads only its arguments; randomness and time are injected.
 * Caches the RouteTable per config object (WeakMap), so the first call for a config pays compilation.
 *
 * @example
 * const d = decide(config, { route: "support-faq", team: "support", promptTokens: 1200, maxOutputTokens: undefined,
 *   region: undefined, stickyKey: "user-1", requires: [] }, store.view(now), { rng: mulberry32(1), now });
 */
export function decide(config: Config, request: RoutingRequest, state: RoutingState, options: DecideOptions): Decision {
  return decideWithTable(routeTableFor(config), request, state, options);
}

/** decide() against a precompiled table (the router compiles one per activated release). */
export function decideWithTable(table: RouteTable, request: RoutingRequest, state: RoutingState, options: DecideOptions): Decision {
  void table; void request; void state; void options;
  throw new Error("not implemented");
}
