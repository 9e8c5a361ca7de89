/** @module Who may call what: the caller's team from its key, and the route it names — checked here, once per request, for every dialect. */
import type { IncomingHttpHeaders } from "node:http";
import type { ModelKind, Route } from "@switchyard/ir";
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

/** Where a route of each kind is served, for the 404 that sends a client to the right endpoint. */
const ENDPOINT_OF: Record<ModelKind, string> = { chat: "a generation endpoint such as POST /v1/chat/completions", embedding: "POST /v1/embeddings" };

/**
 * The route a client named, when it exists and serves `kind` (a chat route on a generation endpoint, an embedding route
 * on /v1/embeddings); else `route_not_found` (404), the name quoted cut to 80 characters.
 */
export function findRoute(release: RuntimeRelease, name: string, kind: ModelKind = "chat"): Route {
  // The table's Map, not the config object: `__proto__` or `toString` must not find Object.prototype's.
  const route = release.table.routes.get(name)?.route;
  if (route === undefined) {
    throw new RouterError("route_not_found", `route \`${clip(name)}\` does not exist; \`model\` names a route (GET /v1/models lists yours)`, {
      param: "model",
    });
  }
  const served = route.kind ?? "chat";
  if (served !== kind) {
    throw new RouterError(
      "route_not_found",
      `route \`${name}\` is ${served === "embedding" ? "an embedding" : "a chat"} route: call it on ${ENDPOINT_OF[served]}`,
      {
        param: "model",
      },
    );
  }
  return route;
}

/** Refuse a team the route it may not use: `route_not_allowed` (403). Nothing to check on an open router (`team` undefined). */
export function allowTeam(release: RuntimeRelease, team: string | undefined, name: string): void {
  if (team !== undefined && release.table.teams.get(team)?.has(name) !== true) {
    throw new RouterError("route_not_allowed", `team \`${team}\` may not use route \`${name}\``, { param: "model" });
  }
}

/** The route a client named, when it exists, serves `kind` and the team may call it (findRoute, then allowTeam). */
export function routeFor(release: RuntimeRelease, team: string | undefined, name: string, kind: ModelKind = "chat"): Route {
  const route = findRoute(release, name, kind);
  allowTeam(release, team, name);
  return route;
}
