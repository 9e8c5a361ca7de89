/** @module prod-safety/no-mock-providers — no route reaches the embedded mock provider. */
import { definePolicy } from "../define.ts";
import { routeReach } from "../graph.ts";

export default definePolicy({
  id: "prod-safety/no-mock-providers",
  description: "No route reaches a provider of kind `mock` (through any step).",
  rationale: "A mock left in by an environment override answers production traffic with canned text and a 200, which no alert catches.",
  defaultSeverity: "error",
  messages: {
    mock: "route {{route}} reaches model {{model}} on mock provider {{provider}}",
  },
  defaultOptions: {},
  check({ config, report }) {
    for (const [routeId, route] of Object.entries(config.routes)) {
      const seen = new Set<string>();
      for (const reach of routeReach(config, route)) {
        if (reach.provider?.kind !== "mock") continue;
        const key = `${reach.path.join(".")}:${reach.modelId}`;
        if (seen.has(key)) continue;
        seen.add(key);
        report({ node: { kind: "route", id: routeId, path: reach.path }, messageId: "mock", data: { route: routeId, model: reach.modelId, provider: reach.providerId ?? "" } });
      }
    }
  },
});
