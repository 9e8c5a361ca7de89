/** @module baseline/fallback-required — every route has a fallback chain. */
import { definePolicy } from "../define.ts";

export default definePolicy({
  id: "baseline/fallback-required",
  description: "Every route declares at least one fallback step.",
  rationale: "Providers have outages and rate limits; a route without a fallback turns one upstream incident into an outage of every app that calls it.",
  defaultSeverity: "error",
  messages: {
    missing: "route {{route}} has no fallback chain; add `fallback: [...]` with a tier or model on another provider",
  },
  defaultOptions: {},
  check({ config, report }) {
    for (const [routeId, route] of Object.entries(config.routes)) {
      if (route.fallback.length === 0) report({ node: { kind: "route", id: routeId, path: ["fallback"] }, messageId: "missing", data: { route: routeId } });
    }
  },
});
