/** @module decide()'s use of `when` rules: which compiled rule of a route applies to a request (core/rules.ts evaluates). */
import { complexityScore } from "./complexity.ts";
import type { RouteTable, TableRoute, TableRule } from "./route-table.ts";
import { conditionHolds, type RuleInput } from "./rules.ts";
import type { RoutingRequest } from "./types.ts";

/** The first of the route's rules whose condition holds, or undefined (the primary target stands). */
export function matchRule(route: TableRoute, request: RoutingRequest): TableRule | undefined {
  const rules = route.rules;
  if (rules === undefined) return undefined;
  const input: RuleInput = { request, thresholds: route.thresholds };
  for (const rule of rules) if (conditionHolds(rule.condition, input)) return rule;
  return undefined;
}

/**
 * The complexity score of a request body when the route's rules read it, else undefined: the router scores a body
 * only for routes that test complexity, so other routes pay nothing for the signal.
 */
export function ruleComplexityScore(table: RouteTable, route: string, body: unknown): number | undefined {
  const r = table.routes.get(route);
  return r?.usesComplexity === true ? complexityScore(body) : undefined;
}
