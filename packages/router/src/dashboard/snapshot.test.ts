/** @module Unit tests of the pure dashboard snapshot builder: route map, split, models, budgets and forecasts, releases. */
import { describe, expect, it } from "vitest";
import { acmeConfig } from "../core/testing.ts";
import type { BreakerSnapshot, CanarySnapshot } from "../state/store.ts";
import type { LiveStatsView } from "./live-stats.ts";
import type { StateSnapshot } from "../state/store.ts";
import { type DashboardInput, buildDashboardSnapshot, forecastSpend } from "./snapshot.ts";

const NOW = Date.UTC(2026, 10, 16, 12); // 16 Nov 2026 12:00 UTC: 15.5 of 30 days into the month

function breaker(status: BreakerSnapshot["status"]): BreakerSnapshot {
  return {
    status,
    openedAt: status === "closed" ? undefined : NOW - 1_000,
    cooldownMs: 5_000,
    consecutiveFailures: status === "closed" ? 0 : 5,
    windowCalls: 10,
    windowErrors: 5,
    weight: 1,
    probesInFlight: 0,
  };
}

const emptyArm = { requests: 0, errors: 0, p95Ms: undefined, validationFailures: 0, costUsd: 0, costed: 0, scoreSum: 0, scores: 0 };

function emptyState(): StateSnapshot {
  return { breakers: {}, latency: {}, inFlight: {}, canaries: {}, budgets: {}, limits: {} };
}

/** A canary state entry (the guard window is governance's; the dashboard reads model, percent, step and reason). */
function canary(c: { model: string; percent: number; step: number; reason?: string }): CanarySnapshot {
  return { updatedAt: NOW, reason: undefined, window: { ...emptyArm, since: NOW, baseline: emptyArm }, ...c };
}

function emptyStats(): LiveStatsView {
  return { windowMs: 300_000, since: NOW - 3_600_000, requests: 0, routes: {}, models: {}, teams: {} };
}

function input(over: Partial<DashboardInput> = {}): DashboardInput {
  return { now: NOW, release: { hash: "h1".padEnd(64, "0"), config: withBudgets() }, releases: [], state: emptyState(), stats: emptyStats(), ...over };
}

function withBudgets() {
  const config = acmeConfig();
  const support = config.teams["support"];
  if (support !== undefined) support.budget = { usd: 2000, per: "month", mode: "hard", alertAt: [0.5] };
  return config;
}

describe("buildDashboardSnapshot", () => {
  it("maps each route to its target, members with configured and live shares, canary and fallback chain", () => {
    const stats = emptyStats();
    stats.routes["support-faq"] = {
      requests: 10,
      errors: 1,
      fallbacks: 2,
      canary: 0,
      answered: { "gpt-mini": 6, "gpt-mini-eu": 2, claude: 1 },
      reasons: { "5xx on gpt-mini": 2 },
    };
    stats.routes["legal-review"] = { requests: 20, errors: 0, fallbacks: 0, canary: 1, answered: { claude: 19, "claude-next": 1 }, reasons: {} };
    const state = emptyState();
    state.breakers["gpt-mini-eu"] = breaker("open");
    state.canaries["legal-review"] = canary({ model: "claude-next", percent: 5, step: 0 });
    const snap = buildDashboardSnapshot(input({ stats, state }));

    const faq = snap.routes.find((r) => r.id === "support-faq");
    expect(faq?.target).toBe("tier fast");
    expect(faq?.strategy).toBe("latency");
    expect(faq?.fallback).toEqual(["tier frontier", "model llama-local"]);
    expect(faq?.members.map((m) => [m.model, m.role, m.step, m.configuredShare, m.liveShare, m.breaker])).toEqual([
      ["gpt-mini", "primary", 0, 0.7, 6 / 9, "closed"],
      ["gpt-mini-eu", "primary", 0, 0.3, 2 / 9, "open"],
      ["claude", "long-context", 0, undefined, 1 / 9, "closed"],
      ["llama-local", "fallback", 2, undefined, 0, "closed"],
    ]);
    expect(faq).toMatchObject({ requests: 10, errorRate: 0.1, fallbackRate: 0.2, topFallbackReasons: [{ reason: "5xx on gpt-mini", count: 2 }] });

    const legal = snap.routes.find((r) => r.id === "legal-review");
    expect(legal?.canary).toEqual({ model: "claude-next", steps: [5, 25, 100], step: 0, percent: 5, liveShare: 0.05, reason: undefined });
    expect(legal?.members.find((m) => m.model === "claude")?.configuredShare).toBeCloseTo(0.95, 10);
    expect(legal?.members.find((m) => m.model === "claude-next")).toMatchObject({ role: "canary", configuredShare: 0.05, liveShare: 0.05 });
    expect(snap.totals).toMatchObject({ requests: 30, errors: 1 });
  });

  it("shows a route's cache: its scope and ttl, the share of requests answered from it and what its hits saved, summed in the totals", () => {
    const config = withBudgets();
    const faq = config.routes["support-faq"];
    if (faq !== undefined) faq.cache = { ttlMs: 600_000, scope: "team", sampled: false };
    const stats = emptyStats();
    stats.routes["support-faq"] = {
      requests: 10,
      errors: 0,
      fallbacks: 0,
      canary: 0,
      answered: { "gpt-mini": 10 },
      reasons: {},
      cache: { hits: 6, misses: 3, bypass: 1, savedUsd: 0.12 },
    };
    // Cache traffic of a route the active release no longer caches still shows, without a declaration.
    stats.routes["legal-review"] = {
      requests: 2,
      errors: 0,
      fallbacks: 0,
      canary: 0,
      answered: { claude: 2 },
      reasons: {},
      cache: { hits: 1, misses: 1, bypass: 0, savedUsd: 0.5 },
    };
    const snap = buildDashboardSnapshot(input({ stats, release: { hash: "h1".padEnd(64, "0"), config } }));
    expect(snap.routes.find((r) => r.id === "support-faq")?.cache).toEqual({
      scope: "team",
      ttlMs: 600_000,
      hits: 6,
      misses: 3,
      bypass: 1,
      hitRatio: 0.6,
      savedUsd: 0.12,
    });
    expect(snap.routes.find((r) => r.id === "legal-review")?.cache).toMatchObject({ scope: undefined, hitRatio: 0.5, savedUsd: 0.5 });
    expect(snap.routes.filter((r) => r.cache === undefined).length).toBe(snap.routes.length - 2);
    expect(snap.totals.savedUsd).toBeCloseTo(0.62, 10);
    expect(buildDashboardSnapshot(input()).totals.savedUsd).toBe(0);
  });

  it("shows a rolled-back canary at 0 % with the reason", () => {
    const state = emptyState();
    state.canaries["legal-review"] = canary({ model: "claude-next", percent: 0, step: -1, reason: "guard: error rate 0.3 > 0.02" });
    const legal = buildDashboardSnapshot(input({ state })).routes.find((r) => r.id === "legal-review");
    expect(legal?.canary).toMatchObject({ step: -1, percent: 0, reason: "guard: error rate 0.3 > 0.02" });
    expect(legal?.members.find((m) => m.model === "claude")?.configuredShare).toBe(1);
  });

  it("shows a model that answered but left the config, and zero shares when nothing was answered", () => {
    const stats = emptyStats();
    stats.routes["legal-review"] = { requests: 1, errors: 0, fallbacks: 0, canary: 0, answered: { "old-model": 1 }, reasons: {} };
    const snap = buildDashboardSnapshot(input({ stats }));
    expect(snap.routes.find((r) => r.id === "legal-review")?.members.at(-1)).toMatchObject({ model: "old-model", liveShare: 1, provider: "unknown" });
    expect(snap.routes.find((r) => r.id === "support-faq")?.members.every((m) => m.liveShare === 0)).toBe(true);
  });

  it("reports per-model latency, error rate, breaker and in-flight", () => {
    const stats = emptyStats();
    stats.models["claude"] = { attempts: 40, errors: 4, p50Ms: 120, p95Ms: 480 };
    const state = emptyState();
    state.breakers["claude"] = breaker("half-open");
    state.inFlight["claude"] = 3;
    const claude = buildDashboardSnapshot(input({ stats, state })).models.find((m) => m.id === "claude");
    expect(claude).toEqual({
      id: "claude",
      provider: "anthropic",
      region: "us",
      attempts: 40,
      errors: 4,
      errorRate: 0.1,
      p50Ms: 120,
      p95Ms: 480,
      breaker: "half-open",
      consecutiveFailures: 5,
      inFlight: 3,
    });
  });

  it("takes spend from the state store's budget ledger and forecasts the period end", () => {
    const state: StateSnapshot = {
      ...emptyState(),
      budgets: {
        support: {
          spentUsd: 620,
          reservedUsd: 4,
          limitUsd: 2000,
          period: "month",
          periodStart: Date.UTC(2026, 10, 1),
          periodEnd: Date.UTC(2026, 11, 1),
          mode: "hard",
        },
      },
      limits: { support: { rpm: { remaining: 590, capacity: 600, resetMs: 1_000 } } },
    };
    const support = buildDashboardSnapshot(input({ state })).teams.find((t) => t.id === "support");
    expect(support).toMatchObject({
      source: "state",
      spentUsd: 620,
      reservedUsd: 4,
      limitUsd: 2000,
      period: "month",
      mode: "hard",
      periodStart: "2026-11-01T00:00:00.000Z",
      periodEnd: "2026-12-01T00:00:00.000Z",
    });
    // 620 over 15.5 days → 40/day → 1200 over 30 days
    expect(support?.forecastUsd).toBeCloseTo(1200, 6);
    expect(support?.usedRatio).toBeCloseTo(0.31, 10);
    expect(support?.forecastRatio).toBeCloseTo(0.6, 6);
    expect(support?.limits).toEqual({ rpm: { remaining: 590, capacity: 600, resetMs: 1_000 } });
  });

  it("extrapolates an in-memory ledger from when it started, not from the period start", () => {
    const state: StateSnapshot = {
      ...emptyState(),
      budgets: {
        support: {
          spentUsd: 10,
          reservedUsd: 0,
          limitUsd: 2000,
          period: "month",
          periodStart: Date.UTC(2026, 10, 1),
          periodEnd: Date.UTC(2026, 11, 1),
          mode: "hard",
        },
      },
    };
    // 10 USD in the 2 hours since the router started, continued for the 14.5 days left
    const support = buildDashboardSnapshot(input({ state, ledgerSince: NOW - 7_200_000 })).teams.find((t) => t.id === "support");
    expect(support?.forecastUsd).toBeCloseTo(10 + 5 * 14.5 * 24, 6);
  });

  it("falls back to live spend since the router started when the store keeps no budgets", () => {
    const stats = emptyStats();
    stats.teams["support"] = { requests: 5, costUsd: 1, totalCostUsd: 3 };
    const teams = buildDashboardSnapshot(input({ stats })).teams;
    const support = teams.find((t) => t.id === "support");
    expect(support).toMatchObject({ source: "live", spentUsd: 3, limitUsd: 2000, period: "month", requests: 5 });
    // 3 USD in the hour since start, continued to the month end (14.5 days left)
    expect(support?.forecastUsd).toBeCloseTo(3 + 3 * 14.5 * 24, 6);
    // a team without a budget shows spend and no forecast
    expect(teams.find((t) => t.id === "legal")).toMatchObject({ limitUsd: undefined, forecastUsd: undefined, usedRatio: undefined });
  });

  it("marks the active release in the history, or shows the active one alone", () => {
    const hash = "h1".padEnd(64, "0");
    const alone = buildDashboardSnapshot(input());
    expect(alone.releases).toEqual([{ hash, active: true, at: undefined, environment: "prod" }]);
    const history = buildDashboardSnapshot(
      input({
        releases: [
          { hash: "h2".padEnd(64, "0"), active: true, at: "2026-11-16T11:00:00.000Z" },
          { hash, active: false, at: "2026-11-15T00:00:00.000Z" },
        ],
      }),
    );
    expect(history.releases.map((r) => r.active)).toEqual([false, true]);
    expect(history.release).toEqual({ hash, at: "2026-11-15T00:00:00.000Z" });
  });

  it("is JSON-serialisable and deterministic", () => {
    const a = buildDashboardSnapshot(input());
    expect(JSON.parse(JSON.stringify(a))).toEqual(JSON.parse(JSON.stringify(buildDashboardSnapshot(input()))));
    expect(a.generatedAt).toBe("2026-11-16T12:00:00.000Z");
  });
});

describe("forecastSpend", () => {
  it("extrapolates linearly, but not from under a minute of data", () => {
    expect(forecastSpend({ spentUsd: 10, from: 0, now: 3_600_000, end: 7_200_000 })).toBe(20);
    expect(forecastSpend({ spentUsd: 10, from: 0, now: 30_000, end: 7_200_000 })).toBe(10);
    expect(forecastSpend({ spentUsd: 10, from: 0, now: 8_000_000, end: 7_200_000 })).toBe(10);
  });
});
