/** @module RouteTable: per-route data resolved once at activation so decide() does little work per request. */
import type { Capability, Config, Route, TargetRef } from "@switchyard/ir";
import { isProduction } from "@switchyard/ir/environment";
import { compileCondition, routeThresholds, type CompiledCondition } from "./rules.ts";
import { compileProximity, type Proximity } from "./placement.ts";
import { createStrategy, strategyForOptimize } from "./strategies/index.ts";
import { staticWeights, type StaticWeights } from "./strategies/weighted.ts";
import type { Strategy, StrategyMember } from "./strategy.ts";
import type { Candidate, ExclusionCode, StrategyName } from "./types.ts";

/** A member plus the filters that depend only on config (residency, data class, lifecycle), judged once. */
export interface TableMember extends StrategyMember {
  /** Set when the member can never serve this route in this environment. */
  staticExclusion: { code: ExclusionCode; reason: string } | undefined;
  /** Epoch ms of the model's sunset date (deprecated after it), if any. */
  sunsetAt: number | undefined;
  /**
   * Shared by every member of the same model in one table: decide() stamps it with the decision's
   * generation to de-duplicate without allocating a Set. Scratch space, not configuration.
   */
  slot: { gen: number };
}

/** One target (the primary, a fallback step, the long-context target): a tier or a single model. */
export interface TableTarget {
  kind: "tier" | "model";
  strategyName: StrategyName;
  /** Tier or model id as written in the config. */
  id: string;
  /** Tier id when kind is "tier". */
  tier: string | undefined;
  /** Precomputed reason prefix, e.g. "fallback step 1: tier frontier (weighted)". */
  label: string;
  /** Frozen, so strategies may cache per-array work (e.g. the weighted order) by identity. */
  members: readonly TableMember[];
  strategy: Strategy;
  /**
   * Plan candidates of this target's members by member index, filled lazily by decide(). A target has
   * one role in one route, so its step, source, tier and label (a candidate's whole content) are fixed.
   * Scratch space like `slot`, not configuration.
   */
  candidates: (Candidate | undefined)[];
  /** What decide()'s fast path needs, judged once (see FastTarget). */
  fast: FastTarget;
}

/**
 * A target's facts for decide()'s fast path (every member eligible, breakers plainly closed): the plan
 * part is then the members in configured-weight order with the weighted pick moved to the front.
 */
export interface FastTarget {
  /** No member is statically excluded (residency, data class, lifecycle, unknown model). */
  staticOk: boolean;
  /** The smallest context window among the members. */
  minContext: number;
  /** Some member is deprecated or has a sunset date, so planning it may warn. */
  warns: boolean;
  /** Weighted tiers of two or more members: configured-weight order and cumulative weights. */
  weights: StaticWeights | undefined;
  /** Member index → position in `weights.order` (identity for a single member). */
  position: Int32Array;
  /** The target's shared candidates in `weights.order`, made by decide() on first use (scratch space like `candidates`). */
  ordered: readonly Candidate[] | undefined;
}

export interface TableRoute {
  id: string;
  route: Route;
  primary: TableTarget;
  /** Fallback steps in order (step n = fallback[n - 1]). */
  fallback: TableTarget[];
  longContext: { over: number; target: TableTarget } | undefined;
  canary: { member: TableMember; salt: string } | undefined;
  /** route.requires as given (request requirements are added per request). */
  requires: readonly Capability[];
  strategyName: StrategyName | undefined;
  /** `when` rules in order (undefined: none); the first that holds replaces `primary`. */
  rules: readonly TableRule[] | undefined;
  /** Complexity thresholds the rules read (the route's, or the defaults). */
  thresholds: { medium: number; high: number };
  /** Some rule tests complexity: the router scores the body only then. */
  usesComplexity: boolean;
  /** No model is in two of the route's targets (canary, long context, primary, fallback steps): a plan cannot repeat a model. */
  disjoint: boolean;
}

/** A compiled `when` rule: its condition and the target it uses instead of the primary. */
export interface TableRule {
  /** 1-based, as `switchyard explain` and the compiler's diagnostics number rules. */
  index: number;
  condition: CompiledCondition;
  target: TableTarget;
}

export interface RouteTable {
  config: Config;
  /** True when lifecycle rules for production apply (`isProduction`: declared `production`, else a production-like name). */
  production: boolean;
  routes: Map<string, TableRoute>;
  /** Team → routes it may use. */
  teams: Map<string, ReadonlySet<string>>;
  /** Region-aware placement: caller regions' proximity and team regions (placement.ts). */
  proximity: Proximity;
}

/**
 * Precompute the route table for a config: resolves tiers and models into members with their
 * provider, decides the config-only filters (residency, data class, lifecycle) once per route, and
 * picks each target's strategy. Call once per activated release; decide() caches it per config object.
 *
 * @example
 * const table = compileRouteTable(config);
 * decideWithTable(table, request, store.view(now), { rng, now });
 */
export function compileRouteTable(config: Config): RouteTable {
  const production = isProduction(config);
  const routes = new Map<string, TableRoute>();
  const slots = new Map<string, { gen: number }>();
  for (const [id, route] of Object.entries(config.routes)) {
    const target = (ref: TargetRef, role: string, canary = false): TableTarget => buildTarget({ config, route, ref, role, production, canary, slots });
    const primary = target(route.tier !== undefined ? { tier: route.tier } : { model: route.model ?? "" }, "primary");
    const canaryMember = route.canary === undefined ? undefined : target({ model: route.canary.model }, "canary", true).members[0];
    const fallback = route.fallback.map((ref, i) => target(ref, `fallback step ${i + 1}`));
    const longContext =
      route.longContext === undefined
        ? undefined
        : { over: route.longContext.over, target: target(route.longContext.use, `long context (over ${route.longContext.over} tokens)`) };
    const rules = route.when?.map((rule, i): TableRule => {
      const condition = compileCondition(rule.if);
      return { index: i + 1, condition, target: target(rule.use, `rule ${i + 1} (${condition.text})`) };
    });
    const parts = [
      primary.members,
      ...(rules ?? []).map((r) => r.target.members),
      ...fallback.map((t) => t.members),
      ...(longContext === undefined ? [] : [longContext.target.members]),
      ...(canaryMember === undefined ? [] : [[canaryMember]]),
    ];
    routes.set(id, {
      id,
      route,
      primary,
      fallback,
      longContext,
      canary: canaryMember === undefined || route.canary === undefined ? undefined : { member: canaryMember, salt: `${id}/${route.canary.model}` },
      strategyName: primary.kind === "tier" ? primary.strategyName : undefined,
      requires: route.requires,
      rules: rules === undefined || rules.length === 0 ? undefined : rules,
      thresholds: routeThresholds(route),
      usesComplexity: rules?.some((r) => r.condition.usesComplexity) ?? false,
      disjoint: disjoint(parts),
    });
  }
  const teams = new Map<string, ReadonlySet<string>>();
  for (const [id, team] of Object.entries(config.teams)) teams.set(id, new Set(team.routes));
  return { config, production, routes, teams, proximity: compileProximity(config) };
}

function buildTarget(input: {
  config: Config;
  route: Route;
  ref: TargetRef;
  role: string;
  production: boolean;
  canary: boolean;
  slots: Map<string, { gen: number }>;
}): TableTarget {
  const { config, route, ref } = input;
  if ("tier" in ref) {
    const tier = own(config.tiers, ref.tier);
    const strategyName = tier?.strategy ?? strategyForOptimize(route.optimize);
    const members = Object.freeze((tier?.models ?? []).map((m, index) => buildMember({ ...input, model: m.model, weight: m.weight, index })));
    return {
      kind: "tier",
      id: ref.tier,
      tier: ref.tier,
      label: `${input.role}: tier ${ref.tier} (${strategyName})`,
      members,
      strategy: createStrategy(strategyName),
      strategyName,
      candidates: new Array<Candidate | undefined>(members.length),
      fast: fastFacts(members, strategyName),
    };
  }
  const strategyName = strategyForOptimize(route.optimize);
  const members = Object.freeze([buildMember({ ...input, model: ref.model, weight: 1, index: 0 })]);
  return {
    kind: "model",
    id: ref.model,
    tier: undefined,
    label: `${input.role}: model ${ref.model}`,
    members,
    strategy: createStrategy(strategyName),
    strategyName,
    candidates: [undefined],
    fast: fastFacts(members, strategyName),
  };
}

/**
 * `record[key]` when the record itself has it: an uploaded release naming `toString` or `constructor`
 * as a tier, model or provider must read as undeclared, not as Object.prototype's function.
 */
export function own<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** True when no model id appears in two of the lists (repeats inside one list do not count). */
function disjoint(lists: readonly (readonly TableMember[])[]): boolean {
  const owner = new Map<string, number>();
  for (let i = 0; i < lists.length; i++) {
    for (const m of lists[i] as readonly TableMember[]) {
      const o = owner.get(m.model);
      if (o !== undefined && o !== i) return false;
      owner.set(m.model, i);
    }
  }
  return true;
}

function fastFacts(members: readonly TableMember[], strategyName: StrategyName): TableTarget["fast"] {
  let staticOk = true;
  let minContext = Number.POSITIVE_INFINITY;
  let warns = false;
  for (const m of members) {
    if (m.staticExclusion !== undefined) staticOk = false;
    if (m.context < minContext) minContext = m.context;
    if (m.lifecycle === "deprecated" || m.sunsetAt !== undefined) warns = true;
  }
  const weights = strategyName === "weighted" && members.length > 1 ? staticWeights(members) : undefined;
  const position = new Int32Array(members.length);
  if (weights !== undefined) for (let k = 0; k < weights.order.length; k++) position[weights.order[k] as number] = k;
  return { staticOk, minContext, warns, weights, position, ordered: undefined };
}

function buildMember(input: {
  config: Config;
  route: Route;
  model: string;
  weight: number;
  index: number;
  role: string;
  production: boolean;
  canary: boolean;
  slots: Map<string, { gen: number }>;
}): TableMember {
  const { config, route, model: id, weight, index } = input;
  let slot = input.slots.get(id);
  if (slot === undefined) {
    slot = { gen: 0 };
    input.slots.set(id, slot);
  }
  const model = own(config.models, id);
  const provider = model === undefined ? undefined : own(config.providers, model.provider);
  const member: TableMember = {
    model: id,
    provider: model?.provider ?? "",
    weight,
    region: provider?.region,
    residency: provider?.residency,
    selfHosted: provider?.selfHosted ?? false,
    context: model?.context ?? 0,
    priceInput: model?.price.input ?? 0,
    priceOutput: model?.price.output ?? 0,
    lifecycle: model?.lifecycle ?? "ga",
    capabilities: model === undefined || model.capabilities.length === 0 ? undefined : new Set(model.capabilities),
    index,
    staticExclusion: undefined,
    sunsetAt: model?.sunset === undefined ? undefined : Date.parse(`${model.sunset}T00:00:00Z`),
    slot,
  };
  if (model === undefined || provider === undefined) {
    member.staticExclusion = {
      code: "unknown-model",
      reason: model === undefined ? `model "${id}" is not declared` : `provider "${model.provider}" of model "${id}" is not declared`,
    };
  } else {
    member.staticExclusion = staticFilters({ route, member, production: input.production, canary: input.canary });
  }
  return member;
}

/** The config-only filters, in order: residency, data class, lifecycle. */
function staticFilters(input: { route: Route; member: TableMember; production: boolean; canary: boolean }): TableMember["staticExclusion"] {
  const { route, member } = input;
  if (route.residency !== "any" && member.residency !== route.residency) {
    return {
      code: "residency",
      reason: `route requires residency ${route.residency}; provider ${member.provider} declares ${member.residency ?? "none"}`,
    };
  }
  if ((route.dataClass === "confidential" || route.dataClass === "restricted") && !member.selfHosted) {
    const residencyHolds = route.residency !== "any" && member.residency === route.residency;
    if (!residencyHolds) {
      return {
        code: "data-class",
        reason: `${route.dataClass} data needs a self-hosted provider${route.residency === "any" ? " (or a route residency the provider matches)" : ` or residency ${route.residency}`}; provider ${member.provider} is neither`,
      };
    }
  }
  if (input.production && !input.canary && (member.lifecycle === "experimental" || member.lifecycle === "preview")) {
    return { code: "lifecycle", reason: `${member.lifecycle} model not served in production except as a canary` };
  }
  return undefined;
}
