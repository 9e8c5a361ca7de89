/**
 * @module What mountDashboard loads on the first /dashboard request: the dashboard wired to the router's
 * release, state store and live aggregator. In router.mjs this module, with what it imports by value, is
 * the compressed dashboard chunk (packages/compiler/src/emit/router-bundle.ts): it imports nothing of the
 * router's core by value; the core's parts arrive in `OpenDashboardOptions`.
 */
import { type Dashboard, type DashboardCore, createDashboard } from "./handler.ts";
import type { LiveStats } from "./live-stats.ts";
import type { MountDashboardOptions } from "./mount.ts";
import type { DashboardRelease } from "./snapshot.ts";

export interface OpenDashboardOptions extends MountDashboardOptions {
  core: DashboardCore;
  /** The admin token; unset or empty: the dashboard answers that it is disabled. */
  token: string | undefined;
  /** The live aggregator the router fans trace records into (undefined without a token). */
  stats: LiveStats | undefined;
  /** Epoch ms the router started (the in-memory budget ledger knows spend since then). */
  startedAt: number;
}

/** The router's dashboard: createDashboard with its source read from the router's own parts. */
export function openDashboard(options: OpenDashboardOptions): Dashboard {
  const { active, state } = options;
  return createDashboard({
    core: options.core,
    token: options.token,
    now: options.now,
    attempts: options.attempts,
    stats: options.stats,
    source: {
      release: () => active.current,
      releases: () =>
        active.history(20).map((r): DashboardRelease => ({
          hash: r.hash,
          active: r.active,
          at: new Date(r.activatedAt ?? r.uploadedAt).toISOString(),
          environment: r.environment,
        })),
      state: (now) => state.snapshot(active.current.config, now),
      // The in-memory ledger starts empty with the process; a shared store (Redis) holds the whole period.
      ledgerSince: () => (state.kind === "memory" ? options.startedAt : undefined),
    },
  });
}
