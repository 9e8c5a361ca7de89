/** @module RouteTable: per-route data resolved once at activation so decide() does little work per request. */
import type { Config, Route } from "@switchyard/ir";
import type { Strategy, StrategyMember } from "./strategy.ts";
import type { ExclusionCode, StrategyName } from "./types.ts";

/** A member plus the filters that depend only on config (residency, data class, lifecycle), judged once. */
export interface TableMember extends StrategyMember {
  /** Set when the member can never serve this route in this environment. */
  staticExclusion: { code: ExclusionCode; reason: string } | undefined;
}

/** One target (the primary, a fallback step, the long-context target): a tier or a single model. */
export interface TableTarget {
  kind: "tier" | "model";
  /** Tier or model id as written in the config. */
  id: string;
  /** Tier id when kind is "tier". */
  tier: string | undefined;
  members: TableMember[];
  strategy: Strategy;
}

export interface TableRoute {
  id: string;
  route: Route;
  primary: TableTarget;
  /** Fallback steps in order (step n = fallback[n - 1]). */
  fallback: TableTarget[];
  longContext: { over: number; target: TableTarget } | undefined;
  canary: { member: TableMember; salt: string } | undefined;
  strategyName: StrategyName | undefined;
}

export interface RouteTable {
  config: Config;
  /** True when lifecycle rules for production apply (environment "prod" or "production"). */
  production: boolean;
  routes: Map<string, TableRoute>;
  /** Team → routes it may use. */
  teams: Map<string, ReadonlySet<string>>;
}

/** Precompute the route table for a config (call once per activated release; see decide()). */
export function compileRouteTable(config: Config): RouteTable {
  void config;
  throw new Error("not implemented");
}
