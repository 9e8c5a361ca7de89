/** @module baseline/multi-provider — every route reaches at least two providers through its primary and fallbacks. */
import { definePolicy } from "../define.ts";
import { routeBranches } from "../graph.ts";

export default definePolicy({
  id: "baseline/multi-provider",
  description:
    "Every route reaches at least two distinct providers through its primary and fallback steps, and through each `when` rule's target and the fallback steps.",
  rationale: "A fallback to another model of the same provider fails together with it: only a second provider removes the single point of failure.",
  defaultSeverity: "error",
  messages: {
    "single-provider": "route {{route}} depends on a single provider ({{provider}}) through its primary and fallbacks; add a fallback on another provider",
    "single-provider-rule":
      "route {{route}}: requests its rule {{rule}} matches depend on a single provider ({{provider}}) through the rule's target and the fallbacks; add a fallback on another provider",
  },
  defaultOptions: {},
  check({ config, report }) {
    for (const [routeId, route] of Object.entries(config.routes)) {
      // Each branch on its own: a rule replaces the primary, so its target and the fallbacks must span two providers too.
      for (const branch of routeBranches(config, route)) {
        const providers = new Set<string>();
        for (const reach of branch.reaches) if (reach.providerId !== undefined) providers.add(reach.providerId);
        if (providers.size !== 1) continue;
        const provider = [...providers][0] ?? "";
        if (branch.head === "primary") report({ node: { kind: "route", id: routeId }, messageId: "single-provider", data: { route: routeId, provider } });
        else
          report({
            node: { kind: "route", id: routeId, path: branch.path },
            messageId: "single-provider-rule",
            data: { route: routeId, rule: String(branch.head), provider },
          });
      }
    }
  },
});
