/** @module eu-residency/eu-providers-only — EU-bound routes reach only EU-resident providers, along the whole chain. */
import { z } from "zod";
import { DataClassSchema, type DataClass } from "@switchyard/ir";
import { definePolicy } from "../define.ts";
import { routeReach } from "../graph.ts";


export default definePolicy({
  id: "eu-residency/eu-providers-only",
  description:
    "A route with `residency: \"eu\"`, or whose `dataClass` is in `classes`, reaches only providers with `residency: \"eu\"`: the primary and every tier member, every fallback step, the long-context target and the canary. Each leaving step is reported where it is written.",
  rationale: "Residency is a property of the whole chain: the one fallback that leaves the EU is the one that sends personal data abroad during an outage.",
  defaultSeverity: "error",
  messages: {
    primary: "route {{route}} must stay in the EU ({{reason}}) but its primary {{target}} reaches model {{model}} on provider {{provider}} (residency {{residency}})",
    fallback:
      "route {{route}} must stay in the EU ({{reason}}) but fallback step {{step}} ({{target}}) reaches model {{model}} on provider {{provider}} (residency {{residency}})",
    "long-context":
      "route {{route}} must stay in the EU ({{reason}}) but its long-context target {{target}} reaches model {{model}} on provider {{provider}} (residency {{residency}})",
    canary: "route {{route}} must stay in the EU ({{reason}}) but its canary model {{model}} is on provider {{provider}} (residency {{residency}})",
  },
  defaultOptions: { classes: ["confidential", "restricted"] as DataClass[] },
  optionsSchema: z.strictObject({ classes: z.array(DataClassSchema) }),
  check({ config, options, report }) {
    for (const [routeId, route] of Object.entries(config.routes)) {
      const reason =
        route.residency === "eu" ? "residency eu" : options.classes.includes(route.dataClass) ? `data class ${route.dataClass}` : undefined;
      if (reason === undefined) continue;
      for (const reach of routeReach(config, route)) {
        if (reach.provider === undefined || reach.provider.residency === "eu") continue;
        const step = reach.kind === "fallback" ? Number(reach.path[1]) + 1 : 0;
        report({
          node: { kind: "route", id: routeId, path: reach.path },
          messageId: reach.kind,
          data: {
            route: routeId,
            reason,
            target: reach.target,
            model: reach.modelId,
            provider: reach.providerId ?? "",
            residency: reach.provider.residency ?? "unset",
            step,
          },
        });
      }
    }
  },
});
