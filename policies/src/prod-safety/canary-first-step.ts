/** @module prod-safety/canary-first-step — a canary starts small. */
import { z } from "zod";
import { definePolicy } from "../define.ts";

export default definePolicy({
  id: "prod-safety/canary-first-step",
  description: "A canary's first step sends at most `maxFirstCanaryStep` percent of the route's traffic (default 10).",
  rationale: "The first step is the one taken with no evidence; keeping it small bounds the blast radius of a bad model.",
  defaultSeverity: "error",
  messages: {
    "too-large": "route {{route}}: canary {{model}} starts at {{step}} % of traffic, above the {{max}} % allowed for a first step",
  },
  defaultOptions: { maxFirstCanaryStep: 10 },
  optionsSchema: z.strictObject({ maxFirstCanaryStep: z.number().min(0).max(100) }),
  check({ config, options, report }) {
    for (const [routeId, route] of Object.entries(config.routes)) {
      const first = route.canary?.steps[0];
      if (route.canary === undefined || first === undefined || first <= options.maxFirstCanaryStep) continue;
      report({
        node: { kind: "route", id: routeId, path: ["canary", "steps", 0] },
        messageId: "too-large",
        data: { route: routeId, model: route.canary.model, step: first, max: options.maxFirstCanaryStep },
      });
    }
  },
});
