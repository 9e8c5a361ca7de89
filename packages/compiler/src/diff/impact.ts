/**
 * @module diff/impact — what a change does to each affected route's price and context window: blended $/1M
 * tokens of its primary, the worst case over its whole reachable chain, and the smallest context window of its
 * primary, before and after. A route is affected when it changed, or when a tier or model it reaches (on
 * either side) changed; it is listed when one of those figures moves (or it was added or removed). Pure.
 */
import type { Config, Route } from "@switchyard/ir";
import { expectedPricePer1M, modelPricePer1M, primaryTarget, routeReach, type PriceMix, type ReachKind } from "@switchyard/policies";
import type { ChangeKind, ConfigDiff } from "./types.ts";

/** The input:output token mix prices are blended at when the environment's cost-guard sets none: 3 input tokens to 1 output token. */
export const DEFAULT_PRICE_MIX: PriceMix = { input: 3, output: 1 };

export interface WorstCase {
  /** USD per 1M tokens at the mix. */
  usdPer1M: number;
  model: string;
  /** Where in the chain it is reached: primary, a `when` rule, fallback, long-context, canary. */
  via: ReachKind;
}

export interface RouteImpact {
  route: string;
  kind: ChangeKind;
  /** Why the route is listed: `route` (it changed itself), `tier fast`, `model claude`. */
  because: string[];
  /** USD per 1M tokens of the primary (tier members weighted), at the mix; null where the route does not exist. */
  blended: { old: number | null; new: number | null };
  /** The dearest model the route can reach (primary, `when` rule targets, fallbacks, long-context target, canary). */
  worst: { old: WorstCase | null; new: WorstCase | null };
  /** The smallest context window among the primary's models, tokens. */
  context: { old: number | null; new: number | null };
}

export interface DiffImpact {
  /** The input:output mix prices are blended at (the cost-guard pack's `mix` when NEW selects it with one, else 3:1). */
  mix: PriceMix;
  routes: RouteImpact[];
}

/** The cost-guard selection's `mix` option, when the config sets a valid one. */
function mixOf(config: Config): PriceMix {
  for (const selection of config.policies) {
    if (selection.pack !== "cost-guard") continue;
    const mix = selection.options.mix as Partial<PriceMix> | undefined;
    if (typeof mix?.input === "number" && typeof mix.output === "number" && mix.input >= 0 && mix.output >= 0 && mix.input + mix.output > 0) {
      return { input: mix.input, output: mix.output };
    }
  }
  return DEFAULT_PRICE_MIX;
}

function worstCase(config: Config, route: Route, mix: PriceMix): WorstCase | null {
  let worst: WorstCase | null = null;
  for (const reach of routeReach(config, route)) {
    if (reach.model === undefined) continue;
    const usdPer1M = modelPricePer1M(reach.model, mix);
    if (worst === null || usdPer1M > worst.usdPer1M) worst = { usdPer1M, model: reach.modelId, via: reach.kind };
  }
  return worst;
}

function primaryContext(config: Config, route: Route): number | null {
  const contexts = routeReach(config, route, ["primary"]).flatMap((reach) => (reach.model === undefined ? [] : [reach.model.context]));
  return contexts.length === 0 ? null : Math.min(...contexts);
}

/** Prices differ beyond float noise (re-weighting equal-priced members must not read as a change). */
function differs(a: number | null, b: number | null): boolean {
  if (a === null || b === null) return a !== b;
  return Math.abs(a - b) > 1e-9 * Math.max(1, Math.abs(a));
}

function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The impact of a diff on the routes it touches, directly or through a tier or model.
 *
 * @example diffImpact(before, after, diffConfigs(before, after)).routes[0]
 * // { route: "support-faq", because: ["route"], blended: { old: 0.2625, new: 6 }, … }
 */
export function diffImpact(old: Config, now: Config, diff: ConfigDiff): DiffImpact {
  const mix = mixOf(now);
  const changed = (section: "routes" | "tiers" | "models"): Set<string> =>
    new Set(diff.sections.filter((s) => s.section === section).flatMap((s) => s.entities.map((e) => e.id)));
  const routes = changed("routes");
  const tiers = changed("tiers");
  const models = changed("models");
  const ids = [...new Set([...Object.keys(old.routes), ...Object.keys(now.routes)])].sort(byCodePoint);
  const out: RouteImpact[] = [];
  for (const id of ids) {
    const before = old.routes[id];
    const after = now.routes[id];
    const because = new Set<string>();
    if (routes.has(id)) because.add("route");
    for (const [config, route] of [
      [old, before],
      [now, after],
    ] as const) {
      if (route === undefined) continue;
      const primary = primaryTarget(route);
      if (primary !== undefined && "tier" in primary && tiers.has(primary.tier)) because.add(`tier ${primary.tier}`);
      for (const reach of routeReach(config, route)) {
        if (reach.targetKind === "tier" && tiers.has(reach.target)) because.add(`tier ${reach.target}`);
        if (models.has(reach.modelId)) because.add(`model ${reach.modelId}`);
      }
    }
    if (because.size === 0) continue;
    const impact: RouteImpact = {
      route: id,
      kind: before === undefined ? "add" : after === undefined ? "delete" : "update",
      because: [...because].sort((a, b) => (a === "route" ? -1 : b === "route" ? 1 : byCodePoint(a, b))),
      blended: {
        old: before === undefined ? null : (expectedPricePer1M(old, before, mix) ?? null),
        new: after === undefined ? null : (expectedPricePer1M(now, after, mix) ?? null),
      },
      worst: { old: before === undefined ? null : worstCase(old, before, mix), new: after === undefined ? null : worstCase(now, after, mix) },
      context: { old: before === undefined ? null : primaryContext(old, before), new: after === undefined ? null : primaryContext(now, after) },
    };
    // A change that moves no figure (a retry setting, a canary's steps at an equal price) is the plan's to list, not the impact's.
    const moved =
      impact.kind !== "update" ||
      differs(impact.blended.old, impact.blended.new) ||
      differs(impact.worst.old?.usdPer1M ?? null, impact.worst.new?.usdPer1M ?? null) ||
      impact.context.old !== impact.context.new;
    if (moved) out.push(impact);
  }
  return { mix, routes: out };
}
