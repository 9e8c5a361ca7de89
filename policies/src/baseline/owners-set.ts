/** @module baseline/owners-set — models and routes name an owner. */
import { definePolicy } from "../define.ts";

export default definePolicy({
  id: "baseline/owners-set",
  description: "Every model and every route sets `owner`.",
  rationale: "When a model is deprecated or a route misbehaves, someone has to be asked; an owner field makes that a lookup instead of an investigation.",
  defaultSeverity: "warning",
  messages: {
    model: "model {{model}} has no owner; set `owner` to the team responsible for it",
    route: "route {{route}} has no owner; set `owner` to the team responsible for it",
  },
  defaultOptions: {},
  check({ config, report }) {
    for (const [modelId, model] of Object.entries(config.models)) {
      if (model.owner === undefined) report({ node: { kind: "model", id: modelId }, messageId: "model", data: { model: modelId } });
    }
    for (const [routeId, route] of Object.entries(config.routes)) {
      if (route.owner === undefined) report({ node: { kind: "route", id: routeId }, messageId: "route", data: { route: routeId } });
    }
  },
});
