/** @module baseline/route-has-caller — every route is callable by some team. */
import { definePolicy } from "../define.ts";
import { listOf } from "../graph.ts";

export default definePolicy({
  id: "baseline/route-has-caller",
  description:
    "When the config declares teams, every route is listed by at least one team that has a key; a config without teams is an open router, where every route is callable.",
  rationale: "A route no team can call is dead configuration that still gets reviewed, priced and paged on — or a team's `routes` list that forgot it.",
  defaultSeverity: "error",
  messages: {
    "no-team": "route {{route}} is listed by no team, so no caller can use it; add it to a team's `routes` or remove it",
    "no-key": "route {{route}} is listed only by {{teams}}, which {{have}} no key, so no caller can use it; give the team a key or remove the route",
  },
  defaultOptions: {},
  check({ config, report }) {
    const teams = Object.entries(config.teams);
    if (teams.length === 0) return;
    for (const routeId of Object.keys(config.routes)) {
      const listing = teams.filter(([, team]) => team.routes.includes(routeId));
      if (listing.length === 0) {
        report({ node: { kind: "route", id: routeId }, messageId: "no-team", data: { route: routeId } });
      } else if (listing.every(([, team]) => team.keys.length === 0)) {
        const names = listing.map(([id]) => `team ${id}`);
        report({
          node: { kind: "route", id: routeId },
          messageId: "no-key",
          data: { route: routeId, teams: listOf(names), have: names.length === 1 ? "has" : "have" },
        });
      }
    }
  },
});
