/** @module baseline/deprecated-models — deprecated or sunset models are flagged with the routes still using them. */
import { z } from "zod";
import { definePolicy } from "../define.ts";
import { listOf, routesByModel } from "../graph.ts";

const DAY_MS = 86_400_000;

export default definePolicy({
  id: "baseline/deprecated-models",
  description:
    "A model whose lifecycle is `deprecated`, or whose `sunset` date has passed (or falls within `warnDaysBefore` days), is reported with the routes that still reach it.",
  rationale: "Providers switch sunset models off on a date; finding out from a failing fallback in production is the expensive way.",
  defaultSeverity: "warning",
  messages: {
    deprecated: "model {{model}} is deprecated; {{usage}}",
    "sunset-passed": "model {{model}} passed its sunset date {{sunset}}; {{usage}}",
    "sunset-soon": "model {{model}} reaches its sunset date {{sunset}} in {{days}} days; {{usage}}",
  },
  defaultOptions: { warnDaysBefore: 0 },
  optionsSchema: z.strictObject({ warnDaysBefore: z.number().int().nonnegative() }),
  check({ config, options, now, report }) {
    const byModel = routesByModel(config);
    const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
    for (const [modelId, model] of Object.entries(config.models)) {
      const routes = byModel.get(modelId) ?? [];
      const usage = routes.length === 0 ? "no route uses it: remove it" : `still used by ${routes.length === 1 ? "route" : "routes"} ${listOf(routes)}`;
      const sunset = model.sunset === undefined ? undefined : Date.parse(`${model.sunset}T00:00:00Z`);
      if (sunset !== undefined && sunset <= today) {
        report({
          node: { kind: "model", id: modelId, path: ["sunset"] },
          messageId: "sunset-passed",
          data: { model: modelId, sunset: model.sunset ?? "", usage },
        });
      } else if (model.lifecycle === "deprecated") {
        report({ node: { kind: "model", id: modelId, path: ["lifecycle"] }, messageId: "deprecated", data: { model: modelId, usage } });
      } else if (sunset !== undefined && options.warnDaysBefore > 0 && sunset - today <= options.warnDaysBefore * DAY_MS) {
        const days = Math.round((sunset - today) / DAY_MS);
        report({
          node: { kind: "model", id: modelId, path: ["sunset"] },
          messageId: "sunset-soon",
          data: { model: modelId, sunset: model.sunset ?? "", days, usage },
        });
      }
    }
  },
});
