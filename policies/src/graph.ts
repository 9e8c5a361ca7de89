/** @module Walks over the IR shared by the built-in policies: what a route reaches, and from where. */
import type { Config, Model, Provider, Route, TargetRef } from "@switchyard/ir";

/** Where in a route a model is reached from. */
export type ReachKind = "primary" | "rule" | "fallback" | "long-context" | "canary";

/** A model a route can send traffic to, with the route path that leads there (DSL spelling). */
export interface Reach {
  kind: ReachKind;
  /** Path below the route node: `["tier"]`, `["model"]`, `["when", 0, "use"]`, `["fallback", 2]`, `["longContext", "use"]`, `["canary", "model"]`. */
  path: (string | number)[];
  /** The tier or model the step names (`fast`, `claude`). */
  target: string;
  targetKind: "tier" | "model";
  modelId: string;
  model: Model | undefined;
  providerId: string | undefined;
  provider: Provider | undefined;
}

/** The model ids a target names: a tier's members in order, or the one model. */
export function targetModels(config: Config, target: TargetRef): string[] {
  if ("tier" in target) return config.tiers[target.tier]?.models.map((member) => member.model) ?? [];
  return [target.model];
}

/** The name a target reference was written with. */
export function targetName(target: TargetRef): string {
  return "tier" in target ? target.tier : target.model;
}

/** The route's primary as a target reference, or undefined when the route names neither. */
export function primaryTarget(route: Route): TargetRef | undefined {
  if (route.tier !== undefined) return { tier: route.tier };
  if (route.model !== undefined) return { model: route.model };
  return undefined;
}

function reachesOf(config: Config, kind: ReachKind, path: (string | number)[], target: TargetRef): Reach[] {
  return targetModels(config, target).map((modelId) => {
    const model = config.models[modelId];
    const providerId = model?.provider;
    return {
      kind,
      path,
      target: targetName(target),
      targetKind: "tier" in target ? "tier" : "model",
      modelId,
      model,
      providerId,
      provider: providerId === undefined ? undefined : config.providers[providerId],
    };
  });
}

/**
 * Every model a route can reach: primary first, then each `when` rule's target (a rule replaces the primary, so a
 * policy about "the primary" should usually ask about rules too), fallbacks in order, long-context target, canary.
 */
export function routeReach(config: Config, route: Route, include: readonly ReachKind[] = ["primary", "rule", "fallback", "long-context", "canary"]): Reach[] {
  const out: Reach[] = [];
  const primary = primaryTarget(route);
  if (include.includes("primary") && primary !== undefined) out.push(...reachesOf(config, "primary", "tier" in primary ? ["tier"] : ["model"], primary));
  if (include.includes("rule")) {
    route.when?.forEach((rule, index) => out.push(...reachesOf(config, "rule", ["when", index, "use"], rule.use)));
  }
  if (include.includes("fallback")) {
    route.fallback.forEach((step, index) => out.push(...reachesOf(config, "fallback", ["fallback", index], step)));
  }
  if (include.includes("long-context") && route.longContext !== undefined) {
    out.push(...reachesOf(config, "long-context", ["longContext", "use"], route.longContext.use));
  }
  if (include.includes("canary") && route.canary !== undefined) {
    out.push(...reachesOf(config, "canary", ["canary", "model"], { model: route.canary.model }));
  }
  return out;
}

/** One way a request can go through a route: its head (the primary, or a `when` rule's target) and the fallback chain after it. */
export interface Branch {
  /** `primary`, or the rule's 1-based number. */
  head: "primary" | number;
  /** Path of the head below the route node (`["tier"]`, `["when", 0, "use"]`). */
  path: (string | number)[];
  reaches: Reach[];
}

/** Each branch of a route: the primary with the fallbacks, then each `when` rule's target with the same fallbacks. */
export function routeBranches(config: Config, route: Route): Branch[] {
  const fallbacks = routeReach(config, route, ["fallback"]);
  const out: Branch[] = [];
  const primary = primaryTarget(route);
  if (primary !== undefined) {
    out.push({ head: "primary", path: ["tier" in primary ? "tier" : "model"], reaches: [...routeReach(config, route, ["primary"]), ...fallbacks] });
  }
  route.when?.forEach((rule, index) => {
    out.push({ head: index + 1, path: ["when", index, "use"], reaches: [...reachesOf(config, "rule", ["when", index, "use"], rule.use), ...fallbacks] });
  });
  return out;
}

/** Routes by the model ids they reach (any step), computed once per config. */
export function routesByModel(config: Config): Map<string, string[]> {
  const byModel = new Map<string, string[]>();
  for (const [routeId, route] of Object.entries(config.routes)) {
    const models = new Set(routeReach(config, route).map((reach) => reach.modelId));
    for (const modelId of models) {
      const list = byModel.get(modelId);
      if (list === undefined) byModel.set(modelId, [routeId]);
      else list.push(routeId);
    }
  }
  return byModel;
}

/** A human list: `a`, `a and b`, `a, b and c`. */
export function listOf(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

/** `3,000` style integers; keeps messages readable for token counts. */
export function formatInt(value: number): string {
  return Math.round(value).toLocaleString("en-US");
}

/** How a step reads in a message: `its primary`, `fallback step 3`, `its long-context target`, `its canary`. */
export function describeStep(reach: { kind: ReachKind; path: (string | number)[] }): string {
  switch (reach.kind) {
    case "primary":
      return "its primary";
    case "rule":
      return `its rule ${Number(reach.path[1]) + 1} target`;
    case "fallback":
      return `fallback step ${Number(reach.path[1]) + 1}`;
    case "long-context":
      return "its long-context target";
    case "canary":
      return "its canary";
  }
}

/** The reaches of one step of a route (all members of a tier step together). */
export interface StepReach {
  kind: ReachKind;
  path: (string | number)[];
  target: string;
  targetKind: "tier" | "model";
  reaches: Reach[];
}

/**
 * Group reaches by step, in order. Policies report once per step (listing the offending models),
 * so two findings of one policy never share a location.
 */
export function groupBySteps(reaches: readonly Reach[]): StepReach[] {
  const steps = new Map<string, StepReach>();
  for (const reach of reaches) {
    const key = reach.path.join("\0");
    const step = steps.get(key);
    if (step === undefined) steps.set(key, { kind: reach.kind, path: reach.path, target: reach.target, targetKind: reach.targetKind, reaches: [reach] });
    else if (!step.reaches.some((r) => r.modelId === reach.modelId)) step.reaches.push(reach);
  }
  return [...steps.values()];
}

/** ` (tier fast)` for a tier step, nothing for a model step (the model is named anyway). */
export function tierSuffix(step: { targetKind: "tier" | "model"; target: string }): string {
  return step.targetKind === "tier" ? ` (tier ${step.target})` : "";
}
