/** @module baseline/multi-provider — every route reaches at least two providers through its primary and fallbacks. */
import { definePolicy } from "../define.ts";
import { routeReach } from "../graph.ts";

export default definePolicy({
  id: "baseline/multi-provider",
  description: "Every route reaches at least two distinct providers through its primary and fallback steps.",
  rationale: "A fallback to another model of the same provider fails together with it: only a second provider removes the single point of failure.",
  defaultSeverity: "error",
  messages: {
    "single-provider": "route {{route}} depends on a single provider ({{provider}}) through its primary and fallbacks; add a fallback on another provider",
  },
  defaultOptions: {},
  check({ config, report }) {
    for (const [routeId, route] of Object.entries(config.routes)) {
      const providers = new Set<string>();
      for (const reach of routeReach(config, route, ["primary", "fallback"])) {
        if (reach.providerId !== undefined) providers.add(reach.providerId);
      }
      if (providers.size === 1) {
        report({ node: { kind: "route", id: routeId }, messageId: "single-provider", data: { route: routeId, provider: [...providers][0] ?? "" } });
      }
    }
  },
});
