/** @module prod-safety/bounded-retries — retries per candidate are bounded. */
import { z } from "zod";
import { definePolicy } from "../define.ts";

export default definePolicy({
  id: "prod-safety/bounded-retries",
  description: "A route's `retry.attempts` (per candidate, including the first) is at most `maxAttempts` (default 3).",
  rationale: "Retries multiply load on a struggling provider and stretch tail latency; past a few attempts the fallback chain is the better tool.",
  defaultSeverity: "error",
  messages: {
    "too-many": "route {{route}} retries up to {{attempts}} attempts per candidate, above the maximum of {{max}}",
  },
  defaultOptions: { maxAttempts: 3 },
  optionsSchema: z.strictObject({ maxAttempts: z.number().int().positive() }),
  check({ config, options, report }) {
    for (const [routeId, route] of Object.entries(config.routes)) {
      if (route.retry.attempts > options.maxAttempts) {
        report({
          node: { kind: "route", id: routeId, path: ["retry", "attempts"] },
          messageId: "too-many",
          data: { route: routeId, attempts: route.retry.attempts, max: options.maxAttempts },
        });
      }
    }
  },
});
