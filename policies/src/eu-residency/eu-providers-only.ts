/** @module eu-residency/eu-providers-only — EU-bound routes reach only EU-resident providers, along the whole chain. */
import { z } from "zod";
import { DataClassSchema, type DataClass } from "@switchyard/ir";
import { definePolicy } from "../define.ts";
import { groupBySteps, listOf, routeReach, tierSuffix } from "../graph.ts";

export default definePolicy({
  id: "eu-residency/eu-providers-only",
  description:
    'A route with `residency: "eu"`, or whose `dataClass` is in `classes`, reaches only providers with `residency: "eu"`: the primary and every tier member, each `when` rule target, every fallback step, the long-context target and the canary. Each leaving step is reported where it is written.',
  rationale: "Residency is a property of the whole chain: the one fallback that leaves the EU is the one that sends personal data abroad during an outage.",
  defaultSeverity: "error",
  messages: {
    primary: "route {{route}} must stay in the EU ({{reason}}) but its primary{{tier}} reaches {{reaches}}",
    rule: "route {{route}} must stay in the EU ({{reason}}) but its rule {{step}} target{{tier}} reaches {{reaches}}",
    fallback: "route {{route}} must stay in the EU ({{reason}}) but fallback step {{step}}{{tier}} reaches {{reaches}}",
    "long-context": "route {{route}} must stay in the EU ({{reason}}) but its long-context target{{tier}} reaches {{reaches}}",
    canary: "route {{route}} must stay in the EU ({{reason}}) but its canary reaches {{reaches}}",
  },
  defaultOptions: { classes: ["confidential", "restricted"] as DataClass[] },
  optionsSchema: z.strictObject({ classes: z.array(DataClassSchema) }),
  check({ config, options, report }) {
    for (const [routeId, route] of Object.entries(config.routes)) {
      const reason = route.residency === "eu" ? "residency eu" : options.classes.includes(route.dataClass) ? `data class ${route.dataClass}` : undefined;
      if (reason === undefined) continue;
      for (const step of groupBySteps(routeReach(config, route))) {
        const leaving = step.reaches.filter((reach) => reach.provider !== undefined && reach.provider.residency !== "eu");
        if (leaving.length === 0) continue;
        const reaches = listOf(
          leaving.map((reach) => `model ${reach.modelId} on provider ${reach.providerId ?? "?"} (residency ${reach.provider?.residency ?? "unset"})`),
        );
        report({
          node: { kind: "route", id: routeId, path: step.path },
          messageId: step.kind,
          data: {
            route: routeId,
            reason,
            tier: tierSuffix(step),
            step: step.kind === "fallback" || step.kind === "rule" ? Number(step.path[1]) + 1 : 0,
            reaches,
          },
        });
      }
    }
  },
});
