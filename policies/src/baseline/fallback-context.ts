/** @module baseline/fallback-context — fallback steps' context windows cover the route's long-context threshold. */
import { definePolicy } from "../define.ts";
import { formatInt, routeReach } from "../graph.ts";

export default definePolicy({
  id: "baseline/fallback-context",
  description:
    "On a route with a long-context rule (`longContext.over`), every model of the primary and of each fallback step has a context window of at least `over` tokens, and the long-context target a larger one.",
  rationale: "Prompts up to the threshold go to the primary and its fallbacks: a fallback with a smaller window fails exactly when it is needed.",
  defaultSeverity: "error",
  messages: {
    "too-small":
      "{{step}} of route {{route}}: model {{model}} has a {{context}}-token context window, below the route's long-context threshold of {{over}} tokens",
    "target-too-small":
      "long-context target of route {{route}}: model {{model}} has a {{context}}-token context window, no larger than the threshold of {{over}} tokens it serves above",
  },
  defaultOptions: {},
  check({ config, report }) {
    for (const [routeId, route] of Object.entries(config.routes)) {
      if (route.longContext === undefined) continue;
      const over = route.longContext.over;
      for (const reach of routeReach(config, route, ["primary", "fallback", "long-context"])) {
        if (reach.model === undefined) continue;
        const data = { route: routeId, model: reach.modelId, context: formatInt(reach.model.context), over: formatInt(over) };
        if (reach.kind === "long-context") {
          if (reach.model.context <= over) report({ node: { kind: "route", id: routeId, path: reach.path }, messageId: "target-too-small", data });
        } else if (reach.model.context < over) {
          const step = reach.kind === "primary" ? "primary" : `fallback step ${Number(reach.path[1]) + 1}`;
          report({ node: { kind: "route", id: routeId, path: reach.path }, messageId: "too-small", data: { ...data, step } });
        }
      }
    }
  },
});
