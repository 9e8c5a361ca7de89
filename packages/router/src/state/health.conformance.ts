/** @module The HealthStore conformance suite (breakers, latency, in-flight). Uses DEFAULT_BREAKER_OPTIONS. */
import { describe, expect, it } from "vitest";
import { acmeConfig } from "../core/testing.ts";
import { DEFAULT_BREAKER_OPTIONS as B } from "./circuit-breaker.ts";
import { type MakeStore, T0, withStore } from "./conformance.ts";
import type { CanaryShares, HealthStore } from "./stores.ts";

const NO_CANARIES: CanaryShares = { canaryPercent: () => 0 };

/**
 * Register the HealthStore cases. `make` gives a fresh store with the default breaker and latency options.
 *
 * @example
 * healthStoreConformance("memory", async () => ({ store: new MemoryHealthStore(), close: async () => {} }));
 */
export function healthStoreConformance(name: string, make: MakeStore<HealthStore>): void {
  const test = (title: string, fn: (s: HealthStore) => Promise<void>) => it(title, withStore(make, fn));
  const fail = (s: HealthStore, model: string, now: number, errorClass: "5xx" | "client" | "validation" | "timeout" = "5xx") =>
    s.recordAttempt({ model, ok: false, errorClass, latencyMs: 10, now });
  const ok = (s: HealthStore, model: string, now: number, latencyMs = 100) => s.recordAttempt({ model, ok: true, latencyMs, now });
  const view = (s: HealthStore, now: number) => s.view(now, NO_CANARIES);

  describe(`health store conformance: ${name}`, () => {
    test("starts empty: closed breakers, no latency, nothing in flight", async (s) => {
      const v = view(s, T0);
      expect(v.breaker("m")).toMatchObject({ status: "closed" });
      expect(v.latency("m")).toBeUndefined();
      expect(v.inFlight("m")).toBe(0);
      expect(v.breakersClosed?.() ?? true).toBe(true);
      expect([s.breakerSnapshot(T0), s.latencySnapshot(), s.inFlightSnapshot()]).toEqual([{}, {}, {}]);
    });

    test("the view reads canary shares from the source it is given", async (s) => {
      expect(s.view(T0, { canaryPercent: (route) => (route === "r" ? 25 : 0) }).canaryPercent("r")).toBe(25);
    });

    test("counts requests in flight; a lease releases once", async (s) => {
      const a = s.acquire("m", T0);
      const b = s.acquire("m", T0);
      expect(view(s, T0).inFlight("m")).toBe(2);
      expect(a.probe).toBe(false);
      await a.release();
      await a.release();
      expect(view(s, T0).inFlight("m")).toBe(1);
      await b.release();
      expect(view(s, T0).inFlight("m")).toBe(0);
    });

    test("feeds latency EWMA and p95 from successful attempts only", async (s) => {
      for (let i = 1; i <= 20; i++) ok(s, "m", T0 + i, i * 10);
      fail(s, "m", T0 + 30);
      const l = view(s, T0 + 30).latency("m");
      expect(l?.samples).toBe(20);
      expect(l?.p95Ms).toBe(190);
      expect(l?.ewmaMs).toBeGreaterThan(100);
      expect(l?.ewmaMs).toBeLessThan(200);
      s.recordAttempt({ model: "m", ok: true, latencyMs: 50, ttftMs: 20, now: T0 + 40 });
      expect(s.latencySnapshot()["m"]?.ttftEwmaMs).toBe(20);
    });

    test(`opens after ${B.consecutiveFailures} consecutive failures, not before`, async (s) => {
      for (let i = 0; i < B.consecutiveFailures - 1; i++) fail(s, "m", T0 + i);
      expect(view(s, T0 + 10).breaker("m").status).toBe("closed");
      fail(s, "m", T0 + 10);
      expect(view(s, T0 + 10).breaker("m")).toMatchObject({ status: "open", openedAt: T0 + 10 });
      expect(view(s, T0 + 10).breakersClosed?.() ?? false).toBe(false);
    });

    test("a success resets the consecutive count", async (s) => {
      for (let i = 0; i < B.consecutiveFailures - 1; i++) fail(s, "m", T0 + i);
      ok(s, "m", T0 + 5);
      fail(s, "m", T0 + 6);
      expect(view(s, T0 + 6).breaker("m").status).toBe("closed");
    });

    test("opens on the error rate over the window", async (s) => {
      // alternate ok/fail: never 5 in a row, 50 % errors after 10 calls
      for (let i = 0; i < B.minCalls; i++) {
        if (i % 2 === 0) ok(s, "m", T0 + i * 100);
        else fail(s, "m", T0 + i * 100);
      }
      expect(view(s, T0 + 1_000).breaker("m").status).toBe("open");
    });

    test("forgets errors older than the window", async (s) => {
      for (let i = 0; i < 4; i++) fail(s, "m", T0 + i);
      ok(s, "m", T0 + 5);
      const later = T0 + B.windowMs * 2;
      for (let i = 0; i < B.minCalls - 1; i++) ok(s, "m", later + i);
      fail(s, "m", later + 20);
      expect(view(s, later + 20).breaker("m").status).toBe("closed");
    });

    test("client and validation errors do not count against the breaker", async (s) => {
      for (let i = 0; i < 20; i++) fail(s, "m", T0 + i, i % 2 === 0 ? "client" : "validation");
      expect(view(s, T0 + 20).breaker("m").status).toBe("closed");
    });

    test("goes half-open after the cooldown, allows one probe, closes on success with slow start", async (s) => {
      for (let i = 0; i < B.consecutiveFailures; i++) fail(s, "m", T0);
      expect(view(s, T0 + B.cooldownMs - 1).breaker("m").status).toBe("open");
      const t = T0 + B.cooldownMs;
      expect(view(s, t).breaker("m")).toMatchObject({ status: "half-open", probeAvailable: true });
      const lease = s.acquire("m", t);
      expect(lease.probe).toBe(true);
      expect(view(s, t).breaker("m").probeAvailable).toBe(false);
      ok(s, "m", t + 50);
      await lease.release();
      const closed = view(s, t + 50).breaker("m");
      expect(closed.status).toBe("closed");
      expect(closed.weight).toBeLessThan(0.1);
      expect(view(s, t + 50 + B.slowStartMs / 2).breaker("m").weight).toBeCloseTo(0.5, 2);
      expect(view(s, t + 50 + B.slowStartMs).breaker("m").weight).toBe(1);
    });

    test("a failed probe re-opens with a doubled cooldown", async (s) => {
      for (let i = 0; i < B.consecutiveFailures; i++) fail(s, "m", T0);
      const t = T0 + B.cooldownMs;
      const lease = s.acquire("m", t);
      fail(s, "m", t + 10);
      await lease.release();
      expect(view(s, t + 10).breaker("m")).toMatchObject({ status: "open", openedAt: t + 10 });
      expect(view(s, t + 10 + B.cooldownMs).breaker("m").status).toBe("open");
      expect(view(s, t + 10 + 2 * B.cooldownMs).breaker("m").status).toBe("half-open");
      expect(s.breakerSnapshot(t + 10)["m"]?.cooldownMs).toBe(2 * B.cooldownMs);
    });

    test("a forced probe (all breakers open) closes the breaker on success before the cooldown ends", async (s) => {
      for (let i = 0; i < B.consecutiveFailures; i++) fail(s, "m", T0);
      s.recordAttempt({ model: "m", ok: true, latencyMs: 30, now: T0 + 100 });
      expect(view(s, T0 + 100).breaker("m").status).toBe("open"); // an ordinary late result changes nothing
      s.recordAttempt({ model: "m", ok: true, latencyMs: 30, now: T0 + 200, probe: true });
      expect(view(s, T0 + 200).breaker("m")).toMatchObject({ status: "closed" });
      expect(view(s, T0 + 200).breaker("m").weight).toBeLessThan(1);
    });

    test("a failed forced probe re-opens with a doubled cooldown", async (s) => {
      for (let i = 0; i < B.consecutiveFailures; i++) fail(s, "m", T0);
      s.recordAttempt({ model: "m", ok: false, errorClass: "5xx", latencyMs: 30, now: T0 + 200, probe: true });
      expect(view(s, T0 + 200).breaker("m")).toMatchObject({ status: "open", openedAt: T0 + 200 });
      expect(s.breakerSnapshot(T0 + 200)["m"]?.cooldownMs).toBe(2 * B.cooldownMs);
    });

    test("a released probe without a result frees the probe slot", async (s) => {
      for (let i = 0; i < B.consecutiveFailures; i++) fail(s, "m", T0);
      const t = T0 + B.cooldownMs;
      const lease = s.acquire("m", t);
      await lease.release();
      expect(view(s, t).breaker("m")).toMatchObject({ status: "half-open", probeAvailable: true });
    });

    test("retain forgets the breakers and latency of models the config no longer names", async (s) => {
      for (let i = 0; i < B.consecutiveFailures; i++) fail(s, "gone", T0);
      ok(s, "gone", T0);
      ok(s, "claude", T0, 80);
      s.retain(acmeConfig());
      expect(view(s, T0).breaker("gone").status).toBe("closed");
      expect(view(s, T0).breakersClosed?.() ?? true).toBe(true);
      expect(Object.keys(s.breakerSnapshot(T0))).toEqual(["claude"]);
      expect(Object.keys(s.latencySnapshot())).toEqual(["claude"]);
    });

    test("snapshots plain JSON of breakers, latency and in-flight, sorted by model", async (s) => {
      ok(s, "b", T0, 80);
      for (let i = 0; i < B.consecutiveFailures; i++) fail(s, "a", T0);
      const lease = s.acquire("b", T0);
      const snap = { breakers: s.breakerSnapshot(T0 + 1), latency: s.latencySnapshot(), inFlight: s.inFlightSnapshot() };
      expect(JSON.parse(JSON.stringify(snap))).toEqual(snap);
      expect(Object.keys(snap.breakers)).toEqual(["a", "b"]);
      expect(snap.breakers["a"]).toMatchObject({ status: "open", consecutiveFailures: B.consecutiveFailures });
      expect(snap.latency["b"]).toMatchObject({ ewmaMs: 80, p95Ms: 80, samples: 1 });
      expect(snap.inFlight).toEqual({ b: 1 });
      await lease.release();
    });
  });
}
