/**
 * @module The dashboard's live figures: LiveStats' window summed per route, model and team. Run only when
 * the dashboard is read (in router.mjs it ships in the dashboard's compressed chunk; LiveStats, which
 * records on the request path, stays in the core).
 */
import type { LiveStats, LiveStatsView, ModelStats, RouteStats, TeamStats } from "./live-stats.ts";

/**
 * The aggregates over the window ending at `now`.
 *
 * @example readLiveStats(stats, Date.now()).routes["chat"]?.answered // → { "gpt-mini": 70, "gpt-mini-eu": 30 }
 */
export function readLiveStats(stats: LiveStats, now?: number): LiveStatsView {
  const window = stats.window(now);
  const routes: Record<string, RouteStats> = {};
  const models: Record<string, ModelStats> = {};
  const teams: Record<string, TeamStats> = {};
  const latencies = new Map<string, number[]>();
  let requests = 0;
  for (const bucket of window.buckets) {
    for (const [id, r] of bucket.routes) {
      const into = (routes[id] ??= { requests: 0, errors: 0, fallbacks: 0, canary: 0, answered: {}, reasons: {} });
      into.requests += r.requests;
      into.errors += r.errors;
      into.fallbacks += r.fallbacks;
      into.canary += r.canary;
      requests += r.requests;
      for (const [model, n] of r.answered) into.answered[model] = (into.answered[model] ?? 0) + n;
      for (const [reason, n] of r.reasons) into.reasons[reason] = (into.reasons[reason] ?? 0) + n;
    }
    for (const [id, m] of bucket.models) {
      const into = (models[id] ??= { attempts: 0, errors: 0, p50Ms: undefined, p95Ms: undefined });
      into.attempts += m.attempts;
      into.errors += m.errors;
      const list = latencies.get(id);
      if (list === undefined) latencies.set(id, [...m.latencies]);
      else list.push(...m.latencies);
    }
    for (const [id, t] of bucket.teams) {
      const into = (teams[id] ??= { requests: 0, costUsd: 0, totalCostUsd: 0 });
      into.requests += t.requests;
      into.costUsd += t.costUsd;
    }
  }
  for (const [id, list] of latencies) {
    const model = models[id];
    if (model === undefined || list.length === 0) continue;
    list.sort((a, b) => a - b);
    model.p50Ms = quantile(list, 0.5);
    model.p95Ms = quantile(list, 0.95);
  }
  for (const [id, total] of window.totalCost) (teams[id] ??= { requests: 0, costUsd: 0, totalCostUsd: 0 }).totalCostUsd = total;
  return { windowMs: window.windowMs, since: window.since, requests, routes, models, teams };
}

/** Nearest-rank quantile of an ascending, non-empty list. */
export function quantile(sorted: readonly number[], q: number): number {
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] ?? 0;
}
