/**
 * @module The dashboard's live figures: LiveStats' window summed per route, model and team. Run only when
 * the dashboard is read (in router.mjs it ships in the dashboard's compressed chunk; LiveStats, which
 * records on the request path, stays in the core).
 */
import type { LiveStats, LiveStatsView, ModelStats, RouteStats, TeamStats } from "./live-stats.ts";

/** One route's last hour, one value per series bucket (oldest first); p95 is null where nothing was answered. */
export interface RouteSeries {
  requests: number[];
  errors: number[];
  fallbacks: number[];
  p95Ms: (number | null)[];
  /** Spend per bucket, USD. */
  costUsd: number[];
}

/** One team's last hour, one value per series bucket (oldest first). */
export interface TeamSeries {
  requests: number[];
  costUsd: number[];
}

/** The dashboard's last-hour charts: `buckets` slots of `bucketMs`, the first starting at `start` (epoch ms). */
export interface LiveSeries {
  start: number;
  bucketMs: number;
  buckets: number;
  routes: Record<string, RouteSeries>;
  teams: Record<string, TeamSeries>;
}

/**
 * The last hour laid out in fixed slots ending with the one holding `now` (empty slots are zeros), so
 * a chart's x axis is time even when traffic paused.
 *
 * @example readLiveSeries(stats, Date.now()).routes["chat"]?.requests.length // → 60
 */
export function readLiveSeries(stats: LiveStats, now: number): LiveSeries {
  const { bucketMs, buckets, series } = stats.series(now);
  const start = now - (now % bucketMs) - (buckets - 1) * bucketMs;
  const routes: Record<string, RouteSeries> = {};
  const teams: Record<string, TeamSeries> = {};
  const zeros = (): number[] => new Array<number>(buckets).fill(0);
  for (const bucket of series) {
    const slot = Math.round((bucket.start - start) / bucketMs);
    if (slot < 0 || slot >= buckets) continue;
    for (const [id, r] of bucket.routes) {
      const into = (routes[id] ??= {
        requests: zeros(),
        errors: zeros(),
        fallbacks: zeros(),
        p95Ms: new Array<number | null>(buckets).fill(null),
        costUsd: zeros(),
      });
      into.requests[slot] = r.requests;
      into.errors[slot] = r.errors;
      into.fallbacks[slot] = r.fallbacks;
      into.costUsd[slot] = r.costUsd;
      if (r.latencies.length > 0)
        into.p95Ms[slot] = quantile(
          [...r.latencies].sort((a, b) => a - b),
          0.95,
        );
    }
    for (const [id, t] of bucket.teams) {
      const into = (teams[id] ??= { requests: zeros(), costUsd: zeros() });
      into.requests[slot] = t.requests;
      into.costUsd[slot] = t.costUsd;
    }
  }
  return { start, bucketMs, buckets, routes, teams };
}

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
      if (r.cache !== undefined) {
        const cache = (into.cache ??= { hits: 0, misses: 0, bypass: 0, savedUsd: 0 });
        cache.hits += r.cache.hits;
        cache.misses += r.cache.misses;
        cache.bypass += r.cache.bypass;
        cache.savedUsd += r.cache.savedUsd;
      }
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
