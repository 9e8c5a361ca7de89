/** @module prod-safety/no-experimental-models — no experimental or preview model is reachable, except a guarded canary. */
import { z } from "zod";
import { LifecycleSchema, type Lifecycle } from "@switchyard/ir";
import { definePolicy } from "../define.ts";
import { describeStep, groupBySteps, listOf, routeReach, tierSuffix } from "../graph.ts";

export default definePolicy({
  id: "prod-safety/no-experimental-models",
  description:
    "No route reaches a model whose lifecycle is in `lifecycles` (default experimental and preview) through its primary, a `when` rule's target, fallbacks or long-context target; as a canary it is allowed only with a guard (`maxErrorRate` or `maxP95`).",
  rationale: "Experimental models change or vanish without notice; in production they may only take traffic through a canary that rolls back on its own.",
  defaultSeverity: "error",
  messages: {
    reachable: "route {{route}} reaches {{models}} through {{where}}; use a GA model or roll it out as a guarded canary",
    "unguarded-canary":
      "route {{route}} canaries {{lifecycle}} model {{model}} without a guard; set canary.guard.maxErrorRate or canary.guard.maxP95 so a bad rollout stops itself",
  },
  defaultOptions: { lifecycles: ["experimental", "preview"] as Lifecycle[] },
  optionsSchema: z.strictObject({ lifecycles: z.array(LifecycleSchema) }),
  check({ config, options, report }) {
    for (const [routeId, route] of Object.entries(config.routes)) {
      for (const step of groupBySteps(routeReach(config, route))) {
        const flagged = step.reaches.filter((reach) => reach.model !== undefined && options.lifecycles.includes(reach.model.lifecycle));
        if (flagged.length === 0) continue;
        if (step.kind === "canary") {
          const guard = route.canary?.guard;
          const reach = flagged[0];
          if (reach !== undefined && guard?.maxErrorRate === undefined && guard?.maxP95Ms === undefined) {
            report({
              node: { kind: "route", id: routeId, path: ["canary", "guard"] },
              messageId: "unguarded-canary",
              data: { route: routeId, model: reach.modelId, lifecycle: reach.model?.lifecycle ?? "" },
            });
          }
          continue;
        }
        const models = listOf(flagged.map((reach) => `${reach.model?.lifecycle ?? ""} model ${reach.modelId}`));
        report({
          node: { kind: "route", id: routeId, path: step.path },
          messageId: "reachable",
          data: { route: routeId, models, where: `${describeStep(step)}${tierSuffix(step)}` },
        });
      }
    }
  },
});
