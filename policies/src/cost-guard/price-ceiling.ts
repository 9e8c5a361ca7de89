/** @module cost-guard/price-ceiling — a route's expected price per 1M tokens stays under a ceiling. */
import { z } from "zod";
import type { Config, Route } from "@switchyard/ir";
import { definePolicy } from "../define.ts";
import { primaryTarget, targetName } from "../graph.ts";

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
    return model === undefined
      ? []
      : [{ weight: Math.max(0, member.weight), price: (model.price.input * mix.input + model.price.output * mix.output) / (mix.input + mix.output) }];
  });
  if (priced.length === 0) return undefined;
  const total = priced.reduce((sum, m) => sum + m.weight, 0);
  if (total === 0) return priced.reduce((sum, m) => sum + m.price, 0) / priced.length;
  return priced.reduce((sum, m) => sum + m.price * m.weight, 0) / total;
}

const usd = (value: number): string => `$${value.toFixed(2)}`;

export default definePolicy({
  id: "cost-guard/price-ceiling",
  description:
    "A route's expected price per 1M tokens — its tier's member prices blended by the `mix` of input to output tokens (default 3:1) and weighted by member weight — is at most `maxUsdPer1M` (default 10), or the route's entry in `routeCeilings`.",
  rationale: "Moving a route to a frontier tier can multiply its cost tenfold in a one-line diff; a ceiling makes that a reviewed decision.",
  defaultSeverity: "error",
  messages: {
    "over-ceiling": "route {{route}}: {{target}} costs {{price}}/1M > ceiling {{ceiling}}/1M (input:output {{mix}})",
  },
  defaultOptions: { maxUsdPer1M: 10, mix: { input: 3, output: 1 } as PriceMix, routeCeilings: {} as Record<string, number> },
  optionsSchema: z.strictObject({
    maxUsdPer1M: z.number().nonnegative(),
    mix: z
      .strictObject({ input: z.number().nonnegative(), output: z.number().nonnegative() })
      .refine((m) => m.input + m.output > 0, "the mix needs a positive input or output share"),
    routeCeilings: z.record(z.string(), z.number().nonnegative()),
  }),
  check({ config, options, report }) {
    for (const [routeId, route] of Object.entries(config.routes)) {
      const price = expectedPricePer1M(config, route, options.mix);
      const target = primaryTarget(route);
      if (price === undefined || target === undefined) continue;
      const ceiling = options.routeCeilings[routeId] ?? options.maxUsdPer1M;
      // Compare the figures as printed, so the message never reads "$2.00/1M > ceiling $2.00/1M".
      if (Math.round(price * 100) <= Math.round(ceiling * 100)) continue;
      report({
        node: { kind: "route", id: routeId, path: ["tier" in target ? "tier" : "model"] },
        messageId: "over-ceiling",
        data: {
          route: routeId,
          target: `${"tier" in target ? "tier" : "model"} ${targetName(target)}`,
          price: usd(price),
          ceiling: usd(ceiling),
          mix: `${options.mix.input}:${options.mix.output}`,
        },
      });
    }
  },
});
