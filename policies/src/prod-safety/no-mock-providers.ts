/** @module prod-safety/no-mock-providers — no route reaches the embedded mock provider. */
import { definePolicy } from "../define.ts";
import { describeStep, groupBySteps, listOf, routeReach, tierSuffix } from "../graph.ts";

export default definePolicy({
  id: "prod-safety/no-mock-providers",
  description: "No route reaches a provider of kind `mock` (through any step).",
  rationale: "A mock left in by an environment override answers production traffic with canned text and a 200, which no alert catches.",
  defaultSeverity: "error",
  messages: {
    mock: "route {{route}} reaches {{models}} through {{where}}",
  },
  defaultOptions: {},
  check({ config, report }) {
    for (const [routeId, route] of Object.entries(config.routes)) {
      for (const step of groupBySteps(routeReach(config, route))) {
        const mocked = step.reaches.filter((reach) => reach.provider?.kind === "mock");
        if (mocked.length === 0) continue;
        const models = listOf(mocked.map((reach) => `model ${reach.modelId} on mock provider ${reach.providerId ?? "?"}`));
        report({
          node: { kind: "route", id: routeId, path: step.path },
          messageId: "mock",
          data: { route: routeId, models, where: `${describeStep(step)}${tierSuffix(step)}` },
        });
      }
    }
  },
});
