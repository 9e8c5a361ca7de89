/** @module The dashboard's data: a pure function from (release, history, state snapshot, live stats) to a DashboardSnapshot. */
import type { Config, RouteCache, TargetRef } from "@switchyard/ir";
import type { BreakerStatus } from "../core/types.ts";
import { periodBounds } from "../state/budget-period.ts";
import type { LimitSnapshot, StateSnapshot } from "../state/store.ts";
import type { CacheCounts, LiveStatsView } from "./live-stats.ts";
import type { LiveSeries } from "./live-view.ts";

/** One release in the history the admin API keeps (newest first). */
export interface DashboardRelease {
  hash: string;
  active: boolean;
  /** ISO time it was uploaded or activated, when known. */
  at?: string | undefined;
  environment?: string | undefined;
}

export interface DashboardInput {
  /** Epoch ms. */
  now: number;
  release: { hash: string; config: Config };
  /** Newest first; may be just the active release when the router keeps no history. */
  releases: readonly DashboardRelease[];
  state: StateSnapshot;
  stats: LiveStatsView;
  /** The last hour per route and team (the charts); absent: no charts. */
  series?: LiveSeries | undefined;
  /**
   * Epoch ms from which the state store's budget ledger knows spend: an in-memory store starts empty
   * with the process, so its ledger says nothing about the period before. Default: the period start.
   */
  ledgerSince?: number | undefined;
}

export type MemberRole = "primary" | "canary" | "long-context" | "fallback";

export interface RouteMember {
  model: string;
  provider: string;
  role: MemberRole;
  /** 0 for the primary target, n for the n-th fallback step. */
  step: number;
  /** Share the config intends for the primary target (tier weight / canary percent), 0..1; undefined for fallbacks. */
  configuredShare: number | undefined;
  /** Share of the route's answered requests in the window, 0..1 (0 when nothing was answered). */
  liveShare: number;
  answered: number;
  breaker: BreakerStatus;
}

export interface FallbackReason {
  reason: string;
  count: number;
}

export interface RouteView {
  id: string;
  description: string | undefined;
  /** e.g. `tier fast` or `model claude`. */
  target: string;
  strategy: string | undefined;
  members: RouteMember[];
  /** Fallback chain labels in order, e.g. [`tier frontier`, `model llama-local`]. */
  fallback: string[];
  /** `step` is -1 once the canary was rolled back (`reason` says why). */
  canary: { model: string; steps: number[]; step: number; percent: number; liveShare: number; reason: string | undefined } | undefined;
  requests: number;
  errors: number;
  errorRate: number;
  fallbacks: number;
  fallbackRate: number;
  /** Most frequent first, at most five. */
  topFallbackReasons: FallbackReason[];
  /** The route's response cache in the window; undefined when the route declares none and none served it. */
  cache: RouteCacheView | undefined;
}

export interface RouteCacheView {
  /** From the config; undefined for a cache the active release no longer declares (traffic of the one before). */
  scope: "team" | "route" | undefined;
  ttlMs: number | undefined;
  hits: number;
  misses: number;
  bypass: number;
  /** hits / (hits + misses + bypass): the share of the route's requests answered from the cache, 0..1. */
  hitRatio: number;
  /** What the hits' answers cost when they were made, USD: what the cache saved. */
  savedUsd: number;
}

export interface ModelView {
  id: string;
  provider: string;
  region: string | undefined;
  attempts: number;
  errors: number;
  errorRate: number;
  p50Ms: number | undefined;
  p95Ms: number | undefined;
  breaker: BreakerStatus;
  consecutiveFailures: number;
  inFlight: number;
}

export interface TeamView {
  id: string;
  /** Where spend comes from: the state store's budget ledger, or (a team the ledger does not list yet) the live stats since the router started. */
  source: "state" | "live";
  spentUsd: number;
  reservedUsd: number;
  limitUsd: number | undefined;
  period: string | undefined;
  mode: string | undefined;
  /** ISO. */
  periodStart: string | undefined;
  periodEnd: string | undefined;
  /** Linear projection of spend at the end of the budget period; undefined without a budget. */
  forecastUsd: number | undefined;
  /** spent / limit, 0..∞. */
  usedRatio: number | undefined;
  forecastRatio: number | undefined;
  /** Requests in the live window. */
  requests: number;
  /** Rate-limit buckets (rpm, tpm) from the state store, when the team has limits. */
  limits: LimitSnapshot | undefined;
}

export interface DashboardSnapshot {
  /** ISO time the snapshot was built. */
  generatedAt: string;
  environment: string;
  release: { hash: string; at: string | undefined };
  releases: DashboardRelease[];
  windowMs: number;
  /** `savedUsd`: what response-cache hits saved in the window (their answers' original cost), USD. */
  totals: { requests: number; errors: number; errorRate: number; fallbackRate: number; costUsd: number; savedUsd: number };
  routes: RouteView[];
  models: ModelView[];
  teams: TeamView[];
  /** The last hour in one-minute slots per route and team that had traffic in it. */
  series: LiveSeries | undefined;
}

/**
 * Build what the control panel shows. Pure: the same input gives the same output.
 *
 * @example
 * const snap = buildDashboardSnapshot({ now: Date.now(), release: { hash, config }, releases, state: await stores.snapshot(config, now), stats: readLiveStats(live, now) });
 * snap.routes[0]?.members.map((m) => [m.model, m.liveShare]) // → [["gpt-mini", 0.7], ["gpt-mini-eu", 0.3]]
 */
export function buildDashboardSnapshot(input: DashboardInput): DashboardSnapshot {
  const { config, hash } = input.release;
  const { state, stats, now } = input;
  const breaker = (model: string): BreakerStatus => state.breakers[model]?.status ?? "closed";
  const providerOf = (model: string): string => config.models[model]?.provider ?? "unknown";

  const routes: RouteView[] = [];
  let routedRequests = 0;
  let routedErrors = 0;
  let routedFallbacks = 0;
  let savedUsd = 0;
  for (const [id, route] of sortedEntries(config.routes)) {
    const live = stats.routes[id];
    const answered = live?.answered ?? {};
    const answeredTotal = Object.values(answered).reduce((a, b) => a + b, 0);
    const members: RouteMember[] = [];
    const add = (model: string, role: MemberRole, step: number, configuredShare: number | undefined): void => {
      if (members.some((m) => m.model === model)) return;
      const n = answered[model] ?? 0;
      members.push({
        model,
        provider: providerOf(model),
        role,
        step,
        configuredShare,
        liveShare: answeredTotal === 0 ? 0 : n / answeredTotal,
        answered: n,
        breaker: breaker(model),
      });
    };
    const canaryState = state.canaries[id];
    const canaryPercent = route.canary !== undefined && canaryState !== undefined && canaryState.model === route.canary.model ? canaryState.percent : 0;
    const primaryShare = 1 - canaryPercent / 100;
    if (route.tier !== undefined) {
      const tier = config.tiers[route.tier];
      const total = tier?.models.reduce((a, m) => a + Math.max(0, m.weight), 0) ?? 0;
      for (const m of tier?.models ?? []) add(m.model, "primary", 0, total > 0 ? (Math.max(0, m.weight) / total) * primaryShare : undefined);
    } else if (route.model !== undefined) add(route.model, "primary", 0, primaryShare);
    if (route.canary !== undefined) add(route.canary.model, "canary", 0, canaryPercent / 100);
    if (route.longContext !== undefined) for (const model of targetModels(config, route.longContext.use)) add(model, "long-context", 0, undefined);
    route.fallback.forEach((ref, index) => {
      for (const model of targetModels(config, ref)) add(model, "fallback", index + 1, undefined);
    });
    // A model that answered but is no longer in the config (a release just changed) still shows its traffic.
    for (const model of Object.keys(answered).sort()) add(model, "fallback", route.fallback.length + 1, undefined);

    const requests = live?.requests ?? 0;
    const errors = live?.errors ?? 0;
    const fallbacks = live?.fallbacks ?? 0;
    routedRequests += requests;
    routedErrors += errors;
    routedFallbacks += fallbacks;
    savedUsd += live?.cache?.savedUsd ?? 0;
    routes.push({
      id,
      description: route.description,
      target: route.tier !== undefined ? `tier ${route.tier}` : `model ${route.model ?? "?"}`,
      strategy: route.tier !== undefined ? (config.tiers[route.tier]?.strategy ?? "weighted") : undefined,
      members,
      fallback: route.fallback.map(targetLabel),
      canary:
        route.canary === undefined
          ? undefined
          : {
              model: route.canary.model,
              steps: [...route.canary.steps],
              step: canaryState?.step ?? 0,
              percent: canaryPercent,
              liveShare: requests === 0 ? 0 : (live?.canary ?? 0) / requests,
              reason: canaryState?.model === route.canary.model ? canaryState.reason : undefined,
            },
      requests,
      errors,
      errorRate: ratio(errors, requests),
      fallbacks,
      fallbackRate: ratio(fallbacks, requests),
      topFallbackReasons: Object.entries(live?.reasons ?? {})
        .map(([reason, count]) => ({ reason, count }))
        .sort((a, b) => b.count - a.count || (a.reason < b.reason ? -1 : 1))
        .slice(0, 5),
      cache: cacheView(route.cache, live?.cache),
    });
  }

  const models: ModelView[] = sortedEntries(config.models).map(([id, model]) => {
    const live = stats.models[id];
    const attempts = live?.attempts ?? 0;
    const errors = live?.errors ?? 0;
    return {
      id,
      provider: model.provider,
      region: config.providers[model.provider]?.region,
      attempts,
      errors,
      errorRate: ratio(errors, attempts),
      p50Ms: live?.p50Ms,
      p95Ms: live?.p95Ms,
      breaker: breaker(id),
      consecutiveFailures: state.breakers[id]?.consecutiveFailures ?? 0,
      inFlight: state.inFlight[id] ?? 0,
    };
  });

  const teams: TeamView[] = sortedEntries(config.teams).map(([id, team]) => {
    const ledger = state.budgets[id];
    const live = stats.teams[id];
    const budget = team.budget;
    const limitUsd = ledger?.limitUsd ?? budget?.usd;
    const period = ledger?.period ?? budget?.per;
    const bounds =
      ledger !== undefined ? { start: ledger.periodStart, end: ledger.periodEnd } : budget !== undefined ? periodBounds(budget.per, now) : undefined;
    const spentUsd = ledger?.spentUsd ?? live?.totalCostUsd ?? 0;
    // Spend known since: the period start for the ledger; for live stats only since the router started.
    const observedFrom = bounds === undefined ? undefined : Math.max(bounds.start, ledger !== undefined ? (input.ledgerSince ?? bounds.start) : stats.since);
    const forecastUsd = bounds === undefined || observedFrom === undefined ? undefined : forecastSpend({ spentUsd, from: observedFrom, now, end: bounds.end });
    return {
      id,
      source: ledger !== undefined ? "state" : "live",
      spentUsd,
      reservedUsd: ledger?.reservedUsd ?? 0,
      limitUsd,
      period,
      mode: ledger?.mode ?? budget?.mode,
      periodStart: bounds === undefined ? undefined : new Date(bounds.start).toISOString(),
      periodEnd: bounds === undefined ? undefined : new Date(bounds.end).toISOString(),
      forecastUsd,
      usedRatio: limitUsd === undefined || limitUsd <= 0 ? undefined : spentUsd / limitUsd,
      forecastRatio: limitUsd === undefined || limitUsd <= 0 || forecastUsd === undefined ? undefined : forecastUsd / limitUsd,
      requests: live?.requests ?? 0,
      limits: state.limits[id],
    };
  });

  const releases =
    input.releases.length > 0
      ? input.releases.map((r) => ({ ...r, active: r.hash === hash }))
      : [{ hash, active: true, at: undefined, environment: config.environment }];
  const costUsd = Object.values(stats.teams).reduce((a, t) => a + t.costUsd, 0);
  return {
    generatedAt: new Date(now).toISOString(),
    environment: config.environment,
    release: { hash, at: releases.find((r) => r.hash === hash)?.at },
    releases,
    windowMs: stats.windowMs,
    totals: {
      requests: routedRequests,
      errors: routedErrors,
      errorRate: ratio(routedErrors, routedRequests),
      fallbackRate: ratio(routedFallbacks, routedRequests),
      costUsd,
      savedUsd,
    },
    routes,
    models,
    teams,
    series: input.series,
  };
}

/**
 * Linear projection: the spend rate observed since `from` continued to `end`. With under a minute of
 * observation the rate is too noisy to extrapolate, so the forecast is the spend so far.
 */
export function forecastSpend(options: { spentUsd: number; from: number; now: number; end: number }): number {
  const observed = options.now - options.from;
  const remaining = Math.max(0, options.end - options.now);
  if (observed < 60_000) return options.spentUsd;
  return options.spentUsd + (options.spentUsd / observed) * remaining;
}

/** A route's cache figures: its declaration and what the window saw. */
function cacheView(declared: RouteCache | undefined, live: CacheCounts | undefined): RouteCacheView | undefined {
  if (declared === undefined && live === undefined) return undefined;
  const hits = live?.hits ?? 0;
  const misses = live?.misses ?? 0;
  const bypass = live?.bypass ?? 0;
  return {
    scope: declared?.scope,
    ttlMs: declared?.ttlMs,
    hits,
    misses,
    bypass,
    hitRatio: ratio(hits, hits + misses + bypass),
    savedUsd: live?.savedUsd ?? 0,
  };
}

function targetModels(config: Config, ref: TargetRef): string[] {
  if ("model" in ref) return [ref.model];
  return config.tiers[ref.tier]?.models.map((m) => m.model) ?? [];
}

function targetLabel(ref: TargetRef): string {
  return "model" in ref ? `model ${ref.model}` : `tier ${ref.tier}`;
}

function ratio(n: number, d: number): number {
  return d === 0 ? 0 : n / d;
}

function sortedEntries<T>(record: Readonly<Record<string, T>>): [string, T][] {
  return Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
