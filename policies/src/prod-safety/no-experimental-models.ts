/** @module prod-safety/no-experimental-models — no experimental or preview model is reachable, except a guarded canary. */
import { z } from "zod";
import { LifecycleSchema, type Lifecycle } from "@switchyard/ir";
import { definePolicy } from "../define.ts";
import { routeReach } from "../graph.ts";

export default definePolicy({
  id: "prod-safety/no-experimental-models",
  description:
    "No route reaches a model whose lifecycle is in `lifecycles` (default experimental and preview) through its primary, fallbacks or long-context target; as a canary it is allowed only with a guard (`maxErrorRate` or `maxP95`).",
  rationale: "Experimental models change or vanish without notice; in production they may only take traffic through a canary that rolls back on its own.",
  defaultSeverity: "error",
  messages: {
    reachable: "route {{route}} reaches {{lifecycle}} model {{model}} through {{where}}; use a GA model or roll it out as a guarded canary",
    "unguarded-canary":
      "route {{route}} canaries {{lifecycle}} model {{model}} without a guard; set canary.guard.maxErrorRate or canary.guard.maxP95 so a bad rollout stops itself",
  },
  defaultOptions: { lifecycles: ["experimental", "preview"] as Lifecycle[] },
  optionsSchema: z.strictObject({ lifecycles: z.array(LifecycleSchema) }),
  check({ config, options, report }) {
    for (const [routeId, route] of Object.entries(config.routes)) {
      const seen = new Set<string>();
      for (const reach of routeReach(config, route)) {
        if (reach.model === undefined || !options.lifecycles.includes(reach.model.lifecycle)) continue;
        const data = { route: routeId, model: reach.modelId, lifecycle: reach.model.lifecycle };
        if (reach.kind === "canary") {
          const guard = route.canary?.guard;
          if (guard?.maxErrorRate === undefined && guard?.maxP95Ms === undefined) {
            report({ node: { kind: "route", id: routeId, path: ["canary", "guard"] }, messageId: "unguarded-canary", data });
          }
          continue;
        }
        const key = `${reach.path.join(".")}:${reach.modelId}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const where = reach.kind === "primary" ? `its primary ${reach.target}` : reach.kind === "fallback" ? `fallback step ${Number(reach.path[1]) + 1} (${reach.target})` : `its long-context target ${reach.target}`;
        report({ node: { kind: "route", id: routeId, path: reach.path }, messageId: "reachable", data: { ...data, where } });
      }
    }
  },
});
