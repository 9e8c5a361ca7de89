/** @module cost-guard/price-ceiling — a route's expected price per 1M tokens stays under a ceiling. */
import { z } from "zod";
import type { Config, Model, Route } from "@switchyard/ir";
import { definePolicy } from "../define.ts";
import { describeStep, groupBySteps, primaryTarget, routeReach, targetName, tierSuffix, type Reach, type StepReach } from "../graph.ts";

export interface PriceMix {
  input: number;
  output: number;
}

/**
 * Expected USD per 1M tokens of a route's primary: each member's price blended by the
 * input:output mix, averaged by member weight (plain average when the weights sum to 0).
 * Undefined when the primary names nothing priced.
 */
export function expectedPricePer1M(config: Config, route: Route, mix: PriceMix): number | undefined {
  const target = primaryTarget(route);
  if (target === undefined) return undefined;
  const members = "tier" in target ? (config.tiers[target.tier]?.models ?? []) : [{ model: target.model, weight: 1 }];
  const priced = members.flatMap((member) => {
    const model = config.models[member.model];
    return model === undefined ? [] : [{ weight: Math.max(0, member.weight), price: modelPricePer1M(model, mix) }];
  });
  if (priced.length === 0) return undefined;
  const total = priced.reduce((sum, m) => sum + m.weight, 0);
  if (total === 0) return priced.reduce((sum, m) => sum + m.price, 0) / priced.length;
  return priced.reduce((sum, m) => sum + m.price * m.weight, 0) / total;
}

/** A model's USD per 1M tokens, its input and output prices blended by the mix; an embedding model's is its input price (it has no output tokens). */
export function modelPricePer1M(model: Pick<Model, "price" | "kind">, mix: PriceMix): number {
  if (model.kind === "embedding") return model.price.input;
  return (model.price.input * mix.input + model.price.output * mix.output) / (mix.input + mix.output);
}

/** The price of a route's whole reachable chain: what it costs when nothing fails, and the dearest request it can make. */
export interface ChainPrice {
  /** `expectedPricePer1M`: the primary's members by weight (undefined when nothing is priced). */
  expected: number | undefined;
  /** The dearest model reachable through any step (primary member, `when` rule target, fallback, long-context target, canary). */
  worst: { price: number; reach: Reach } | undefined;
  /** Each step of the chain, in order, with its dearest model. */
  steps: { step: StepReach; price: number; dearest: Reach }[];
}

/**
 * Prices every step a route can reach (see `routeReach`): the expected figure of the primary and the
 * worst case over the primary's members, the `when` rules' targets, the fallbacks, the long-context target and the canary.
 *
 * @example chainPricePer1M(config, config.routes.chat, { input: 3, output: 1 }).worst?.price // 6
 */
export function chainPricePer1M(config: Config, route: Route, mix: PriceMix): ChainPrice {
  const steps: ChainPrice["steps"] = [];
  for (const step of groupBySteps(routeReach(config, route))) {
    let dearest: { price: number; reach: Reach } | undefined;
    for (const reach of step.reaches) {
      if (reach.model === undefined) continue;
      const price = modelPricePer1M(reach.model, mix);
      if (dearest === undefined || price > dearest.price) dearest = { price, reach };
    }
    if (dearest !== undefined) steps.push({ step, price: dearest.price, dearest: dearest.reach });
  }
  const worst = steps.reduce<ChainPrice["worst"]>(
    (max, s) => (max === undefined || s.price > max.price ? { price: s.price, reach: s.dearest } : max),
    undefined,
  );
  return { expected: expectedPricePer1M(config, route, mix), worst, steps };
}

const usd = (value: number): string => `$${value.toFixed(2)}`;
/** Compare figures as printed, so a message never reads "$2.00/1M > ceiling $2.00/1M". */
const over = (price: number, ceiling: number): boolean => Math.round(price * 100) > Math.round(ceiling * 100);

export default definePolicy({
  id: "cost-guard/price-ceiling",
  description:
    "A route's expected price per 1M tokens — its primary's member prices blended by the `mix` of input to output tokens (default 3:1) and weighted by member weight, less `cache.expectedHitRatio` when the route declares one — is at most `maxUsdPer1M` (default 10), or the route's entry in `routeCeilings`; and no model the route can reach (a primary member, a `when` rule's target, a fallback step, the long-context target, the canary) costs more than `maxWorstUsdPer1M` (default: the same ceiling).",
  rationale: "Moving a route to a frontier tier can multiply its cost tenfold in a one-line diff; a ceiling makes that a reviewed decision.",
  defaultSeverity: "error",
  messages: {
    "over-ceiling": "route {{route}}: {{target}} costs {{price}}/1M > ceiling {{ceiling}}/1M (input:output {{mix}}); worst case {{worst}}/1M",
    "over-ceiling-cached":
      "route {{route}}: {{target}} costs {{price}}/1M ({{uncached}}/1M less the declared cache hit ratio {{ratio}}) > ceiling {{ceiling}}/1M (input:output {{mix}}); worst case {{worst}}/1M",
    "step-over-ceiling":
      "route {{route}}: {{where}} reaches model {{model}} at {{price}}/1M > worst-case ceiling {{ceiling}}/1M (input:output {{mix}}); expected {{expected}}/1M, worst case {{worst}}/1M",
  },
  defaultOptions: {
    maxUsdPer1M: 10,
    mix: { input: 3, output: 1 } as PriceMix,
    routeCeilings: {} as Record<string, number>,
    maxWorstUsdPer1M: undefined as number | undefined,
  },
  optionsSchema: z.strictObject({
    maxUsdPer1M: z.number().nonnegative(),
    maxWorstUsdPer1M: z.number().nonnegative().optional(),
    mix: z
      .strictObject({ input: z.number().nonnegative(), output: z.number().nonnegative() })
      .refine((m) => m.input + m.output > 0, "the mix needs a positive input or output share"),
    routeCeilings: z.record(z.string(), z.number().nonnegative()),
  }),
  check({ config, options, report }) {
    const mix = `${options.mix.input}:${options.mix.output}`;
    for (const [routeId, route] of Object.entries(config.routes)) {
      const chain = chainPricePer1M(config, route, options.mix);
      const target = primaryTarget(route);
      const ceiling = options.routeCeilings[routeId] ?? options.maxUsdPer1M;
      const worstCeiling = options.maxWorstUsdPer1M ?? ceiling;
      // A hit costs nothing: the expected price counts the cache only when the route declares the share it expects.
      const ratio = route.cache?.expectedHitRatio;
      const expected = chain.expected === undefined || ratio === undefined ? chain.expected : chain.expected * (1 - ratio);
      const expectedOver = expected !== undefined && target !== undefined && over(expected, ceiling);
      if (expectedOver && expected !== undefined && chain.expected !== undefined && target !== undefined) {
        const data = {
          route: routeId,
          target: `${"tier" in target ? "tier" : "model"} ${targetName(target)}`,
          price: usd(expected),
          ceiling: usd(ceiling),
          mix,
          worst: usd(chain.worst?.price ?? chain.expected),
        };
        report({
          node: { kind: "route", id: routeId, path: ["tier" in target ? "tier" : "model"] },
          ...(ratio === undefined
            ? { messageId: "over-ceiling" as const, data }
            : { messageId: "over-ceiling-cached" as const, data: { ...data, uncached: usd(chain.expected), ratio: String(ratio) } }),
        });
      }
      // Every other step, and the primary's dearest member when its average passed: one report per step, at the step (a miss pays in full: no hit ratio here).
      for (const { step, price, dearest } of chain.steps) {
        if ((step.kind === "primary" && expectedOver) || !over(price, worstCeiling)) continue;
        report({
          node: { kind: "route", id: routeId, path: step.path },
          messageId: "step-over-ceiling",
          data: {
            route: routeId,
            where: `${describeStep(step)}${tierSuffix(step)}`,
            model: dearest.modelId,
            price: usd(price),
            ceiling: usd(worstCeiling),
            mix,
            expected: chain.expected === undefined ? "n/a" : usd(chain.expected),
            worst: usd(chain.worst?.price ?? price),
          },
        });
      }
    }
  },
});
