/** @module prod-safety/cache-scope — a cache on a confidential or restricted route keeps each team's answers to itself. */
import { definePolicy } from "../define.ts";

const SENSITIVE = new Set(["confidential", "restricted"]);

export default definePolicy({
  id: "prod-safety/cache-scope",
  description: 'A route whose `dataClass` is confidential or restricted caches answers only with `cache.scope: "team"`.',
  rationale:
    "A route-scoped cache hands one caller's answer to every team that may call the route: an answer built from one team's confidential prompt would reach another. `scope: \"team\"` keeps each team's answers its own.",
  defaultSeverity: "error",
  messages: {
    "shared-cache":
      'route {{route}} is {{dataClass}} but caches answers with scope "{{scope}}": any team calling it may receive another team\'s answer; use scope "team"',
  },
  defaultOptions: {},
  check({ config, report }) {
    for (const [routeId, route] of Object.entries(config.routes)) {
      const cache = route.cache;
      if (cache === undefined || cache.scope === "team" || !SENSITIVE.has(route.dataClass)) continue;
      report({
        node: { kind: "route", id: routeId, path: ["cache", "scope"] },
        messageId: "shared-cache",
        data: { route: routeId, dataClass: route.dataClass, scope: cache.scope },
      });
    }
  },
});
