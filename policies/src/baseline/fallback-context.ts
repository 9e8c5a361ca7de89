/** @module baseline/fallback-context — fallback steps' context windows cover the route's long-context threshold. */
import { definePolicy } from "../define.ts";
import { describeStep, formatInt, groupBySteps, listOf, routeReach, tierSuffix } from "../graph.ts";

export default definePolicy({
  id: "baseline/fallback-context",
  description:
    "On a route with a long-context rule (`longContext.over`), every model of the primary, of each `when` rule's target and of each fallback step has a context window of at least `over` tokens, and the long-context target a larger one.",
  rationale: "Prompts up to the threshold go to the primary and its fallbacks: a fallback with a smaller window fails exactly when it is needed.",
  defaultSeverity: "error",
  messages: {
    "too-small": "route {{route}}: {{where}} has {{models}}, below the route's long-context threshold of {{over}} tokens",
    "target-too-small": "route {{route}}: its long-context target{{tier}} has {{models}}, no larger than the threshold of {{over}} tokens it serves above",
  },
  defaultOptions: {},
  check({ config, report }) {
    for (const [routeId, route] of Object.entries(config.routes)) {
      if (route.longContext === undefined) continue;
      const over = route.longContext.over;
      for (const step of groupBySteps(routeReach(config, route, ["primary", "rule", "fallback", "long-context"]))) {
        const isTarget = step.kind === "long-context";
        const small = step.reaches.filter((reach) => reach.model !== undefined && (isTarget ? reach.model.context <= over : reach.model.context < over));
        if (small.length === 0) continue;
        const models = listOf(small.map((reach) => `model ${reach.modelId} with a ${formatInt(reach.model?.context ?? 0)}-token context window`));
        report({
          node: { kind: "route", id: routeId, path: step.path },
          messageId: isTarget ? "target-too-small" : "too-small",
          data: { route: routeId, where: `${describeStep(step)}${tierSuffix(step)}`, tier: tierSuffix(step), models, over: formatInt(over) },
        });
      }
    }
  },
});
