/** @module The conformance suite every StateStore runs (memory now, Redis later). Uses DEFAULT_BREAKER_OPTIONS. */
import { describe, expect, it } from "vitest";
import { acmeConfig } from "../core/testing.ts";
import { DEFAULT_BREAKER_OPTIONS as B } from "./circuit-breaker.ts";
import type { StateStore } from "./store.ts";

const T0 = 1_800_000_000_000;

/**
 * Run the shared cases. `create` returns a fresh, empty store configured with the default breaker
 * and latency options; `cleanup` (optional) disposes of it.
 */
export function runStateStoreConformance(options: { name: string; create: () => StateStore | Promise<StateStore>; cleanup?: (store: StateStore) => void | Promise<void> }): void {
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
    it("starts empty: closed breakers, no latency, nothing in flight, canary 0 %", withStore(async (s) => {
      const v = s.view(T0);
      expect(v.breaker("m")).toMatchObject({ status: "closed" });
      expect(v.latency("m")).toBeUndefined();
      expect(v.inFlight("m")).toBe(0);
      expect(v.canaryPercent("r")).toBe(0);
      expect(await s.snapshot(T0)).toEqual({ breakers: {}, latency: {}, inFlight: {}, canaries: {} });
    }));

    it("counts requests in flight; a lease releases once", withStore(async (s) => {
      const a = await s.acquire("m", T0);
      const b = await s.acquire("m", T0);
      expect(s.view(T0).inFlight("m")).toBe(2);
      expect(a.probe).toBe(false);
      await a.release();
      await a.release();
      expect(s.view(T0).inFlight("m")).toBe(1);
      await b.release();
      expect(s.view(T0).inFlight("m")).toBe(0);
    }));

    it("feeds latency EWMA and p95 from successful attempts only", withStore(async (s) => {
      for (let i = 1; i <= 20; i++) await ok(s, "m", T0 + i, i * 10);
      await fail(s, "m", T0 + 30);
      const l = s.view(T0 + 30).latency("m");
      expect(l?.samples).toBe(20);
      expect(l?.p95Ms).toBe(190);
      expect(l?.ewmaMs).toBeGreaterThan(100);
      expect(l?.ewmaMs).toBeLessThan(200);
      await s.recordAttempt({ model: "m", ok: true, latencyMs: 50, ttftMs: 20, now: T0 + 40 });
      expect((await s.snapshot(T0 + 40)).latency["m"]?.ttftEwmaMs).toBe(20);
    }));

    it(`opens after ${B.consecutiveFailures} consecutive failures, not before`, withStore(async (s) => {
      for (let i = 0; i < B.consecutiveFailures - 1; i++) await fail(s, "m", T0 + i);
      expect(s.view(T0 + 10).breaker("m").status).toBe("closed");
      await fail(s, "m", T0 + 10);
      expect(s.view(T0 + 10).breaker("m")).toMatchObject({ status: "open", openedAt: T0 + 10 });
    }));

    it("a success resets the consecutive count", withStore(async (s) => {
      for (let i = 0; i < B.consecutiveFailures - 1; i++) await fail(s, "m", T0 + i);
      await ok(s, "m", T0 + 5);
      await fail(s, "m", T0 + 6);
      expect(s.view(T0 + 6).breaker("m").status).toBe("closed");
    }));

    it("opens on the error rate over the window", withStore(async (s) => {
      // alternate ok/fail: never 5 in a row, 50 % errors after 10 calls
      for (let i = 0; i < B.minCalls; i++) {
        if (i % 2 === 0) await ok(s, "m", T0 + i * 100);
        else await fail(s, "m", T0 + i * 100);
      }
      expect(s.view(T0 + 1_000).breaker("m").status).toBe("open");
    }));

    it("forgets errors older than the window", withStore(async (s) => {
      for (let i = 0; i < 4; i++) await fail(s, "m", T0 + i);
      await ok(s, "m", T0 + 5);
      const later = T0 + B.windowMs * 2;
      for (let i = 0; i < B.minCalls - 1; i++) await ok(s, "m", later + i);
      await fail(s, "m", later + 20);
      expect(s.view(later + 20).breaker("m").status).toBe("closed");
    }));

    it("client and validation errors do not count against the breaker", withStore(async (s) => {
      for (let i = 0; i < 20; i++) await fail(s, "m", T0 + i, i % 2 === 0 ? "client" : "validation");
      expect(s.view(T0 + 20).breaker("m").status).toBe("closed");
    }));

    it("goes half-open after the cooldown, allows one probe, closes on success with slow start", withStore(async (s) => {
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
    }));

    it("a failed probe re-opens with a doubled cooldown", withStore(async (s) => {
      for (let i = 0; i < B.consecutiveFailures; i++) await fail(s, "m", T0);
      const t = T0 + B.cooldownMs;
      const lease = await s.acquire("m", t);
      await fail(s, "m", t + 10);
      await lease.release();
      expect(s.view(t + 10).breaker("m")).toMatchObject({ status: "open", openedAt: t + 10 });
      expect(s.view(t + 10 + B.cooldownMs).breaker("m").status).toBe("open");
      expect(s.view(t + 10 + 2 * B.cooldownMs).breaker("m").status).toBe("half-open");
      expect((await s.snapshot(t + 10)).breakers["m"]?.cooldownMs).toBe(2 * B.cooldownMs);
    }));

    it("a forced probe (all breakers open) closes the breaker on success before the cooldown ends", withStore(async (s) => {
      for (let i = 0; i < B.consecutiveFailures; i++) await fail(s, "m", T0);
      await s.recordAttempt({ model: "m", ok: true, latencyMs: 30, now: T0 + 100 });
      expect(s.view(T0 + 100).breaker("m").status).toBe("open"); // an ordinary late result changes nothing
      await s.recordAttempt({ model: "m", ok: true, latencyMs: 30, now: T0 + 200, probe: true });
      expect(s.view(T0 + 200).breaker("m")).toMatchObject({ status: "closed" });
      expect(s.view(T0 + 200).breaker("m").weight).toBeLessThan(1);
    }));

    it("a failed forced probe re-opens with a doubled cooldown", withStore(async (s) => {
      for (let i = 0; i < B.consecutiveFailures; i++) await fail(s, "m", T0);
      await s.recordAttempt({ model: "m", ok: false, errorClass: "5xx", latencyMs: 30, now: T0 + 200, probe: true });
      expect(s.view(T0 + 200).breaker("m")).toMatchObject({ status: "open", openedAt: T0 + 200 });
      expect((await s.snapshot(T0 + 200)).breakers["m"]?.cooldownMs).toBe(2 * B.cooldownMs);
    }));

    it("a released probe without a result frees the probe slot", withStore(async (s) => {
      for (let i = 0; i < B.consecutiveFailures; i++) await fail(s, "m", T0);
      const t = T0 + B.cooldownMs;
      const lease = await s.acquire("m", t);
      await lease.release();
      expect(s.view(t).breaker("m")).toMatchObject({ status: "half-open", probeAvailable: true });
    }));

    it("activate starts canaries at their first step and keeps an unchanged canary's step", withStore(async (s) => {
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
    }));

    it("clamps canary percent to 0..100", withStore(async (s) => {
      await s.setCanaryPercent("r", 140, { now: T0 });
      expect(s.view(T0).canaryPercent("r")).toBe(100);
      await s.setCanaryPercent("r", -3, { now: T0 });
      expect(s.view(T0).canaryPercent("r")).toBe(0);
    }));

    it("snapshots plain JSON of breakers, latency, in-flight and canaries", withStore(async (s) => {
      await ok(s, "a", T0, 80);
      for (let i = 0; i < B.consecutiveFailures; i++) await fail(s, "b", T0);
      const lease = await s.acquire("a", T0);
      const snap = await s.snapshot(T0 + 1);
      expect(JSON.parse(JSON.stringify(snap))).toEqual(snap);
      expect(snap.breakers["b"]).toMatchObject({ status: "open", consecutiveFailures: B.consecutiveFailures });
      expect(snap.latency["a"]).toMatchObject({ ewmaMs: 80, p95Ms: 80, samples: 1 });
      expect(snap.inFlight).toEqual({ a: 1 });
      await lease.release();
    }));
  });
}
