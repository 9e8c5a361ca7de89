/** @module The conformance suite every StateStore runs (memory now, Redis later). Uses DEFAULT_BREAKER_OPTIONS. */
import { describe, expect, it } from "vitest";
import { acmeConfig } from "../core/testing.ts";
import { DEFAULT_BREAKER_OPTIONS as B } from "./circuit-breaker.ts";
import type { BudgetTerms, StateStore } from "./store.ts";

const T0 = 1_800_000_000_000;
const EMPTY_ARM = { requests: 0, errors: 0, p95Ms: undefined, validationFailures: 0, costUsd: 0, costed: 0, scoreSum: 0, scores: 0 };
const MONTH_START = Date.UTC(2027, 0, 1);
const MONTH_END = Date.UTC(2027, 1, 1);
const hardBudget = (limitUsd: number, team = "t"): BudgetTerms => ({
  team,
  limitUsd,
  mode: "hard",
  period: "month",
  periodStart: MONTH_START,
  periodEnd: MONTH_END,
});

/**
 * Run the shared cases. `create` returns a fresh, empty store configured with the default breaker
 * and latency options; `cleanup` (optional) disposes of it.
 */
export function runStateStoreConformance(options: {
  name: string;
  create: () => StateStore | Promise<StateStore>;
  cleanup?: (store: StateStore) => void | Promise<void>;
}): void {
  const { name, create, cleanup } = options;
  const withStore = (fn: (s: StateStore) => Promise<void>) => async () => {
    const s = await create();
    try {
      await fn(s);
    } finally {
      await cleanup?.(s);
    }
  };
  const fail = (s: StateStore, model: string, now: number, errorClass: "5xx" | "client" | "validation" | "timeout" = "5xx") =>
    s.recordAttempt({ model, ok: false, errorClass, latencyMs: 10, now });
  const ok = (s: StateStore, model: string, now: number, latencyMs = 100) => s.recordAttempt({ model, ok: true, latencyMs, now });

  describe(`state store conformance: ${name}`, () => {
    it(
      "starts empty: closed breakers, no latency, nothing in flight, canary 0 %",
      withStore(async (s) => {
        const v = s.view(T0);
        expect(v.breaker("m")).toMatchObject({ status: "closed" });
        expect(v.latency("m")).toBeUndefined();
        expect(v.inFlight("m")).toBe(0);
        expect(v.canaryPercent("r")).toBe(0);
        expect(await s.snapshot(T0)).toEqual({ breakers: {}, latency: {}, inFlight: {}, canaries: {}, budgets: {}, limits: {} });
      }),
    );

    it(
      "counts requests in flight; a lease releases once",
      withStore(async (s) => {
        const a = await s.acquire("m", T0);
        const b = await s.acquire("m", T0);
        expect(s.view(T0).inFlight("m")).toBe(2);
        expect(a.probe).toBe(false);
        await a.release();
        await a.release();
        expect(s.view(T0).inFlight("m")).toBe(1);
        await b.release();
        expect(s.view(T0).inFlight("m")).toBe(0);
      }),
    );

    it(
      "feeds latency EWMA and p95 from successful attempts only",
      withStore(async (s) => {
        for (let i = 1; i <= 20; i++) await ok(s, "m", T0 + i, i * 10);
        await fail(s, "m", T0 + 30);
        const l = s.view(T0 + 30).latency("m");
        expect(l?.samples).toBe(20);
        expect(l?.p95Ms).toBe(190);
        expect(l?.ewmaMs).toBeGreaterThan(100);
        expect(l?.ewmaMs).toBeLessThan(200);
        await s.recordAttempt({ model: "m", ok: true, latencyMs: 50, ttftMs: 20, now: T0 + 40 });
        expect((await s.snapshot(T0 + 40)).latency["m"]?.ttftEwmaMs).toBe(20);
      }),
    );

    it(
      `opens after ${B.consecutiveFailures} consecutive failures, not before`,
      withStore(async (s) => {
        for (let i = 0; i < B.consecutiveFailures - 1; i++) await fail(s, "m", T0 + i);
        expect(s.view(T0 + 10).breaker("m").status).toBe("closed");
        await fail(s, "m", T0 + 10);
        expect(s.view(T0 + 10).breaker("m")).toMatchObject({ status: "open", openedAt: T0 + 10 });
      }),
    );

    it(
      "a success resets the consecutive count",
      withStore(async (s) => {
        for (let i = 0; i < B.consecutiveFailures - 1; i++) await fail(s, "m", T0 + i);
        await ok(s, "m", T0 + 5);
        await fail(s, "m", T0 + 6);
        expect(s.view(T0 + 6).breaker("m").status).toBe("closed");
      }),
    );

    it(
      "opens on the error rate over the window",
      withStore(async (s) => {
        // alternate ok/fail: never 5 in a row, 50 % errors after 10 calls
        for (let i = 0; i < B.minCalls; i++) {
          if (i % 2 === 0) await ok(s, "m", T0 + i * 100);
          else await fail(s, "m", T0 + i * 100);
        }
        expect(s.view(T0 + 1_000).breaker("m").status).toBe("open");
      }),
    );

    it(
      "forgets errors older than the window",
      withStore(async (s) => {
        for (let i = 0; i < 4; i++) await fail(s, "m", T0 + i);
        await ok(s, "m", T0 + 5);
        const later = T0 + B.windowMs * 2;
        for (let i = 0; i < B.minCalls - 1; i++) await ok(s, "m", later + i);
        await fail(s, "m", later + 20);
        expect(s.view(later + 20).breaker("m").status).toBe("closed");
      }),
    );

    it(
      "client and validation errors do not count against the breaker",
      withStore(async (s) => {
        for (let i = 0; i < 20; i++) await fail(s, "m", T0 + i, i % 2 === 0 ? "client" : "validation");
        expect(s.view(T0 + 20).breaker("m").status).toBe("closed");
      }),
    );

    it(
      "goes half-open after the cooldown, allows one probe, closes on success with slow start",
      withStore(async (s) => {
        for (let i = 0; i < B.consecutiveFailures; i++) await fail(s, "m", T0);
        expect(s.view(T0 + B.cooldownMs - 1).breaker("m").status).toBe("open");
        const t = T0 + B.cooldownMs;
        expect(s.view(t).breaker("m")).toMatchObject({ status: "half-open", probeAvailable: true });
        const lease = await s.acquire("m", t);
        expect(lease.probe).toBe(true);
        expect(s.view(t).breaker("m").probeAvailable).toBe(false);
        await ok(s, "m", t + 50);
        await lease.release();
        const closed = s.view(t + 50).breaker("m");
        expect(closed.status).toBe("closed");
        expect(closed.weight).toBeLessThan(0.1);
        expect(s.view(t + 50 + B.slowStartMs / 2).breaker("m").weight).toBeCloseTo(0.5, 2);
        expect(s.view(t + 50 + B.slowStartMs).breaker("m").weight).toBe(1);
      }),
    );

    it(
      "a failed probe re-opens with a doubled cooldown",
      withStore(async (s) => {
        for (let i = 0; i < B.consecutiveFailures; i++) await fail(s, "m", T0);
        const t = T0 + B.cooldownMs;
        const lease = await s.acquire("m", t);
        await fail(s, "m", t + 10);
        await lease.release();
        expect(s.view(t + 10).breaker("m")).toMatchObject({ status: "open", openedAt: t + 10 });
        expect(s.view(t + 10 + B.cooldownMs).breaker("m").status).toBe("open");
        expect(s.view(t + 10 + 2 * B.cooldownMs).breaker("m").status).toBe("half-open");
        expect((await s.snapshot(t + 10)).breakers["m"]?.cooldownMs).toBe(2 * B.cooldownMs);
      }),
    );

    it(
      "a forced probe (all breakers open) closes the breaker on success before the cooldown ends",
      withStore(async (s) => {
        for (let i = 0; i < B.consecutiveFailures; i++) await fail(s, "m", T0);
        await s.recordAttempt({ model: "m", ok: true, latencyMs: 30, now: T0 + 100 });
        expect(s.view(T0 + 100).breaker("m").status).toBe("open"); // an ordinary late result changes nothing
        await s.recordAttempt({ model: "m", ok: true, latencyMs: 30, now: T0 + 200, probe: true });
        expect(s.view(T0 + 200).breaker("m")).toMatchObject({ status: "closed" });
        expect(s.view(T0 + 200).breaker("m").weight).toBeLessThan(1);
      }),
    );

    it(
      "a failed forced probe re-opens with a doubled cooldown",
      withStore(async (s) => {
        for (let i = 0; i < B.consecutiveFailures; i++) await fail(s, "m", T0);
        await s.recordAttempt({ model: "m", ok: false, errorClass: "5xx", latencyMs: 30, now: T0 + 200, probe: true });
        expect(s.view(T0 + 200).breaker("m")).toMatchObject({ status: "open", openedAt: T0 + 200 });
        expect((await s.snapshot(T0 + 200)).breakers["m"]?.cooldownMs).toBe(2 * B.cooldownMs);
      }),
    );

    it(
      "a released probe without a result frees the probe slot",
      withStore(async (s) => {
        for (let i = 0; i < B.consecutiveFailures; i++) await fail(s, "m", T0);
        const t = T0 + B.cooldownMs;
        const lease = await s.acquire("m", t);
        await lease.release();
        expect(s.view(t).breaker("m")).toMatchObject({ status: "half-open", probeAvailable: true });
      }),
    );

    it(
      "activate starts canaries at their first step and keeps an unchanged canary's step",
      withStore(async (s) => {
        const config = acmeConfig();
        await s.activate(config, T0);
        expect(s.view(T0).canaryPercent("legal-review")).toBe(5);
        expect(s.view(T0).canaryPercent("support-faq")).toBe(0);
        await s.setCanaryPercent("legal-review", 25, { now: T0 + 1, step: 1, reason: "guard held" });
        await s.activate(acmeConfig(), T0 + 2);
        expect(s.view(T0 + 2).canaryPercent("legal-review")).toBe(25);
        expect((await s.snapshot(T0 + 2)).canaries["legal-review"]).toMatchObject({ model: "claude-next", percent: 25, step: 1, reason: "guard held" });

        const changed = acmeConfig();
        const route = changed.routes["legal-review"];
        if (route?.canary === undefined) throw new Error("fixture");
        route.canary = { ...route.canary, steps: [10, 100] };
        await s.activate(changed, T0 + 3);
        expect(s.view(T0 + 3).canaryPercent("legal-review")).toBe(10);

        const removed = acmeConfig();
        delete removed.routes["legal-review"]?.canary;
        await s.activate(removed, T0 + 4);
        expect(s.view(T0 + 4).canaryPercent("legal-review")).toBe(0);
      }),
    );

    it(
      "clamps canary percent to 0..100",
      withStore(async (s) => {
        await s.setCanaryPercent("r", 140, { now: T0 });
        expect(s.view(T0).canaryPercent("r")).toBe(100);
        await s.setCanaryPercent("r", -3, { now: T0 });
        expect(s.view(T0).canaryPercent("r")).toBe(0);
      }),
    );

    it(
      "hard budget: grants while spent + reserved + amount fits, refuses beyond, settles real cost",
      withStore(async (s) => {
        const t = MONTH_START + 1_000;
        const a = await s.reserveBudget({ ...hardBudget(1), amountUsd: 0.6, now: t });
        expect(a).toMatchObject({
          granted: true,
          overLimit: false,
          reservedUsd: 0.6,
          spentUsd: 0,
          limitUsd: 1,
          periodStart: MONTH_START,
          periodEnd: MONTH_END,
        });
        const b = await s.reserveBudget({ ...hardBudget(1), amountUsd: 0.5, now: t });
        expect(b).toMatchObject({ granted: false, id: undefined, overLimit: true });
        const c = await s.reserveBudget({ ...hardBudget(1), amountUsd: 0.4, now: t });
        expect(c.granted).toBe(true);
        if (a.id === undefined || c.id === undefined) throw new Error("ids");
        expect(await s.settleBudget({ team: "t", id: a.id, costUsd: 0.25, now: t })).toMatchObject({ settled: true, spentUsd: 0.25 });
        expect(await s.settleBudget({ team: "t", id: a.id, costUsd: 0.25, now: t })).toMatchObject({ settled: false, spentUsd: 0.25 });
        expect(await s.settleBudget({ team: "t", id: c.id, costUsd: 0, now: t })).toMatchObject({ settled: true, spentUsd: 0.25, reservedUsd: 0 });
        expect((await s.snapshot(t)).budgets["t"]).toEqual({
          spentUsd: 0.25,
          reservedUsd: 0,
          limitUsd: 1,
          period: "month",
          periodStart: MONTH_START,
          periodEnd: MONTH_END,
          mode: "hard",
        });
      }),
    );

    it(
      "soft budget: always grants and reports overLimit",
      withStore(async (s) => {
        const soft = { ...hardBudget(1), mode: "soft" as const };
        const a = await s.reserveBudget({ ...soft, amountUsd: 0.9, now: MONTH_START });
        expect(a).toMatchObject({ granted: true, overLimit: false });
        const b = await s.reserveBudget({ ...soft, amountUsd: 0.9, now: MONTH_START });
        expect(b).toMatchObject({ granted: true, overLimit: true, reservedUsd: 1.8 });
      }),
    );

    it(
      "a new period starts from zero spend; in-flight reservations still count until settled",
      withStore(async (s) => {
        const a = await s.reserveBudget({ ...hardBudget(1), amountUsd: 0.3, now: MONTH_END - 10 });
        if (a.id === undefined) throw new Error("id");
        await s.settleBudget({ team: "t", id: a.id, costUsd: 0.3, now: MONTH_END - 5 });
        const held = await s.reserveBudget({ ...hardBudget(1), amountUsd: 0.5, now: MONTH_END - 1 });
        const next = { ...hardBudget(1), periodStart: MONTH_END, periodEnd: Date.UTC(2027, 2, 1) };
        const fresh = await s.reserveBudget({ ...next, amountUsd: 0.5, now: MONTH_END });
        expect(fresh).toMatchObject({ granted: true, spentUsd: 0, reservedUsd: 1 });
        expect(await s.reserveBudget({ ...next, amountUsd: 0.01, now: MONTH_END })).toMatchObject({ granted: false });
        if (held.id === undefined) throw new Error("id");
        expect(await s.settleBudget({ team: "t", id: held.id, costUsd: 0.2, now: MONTH_END + 1 })).toMatchObject({ spentUsd: 0.2, periodStart: MONTH_END });
      }),
    );

    it(
      "teams' budgets are independent",
      withStore(async (s) => {
        expect((await s.reserveBudget({ ...hardBudget(1, "a"), amountUsd: 1, now: MONTH_START })).granted).toBe(true);
        expect((await s.reserveBudget({ ...hardBudget(1, "b"), amountUsd: 1, now: MONTH_START })).granted).toBe(true);
        expect((await s.reserveBudget({ ...hardBudget(1, "a"), amountUsd: 0.01, now: MONTH_START })).granted).toBe(false);
      }),
    );

    it(
      "claims a budget alert once per team, period and threshold",
      withStore(async (s) => {
        expect(await s.claimBudgetAlert({ team: "t", periodStart: MONTH_START, threshold: 0.5 })).toBe(true);
        expect(await s.claimBudgetAlert({ team: "t", periodStart: MONTH_START, threshold: 0.5 })).toBe(false);
        expect(await s.claimBudgetAlert({ team: "t", periodStart: MONTH_START, threshold: 0.8 })).toBe(true);
        expect(await s.claimBudgetAlert({ team: "t", periodStart: MONTH_END, threshold: 0.5 })).toBe(true);
        expect(await s.claimBudgetAlert({ team: "u", periodStart: MONTH_START, threshold: 0.5 })).toBe(true);
      }),
    );

    it(
      "rate limits: requests bucket empties, refuses with a retry time, refills per minute",
      withStore(async (s) => {
        const terms = { team: "t", rpm: 3, tpm: undefined };
        for (let i = 0; i < 3; i++) {
          const d = await s.takeRateLimit({ ...terms, tokens: 10, now: T0 });
          expect(d).toMatchObject({ allowed: true, requests: { capacity: 3, remaining: 2 - i } });
          expect(d.tokens).toBeUndefined();
        }
        const refused = await s.takeRateLimit({ ...terms, tokens: 10, now: T0 });
        expect(refused).toMatchObject({ allowed: false, retryAfterMs: 20_000, requests: { remaining: 0, resetMs: 60_000 } });
        expect((await s.takeRateLimit({ ...terms, tokens: 10, now: T0 + 19_999 })).allowed).toBe(false);
        expect((await s.takeRateLimit({ ...terms, tokens: 10, now: T0 + 20_000 })).allowed).toBe(true);
        expect((await s.peekRateLimit({ ...terms, now: T0 + 80_000 })).requests).toEqual({ capacity: 3, remaining: 3, resetMs: 0 });
      }),
    );

    it(
      "rate limits: takes from both buckets or neither; adjusts tokens from real usage",
      withStore(async (s) => {
        const terms = { team: "t", rpm: 10, tpm: 1_000 };
        expect(await s.takeRateLimit({ ...terms, tokens: 800, now: T0 })).toMatchObject({
          allowed: true,
          requests: { remaining: 9 },
          tokens: { remaining: 200 },
        });
        const refused = await s.takeRateLimit({ ...terms, tokens: 300, now: T0 });
        expect(refused).toMatchObject({ allowed: false, requests: { remaining: 9 }, tokens: { remaining: 200 } });
        expect(refused.retryAfterMs).toBe(6_000);
        await s.adjustRateLimitTokens({ ...terms, deltaTokens: -700, now: T0 }); // used 100 of the 800 estimated
        expect((await s.peekRateLimit({ ...terms, now: T0 })).tokens?.remaining).toBe(900);
        await s.adjustRateLimitTokens({ ...terms, deltaTokens: -5_000, now: T0 });
        expect((await s.peekRateLimit({ ...terms, now: T0 })).tokens?.remaining).toBe(1_000);
        await s.adjustRateLimitTokens({ ...terms, deltaTokens: 1_500, now: T0 });
        expect((await s.takeRateLimit({ ...terms, tokens: 1, now: T0 })).allowed).toBe(false);
      }),
    );

    it(
      "rate limits: a limit of 0 refuses; a changed limit resizes the bucket",
      withStore(async (s) => {
        expect((await s.takeRateLimit({ team: "z", rpm: 0, tpm: undefined, tokens: 1, now: T0 })).allowed).toBe(false);
        await s.takeRateLimit({ team: "t", rpm: 100, tpm: undefined, tokens: 1, now: T0 });
        expect((await s.peekRateLimit({ team: "t", rpm: 10, tpm: undefined, now: T0 })).requests).toMatchObject({ capacity: 10, remaining: 10 });
      }),
    );

    it(
      "counts the canary model's attempts on its route in the guard window; a new step starts a new window",
      withStore(async (s) => {
        await s.activate(acmeConfig(), T0);
        for (let i = 0; i < 4; i++) await s.recordAttempt({ model: "claude-next", route: "legal-review", ok: true, latencyMs: 100 + i, now: T0 + i });
        await s.recordAttempt({ model: "claude-next", route: "legal-review", ok: false, errorClass: "5xx", latencyMs: 5, now: T0 + 5 });
        await s.recordAttempt({ model: "claude-next", route: "legal-review", ok: false, errorClass: "client", latencyMs: 5, now: T0 + 6 });
        await s.recordAttempt({ model: "claude", route: "legal-review", ok: false, errorClass: "5xx", latencyMs: 5, now: T0 + 7 });
        await s.recordAttempt({ model: "claude-next", ok: false, errorClass: "5xx", latencyMs: 5, now: T0 + 8 });
        expect((await s.snapshot(T0 + 10)).canaries["legal-review"]?.window).toMatchObject({ requests: 5, errors: 1, p95Ms: 103, since: T0 });
        await s.setCanaryPercent("legal-review", 25, { now: T0 + 20, step: 1, reason: "guard held" });
        expect((await s.snapshot(T0 + 20)).canaries["legal-review"]?.window).toEqual({ ...EMPTY_ARM, since: T0 + 20, baseline: EMPTY_ARM });
      }),
    );

    it(
      "keeps both arms in the guard window: validator failures, priced cost and feedback scores per arm",
      withStore(async (s) => {
        await s.activate(acmeConfig(), T0);
        const route = "legal-review";
        await s.recordAttempt({ model: "claude-next", route, arm: "canary", ok: true, latencyMs: 300, costUsd: 0.03, now: T0 + 1 });
        await s.recordAttempt({ model: "claude-next", route, arm: "canary", ok: true, latencyMs: 200, now: T0 + 2 });
        await s.recordAttempt({ model: "claude-next", route, arm: "canary", ok: false, errorClass: "validation", latencyMs: 50, now: T0 + 3 });
        await s.recordAttempt({ model: "claude", route, arm: "baseline", ok: true, latencyMs: 100, costUsd: 0.01, now: T0 + 4 });
        await s.recordAttempt({ model: "claude", route, arm: "baseline", ok: false, errorClass: "5xx", latencyMs: 10, now: T0 + 5 });
        // a fallback attempt (no arm) of a non-canary model counts nowhere
        await s.recordAttempt({ model: "gpt-mini", route, ok: true, latencyMs: 10, costUsd: 1, now: T0 + 6 });
        expect(await s.recordCanaryFeedback({ route, arm: "canary", model: "claude-next", score: 0.25, servedAt: T0 + 1 })).toBe(true);
        expect(await s.recordCanaryFeedback({ route, arm: "canary", model: "claude-next", score: 0.5, servedAt: T0 + 2 })).toBe(true);
        expect(await s.recordCanaryFeedback({ route, arm: "baseline", model: "claude", score: 1, servedAt: T0 + 4 })).toBe(true);
        // not counted: another canary model, a request served before the window, a route without a canary
        expect(await s.recordCanaryFeedback({ route, arm: "canary", model: "old-canary", score: 0, servedAt: T0 + 2 })).toBe(false);
        expect(await s.recordCanaryFeedback({ route, arm: "canary", model: "claude-next", score: 0, servedAt: T0 - 1 })).toBe(false);
        expect(await s.recordCanaryFeedback({ route: "support-faq", arm: "baseline", model: "gpt-mini", score: 0, servedAt: T0 + 2 })).toBe(false);
        expect((await s.snapshot(T0 + 10)).canaries[route]?.window).toEqual({
          requests: 3,
          errors: 1,
          p95Ms: 300,
          validationFailures: 1,
          costUsd: 0.03,
          costed: 1,
          scoreSum: 0.75,
          scores: 2,
          since: T0,
          baseline: { requests: 2, errors: 1, p95Ms: 100, validationFailures: 0, costUsd: 0.01, costed: 1, scoreSum: 1, scores: 1 },
        });
      }),
    );

    it(
      "lists budgeted and limited teams of the active config before their first request",
      withStore(async (s) => {
        const config = acmeConfig();
        const support = config.teams["support"];
        if (support === undefined) throw new Error("fixture");
        support.budget = { usd: 100, per: "day", mode: "soft", alertAt: [] };
        support.limits = { rpm: 60 };
        await s.activate(config, T0);
        const snap = await s.snapshot(T0);
        const day = Math.floor(T0 / 86_400_000) * 86_400_000;
        expect(snap.budgets).toEqual({
          support: { spentUsd: 0, reservedUsd: 0, limitUsd: 100, period: "day", periodStart: day, periodEnd: day + 86_400_000, mode: "soft" },
        });
        expect(snap.limits).toEqual({ support: { rpm: { capacity: 60, remaining: 60, resetMs: 0 } } });
      }),
    );

    it(
      "snapshots plain JSON of breakers, latency, in-flight and canaries",
      withStore(async (s) => {
        await ok(s, "a", T0, 80);
        for (let i = 0; i < B.consecutiveFailures; i++) await fail(s, "b", T0);
        const lease = await s.acquire("a", T0);
        const snap = await s.snapshot(T0 + 1);
        expect(JSON.parse(JSON.stringify(snap))).toEqual(snap);
        expect(snap.breakers["b"]).toMatchObject({ status: "open", consecutiveFailures: B.consecutiveFailures });
        expect(snap.latency["a"]).toMatchObject({ ewmaMs: 80, p95Ms: 80, samples: 1 });
        expect(snap.inFlight).toEqual({ a: 1 });
        await lease.release();
      }),
    );
  });
}
