/** @module Mounting the control panel on the router: the live aggregator from the start, the page code only once /dashboard is opened. */
import type { IncomingMessage, ServerResponse } from "node:http";
import { ADMIN_TOKEN_ENV } from "../admin/auth.ts";
import type { AdminAttempts } from "../admin/attempts.ts";
import type { ActiveRelease } from "../runtime/release.ts";
import type { StateStores } from "../state/stores.ts";
import type { TraceSink } from "../telemetry/types.ts";
import { dashboardCore } from "./core.ts";
import type { Dashboard } from "./handler.ts";
import { LiveStats } from "./live-stats.ts";

export interface MountDashboardOptions {
  /** Where `SWITCHYARD_ADMIN_TOKEN` is read from (the router's `env` option). */
  env: Readonly<Record<string, string | undefined>>;
  active: ActiveRelease;
  state: StateStores;
  now: () => number;
  /** Wrong-token counts per address, shared with the admin API. */
  attempts?: AdminAttempts;
}

export interface MountedDashboard {
  /**
   * The live aggregator to fan trace records into; undefined when no admin token is set (no
   * dashboard, so no aggregation cost on the request path).
   */
  sink: TraceSink | undefined;
  /** Serve `/dashboard` and below. */
  handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void>;
}

/**
 * Prepare the dashboard for a router. The handler, the page's HTML/CSS/JS and their gzip are loaded
 * and built on the first request under /dashboard, so a router nobody opens the panel on never
 * evaluates them. In router.mjs `import("./lazy.ts")` loads a brotli-compressed chunk embedded in
 * the bundle (packages/compiler/src/emit/router-bundle.ts); the dashboard takes the router's own parts
 * from `dashboardCore`, so the chunk shares the core's RouterError class and wrong-token counts.
 *
 * @example
 * const dashboard = mountDashboard({ env, active, state: deps.state, now });
 * if (path === "/dashboard" || path.startsWith("/dashboard/")) return dashboard.handle(req, res, path);
 */
export function mountDashboard(options: MountDashboardOptions): MountedDashboard {
  const token = options.env[ADMIN_TOKEN_ENV];
  const stats = token !== undefined && token !== "" ? new LiveStats({ now: options.now }) : undefined;
  const startedAt = options.now();
  let loaded: Promise<Dashboard> | undefined;
  const load = (): Promise<Dashboard> =>
    (loaded ??= import("./lazy.ts").then(({ openDashboard }) => openDashboard({ ...options, core: dashboardCore, token, stats, startedAt })));
  return {
    sink: stats,
    handle: async (req, res, path) => (await load()).handle(req, res, path),
  };
}
