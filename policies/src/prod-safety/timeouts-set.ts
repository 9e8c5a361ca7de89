/** @module prod-safety/timeouts-set — every route sets a first-token and a total timeout. */
import { definePolicy } from "../define.ts";

export default definePolicy({
  id: "prod-safety/timeouts-set",
  description: "Every route sets `timeout.firstToken` and `timeout.total`.",
  rationale: "Without timeouts a hung upstream holds the caller's connection until the client gives up, and the fallback chain never runs.",
  defaultSeverity: "error",
  messages: {
    "missing-both": 'route {{route}} has no timeouts; set `timeout: { firstToken, total }` (e.g. "5s" and "60s")',
    "missing-first-token": 'route {{route}} has no first-token timeout; set `timeout.firstToken` (e.g. "5s")',
    "missing-total": 'route {{route}} has no total timeout; set `timeout.total` (e.g. "60s")',
  },
  defaultOptions: {},
  check({ config, report }) {
    for (const [routeId, route] of Object.entries(config.routes)) {
      const { firstTokenMs, totalMs } = route.timeout;
      const messageId =
        firstTokenMs === undefined ? (totalMs === undefined ? "missing-both" : "missing-first-token") : totalMs === undefined ? "missing-total" : undefined;
      if (messageId !== undefined) report({ node: { kind: "route", id: routeId, path: ["timeout"] }, messageId, data: { route: routeId } });
    }
  },
});
