/** @module Who may call what: the caller's team from its key, and the route it names — checked here, once per request, for every dialect. */
import type { IncomingHttpHeaders } from "node:http";
import type { Route } from "@switchyard/ir";
import { RouterError, clip } from "../errors.ts";
import type { Dialect } from "../protocol/dialect.ts";
import { teamForKey } from "../runtime/auth.ts";
import type { RuntimeRelease } from "../runtime/release.ts";

/** The caller's team (undefined on an open router), from the key sent the way `dialect`'s clients send it. */
export function authenticate(headers: IncomingHttpHeaders, release: RuntimeRelease, dialect: Pick<Dialect, "apiKey">): string | undefined {
  if (release.keys.open) return undefined;
  const team = teamForKey(release.keys, dialect.apiKey(headers));
  if (team === undefined) throw new RouterError("invalid_api_key", "the API key is not valid for this router");
  return team;
}

/** The route a client named, or `route_not_found` (404), the name quoted cut to 80 characters. */
export function findRoute(release: RuntimeRelease, name: string): Route {
  // The table's Map, not the config object: `__proto__` or `toString` must not find Object.prototype's.
  const route = release.table.routes.get(name)?.route;
  if (route === undefined) {
    throw new RouterError("route_not_found", `route \`${clip(name)}\` does not exist; \`model\` names a route (GET /v1/models lists yours)`, {
      param: "model",
    });
  }
  return route;
}

/** Refuse a team the route it may not use: `route_not_allowed` (403). Nothing to check on an open router (`team` undefined). */
export function allowTeam(release: RuntimeRelease, team: string | undefined, name: string): void {
  if (team !== undefined && release.table.teams.get(team)?.has(name) !== true) {
    throw new RouterError("route_not_allowed", `team \`${team}\` may not use route \`${name}\``, { param: "model" });
  }
}

/** The route a client named, when it exists and the team may call it (findRoute, then allowTeam). */
export function routeFor(release: RuntimeRelease, team: string | undefined, name: string): Route {
  const route = findRoute(release, name);
  allowTeam(release, team, name);
  return route;
}
