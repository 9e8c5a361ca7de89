/** @module The StateStores conformance suite: the bundle's view and snapshot over its parts (memory, Redis). */
import { describe, expect, it } from "vitest";
import { acmeConfig } from "../core/testing.ts";
import { type MakeStore, T0, withStore } from "./conformance.ts";
import type { BudgetReserveRequest, RateLimitRequest } from "./store.ts";
import type { StateStores } from "./stores.ts";

const DAY_MS = 86_400_000;

/** acmeConfig() whose `support` team has a soft daily budget of $100 and 60 rpm. */
function governedConfig() {
  const config = acmeConfig();
  const support = config.teams["support"];
  if (support === undefined) throw new Error("fixture: acme has a support team");
  support.budget = { usd: 100, per: "day", mode: "soft", alertAt: [] };
  support.limits = { rpm: 60 };
  return config;
}

/**
 * Register the StateStores cases (the bundle; each part has its own suite).
 *
 * @example
 * stateStoresConformance("memory", async () => ({ store: createMemoryStateStores(), close: async () => {} }));
 */
export function stateStoresConformance(name: string, make: MakeStore<StateStores>): void {
  const test = (title: string, fn: (s: StateStores) => Promise<void>) => it(title, withStore(make, fn));

  describe(`state stores conformance: ${name}`, () => {
    test("starts empty, backend up", async (s) => {
      expect(s.backendUp()).toBe(true);
      const v = s.view(T0);
      expect([v.breaker("m").status, v.latency("m"), v.inFlight("m"), v.canaryPercent("legal-review")]).toEqual(["closed", undefined, 0, 0]);
      expect(await s.snapshot(acmeConfig(), T0)).toEqual({ breakers: {}, latency: {}, inFlight: {}, canaries: {}, budgets: {}, limits: {} });
    });

    test("the view joins routing health and the rollout's canary shares", async (s) => {
      await s.rollout.activate(acmeConfig(), T0);
      s.health.recordAttempt({ model: "claude", ok: true, latencyMs: 70, now: T0 });
      const lease = s.health.acquire("claude", T0);
      const v = s.view(T0);
      expect(v.canaryPercent("legal-review")).toBe(5);
      expect(v.latency("claude")?.samples).toBe(1);
      expect(v.inFlight("claude")).toBe(1);
      await lease.release();
    });

    test("lists the budgeted and limited teams of the config before their first request", async (s) => {
      const snap = await s.snapshot(governedConfig(), T0);
      const day = Math.floor(T0 / DAY_MS) * DAY_MS;
      expect(snap.budgets).toEqual({
        support: { spentUsd: 0, reservedUsd: 0, limitUsd: 100, period: "day", periodStart: day, periodEnd: day + DAY_MS, mode: "soft" },
      });
      expect(snap.limits).toEqual({ support: { rpm: { capacity: 60, remaining: 60, resetMs: 0 } } });
    });

    test("snapshots every part as plain JSON", async (s) => {
      const config = governedConfig();
      await s.rollout.activate(config, T0);
      const day = Math.floor(T0 / DAY_MS) * DAY_MS;
      const r = await s.budgets.reserve({
        team: "support",
        limitUsd: 100,
        mode: "soft",
        period: "day",
        periodStart: day,
        periodEnd: day + DAY_MS,
        amountUsd: 2,
        now: T0,
      });
      await s.limits.take({ team: "support", rpm: 60, tpm: undefined, tokens: 1, now: T0 });
      s.health.recordAttempt({ model: "claude", ok: false, errorClass: "5xx", latencyMs: 10, now: T0 });
      const snap = await s.snapshot(config, T0);
      expect(JSON.parse(JSON.stringify(snap))).toEqual(snap);
      expect(snap.budgets["support"]).toMatchObject({ spentUsd: 0, reservedUsd: 2 });
      expect(snap.limits["support"]?.rpm?.remaining).toBe(59);
      expect(snap.breakers["claude"]).toMatchObject({ status: "closed", consecutiveFailures: 1 });
      expect(snap.canaries["legal-review"]).toMatchObject({ percent: 5, step: 0 });
      if (r.id !== undefined) await s.budgets.settle({ team: "support", id: r.id, costUsd: 0, now: T0 });
    });

    describe("admission: the rate-limit take and the first reservation in one step, settlement with the token correction", () => {
      const day = Math.floor(T0 / DAY_MS) * DAY_MS;
      const budget = (amountUsd: number, limitUsd = 1, now = T0): BudgetReserveRequest => ({
        team: "t",
        limitUsd,
        mode: "hard",
        period: "day",
        periodStart: day,
        periodEnd: day + DAY_MS,
        amountUsd,
        now,
      });
      const limits = (tokens: number, now = T0): RateLimitRequest => ({ team: "t", rpm: 3, tpm: 1_000, tokens, now });

      test("admitted: both buckets taken and the estimate reserved, as take then reserve would", async (s) => {
        const a = await s.admission.admit({ limits: limits(100), budget: budget(0.25) });
        expect(a.rateLimit).toEqual({
          allowed: true,
          retryAfterMs: 0,
          requests: { capacity: 3, remaining: 2, resetMs: 20_000 },
          tokens: { capacity: 1_000, remaining: 900, resetMs: 6_000 },
        });
        expect(a.reservation).toMatchObject({ granted: true, overLimit: false, spentUsd: 0, reservedUsd: 0.25, limitUsd: 1, periodStart: day });
        expect(a.reservation?.id).toEqual(expect.any(String));
        expect(await s.budgets.peek(budget(0), T0)).toMatchObject({ spentUsd: 0, reservedUsd: 0.25 });
        expect((await s.limits.peek({ team: "t", rpm: 3, tpm: 1_000, now: T0 })).requests?.remaining).toBe(2);
      });

      test("refused by the rate limit: nothing reserved, the wait until both buckets could grant it", async (s) => {
        for (let i = 0; i < 3; i++) expect((await s.admission.admit({ limits: limits(10), budget: budget(0.01) })).rateLimit.allowed).toBe(true);
        const refused = await s.admission.admit({ limits: limits(10), budget: budget(0.01) });
        expect(refused.rateLimit).toMatchObject({ allowed: false, retryAfterMs: 20_000, requests: { remaining: 0 } });
        expect(refused.reservation).toBeUndefined();
        expect(await s.budgets.peek(budget(0), T0)).toMatchObject({ reservedUsd: 0.03 });
      });

      test("refused by the budget: the take still counts (as a take before the reservation did), nothing reserved", async (s) => {
        const a = await s.admission.admit({ limits: limits(10), budget: budget(2) });
        expect(a.rateLimit.allowed).toBe(true);
        expect(a.reservation).toMatchObject({ granted: false, id: undefined, spentUsd: 0, reservedUsd: 0, limitUsd: 1 });
        expect(await s.budgets.peek(budget(0), T0)).toMatchObject({ reservedUsd: 0 });
        expect((await s.limits.peek({ team: "t", rpm: 3, tpm: 1_000, now: T0 })).requests?.remaining).toBe(2);
      });

      test("concurrent admissions hold both limits exactly: 3 of 10 pass the rate limit, 2 of those fit the budget", async (s) => {
        const all = await Promise.all(Array.from({ length: 10 }, async () => s.admission.admit({ limits: limits(10), budget: budget(0.5) })));
        expect(all.filter((a) => a.rateLimit.allowed)).toHaveLength(3);
        expect(all.filter((a) => a.reservation?.granted === true)).toHaveLength(2);
        expect(all.filter((a) => a.reservation !== undefined && !a.reservation.granted)).toHaveLength(1);
      });

      test("settleAndAdjust settles once and corrects the token bucket in the same step", async (s) => {
        const a = await s.admission.admit({ limits: limits(500), budget: budget(0.25) });
        const id = a.reservation?.id;
        if (id === undefined) throw new Error("expected a reservation");
        const adjust = { team: "t", rpm: 3, tpm: 1_000, deltaTokens: -300, now: T0 };
        const settled = await s.admission.settleAndAdjust({ settle: { team: "t", id, costUsd: 0.1, now: T0 }, adjust });
        expect(settled).toEqual({ settled: true, spentUsd: 0.1, reservedUsd: 0, limitUsd: 1, periodStart: day });
        expect((await s.limits.peek({ team: "t", rpm: 3, tpm: 1_000, now: T0 })).tokens?.remaining).toBe(800);
        expect(await s.budgets.peek(budget(0), T0)).toMatchObject({ spentUsd: 0.1, reservedUsd: 0 });
        const again = await s.admission.settleAndAdjust({ settle: { team: "t", id, costUsd: 0.1, now: T0 }, adjust: { ...adjust, deltaTokens: 0 } });
        expect(again).toMatchObject({ settled: false, spentUsd: 0.1 });
      });
    });
  });
}
