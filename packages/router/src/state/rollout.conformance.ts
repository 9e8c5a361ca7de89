/** @module The RolloutStore conformance suite: every implementation (memory, Redis) runs these very cases. */
import { describe, expect, it } from "vitest";
import { acmeConfig } from "../core/testing.ts";
import { type MakeStore, T0, withStore } from "./conformance.ts";
import type { RolloutStore } from "./stores.ts";

/** acmeConfig() with the canary of `legal-review` changed by `edit` (or removed when `edit` returns undefined). */
function withCanary(edit: (canary: { model: string; steps: number[]; everyMs: number }) => { model: string; steps: number[] } | undefined) {
  const config = acmeConfig();
  const route = config.routes["legal-review"];
  if (route?.canary === undefined) throw new Error("fixture: legal-review has a canary");
  const next = edit(route.canary);
  if (next === undefined) delete route.canary;
  else route.canary = { ...route.canary, ...next };
  return config;
}

/**
 * Register the RolloutStore cases. A shared store may serve `canaryPercent` from a cache: the cases
 * read it only after awaiting the store's own writes.
 *
 * @example
 * rolloutStoreConformance("memory", async () => ({ store: new MemoryRolloutStore(), close: async () => {} }));
 */
export function rolloutStoreConformance(name: string, make: MakeStore<RolloutStore>): void {
  const test = (title: string, fn: (s: RolloutStore) => Promise<void>) => it(title, withStore(make, fn));

  describe(`rollout store conformance: ${name}`, () => {
    test("starts empty: no canaries, every route at 0 %", async (s) => {
      expect(s.canaryPercent("legal-review")).toBe(0);
      expect(await s.snapshot(T0)).toEqual({});
    });

    test("activate starts canaries at their first step", async (s) => {
      await s.activate(acmeConfig(), T0);
      expect(s.canaryPercent("legal-review")).toBe(5);
      expect(s.canaryPercent("support-faq")).toBe(0);
      expect(await s.snapshot(T0)).toEqual({
        "legal-review": {
          model: "claude-next",
          percent: 5,
          step: 0,
          updatedAt: T0,
          reason: "canary started",
          window: { requests: 0, errors: 0, p95Ms: undefined, since: T0 },
        },
      });
    });

    test("activate keeps an unchanged canary's step and window", async (s) => {
      await s.activate(acmeConfig(), T0);
      await s.setCanaryPercent("legal-review", 25, { now: T0 + 1, step: 1, reason: "guard held" });
      await s.recordCanaryAttempt("legal-review", { model: "claude-next", route: "legal-review", ok: true, latencyMs: 90, now: T0 + 2 });
      await s.activate(acmeConfig(), T0 + 3);
      expect(s.canaryPercent("legal-review")).toBe(25);
      expect((await s.snapshot(T0 + 3))["legal-review"]).toMatchObject({
        model: "claude-next",
        percent: 25,
        step: 1,
        updatedAt: T0 + 1,
        reason: "guard held",
        window: { requests: 1, errors: 0, since: T0 + 1 },
      });
    });

    test("activate resets a canary whose steps or model changed, and drops a removed one", async (s) => {
      await s.activate(acmeConfig(), T0);
      await s.setCanaryPercent("legal-review", 25, { now: T0 + 1, step: 1, reason: "guard held" });
      await s.activate(
        withCanary(() => ({ model: "claude-next", steps: [10, 100] })),
        T0 + 2,
      );
      expect(s.canaryPercent("legal-review")).toBe(10);
      expect((await s.snapshot(T0 + 2))["legal-review"]).toMatchObject({ step: 0, updatedAt: T0 + 2, reason: "canary started" });

      await s.setCanaryPercent("legal-review", 100, { now: T0 + 3, step: 1 });
      await s.activate(
        withCanary((c) => ({ model: "claude", steps: c.steps })),
        T0 + 4,
      );
      expect((await s.snapshot(T0 + 4))["legal-review"]).toMatchObject({ model: "claude", percent: 5, step: 0 });

      await s.activate(
        withCanary(() => undefined),
        T0 + 5,
      );
      expect(s.canaryPercent("legal-review")).toBe(0);
      expect(await s.snapshot(T0 + 5)).toEqual({});
    });

    test("clamps canary percent to 0..100 and keeps the step unless given", async (s) => {
      await s.activate(acmeConfig(), T0);
      await s.setCanaryPercent("legal-review", 140, { now: T0 });
      expect(s.canaryPercent("legal-review")).toBe(100);
      await s.setCanaryPercent("legal-review", -3, { now: T0, step: -1, reason: "rolled back" });
      expect(s.canaryPercent("legal-review")).toBe(0);
      expect((await s.snapshot(T0))["legal-review"]).toMatchObject({ percent: 0, step: -1, reason: "rolled back" });
    });

    test("counts the canary model's attempts on its route in the guard window; a new step starts a new window", async (s) => {
      await s.activate(acmeConfig(), T0);
      const attempt = (model: string, ok: boolean, latencyMs: number, now: number) =>
        s.recordCanaryAttempt(
          "legal-review",
          ok ? { model, route: "legal-review", ok, latencyMs, now } : { model, route: "legal-review", ok, errorClass: "5xx", latencyMs, now },
        );
      for (let i = 0; i < 4; i++) await attempt("claude-next", true, 100 + i, T0 + i);
      await attempt("claude-next", false, 5, T0 + 5);
      await attempt("claude", false, 5, T0 + 7); // the stable model: not the canary's window
      await s.recordCanaryAttempt("support-faq", { model: "claude-next", route: "support-faq", ok: false, errorClass: "5xx", latencyMs: 5, now: T0 + 8 }); // no canary there
      expect((await s.snapshot(T0 + 10))["legal-review"]?.window).toEqual({ requests: 5, errors: 1, p95Ms: 103, since: T0 });
      expect((await s.snapshot(T0 + 10))["support-faq"]).toBeUndefined();
      await s.setCanaryPercent("legal-review", 25, { now: T0 + 20, step: 1, reason: "guard held" });
      expect((await s.snapshot(T0 + 20))["legal-review"]?.window).toEqual({ requests: 0, errors: 0, p95Ms: undefined, since: T0 + 20 });
    });

    test("the controller lease: the first holder keeps it while it renews; others are refused", async (s) => {
      expect(await s.holdControllerLease("prod", "a", 10_000, T0)).toBe(true);
      expect(await s.holdControllerLease("prod", "b", 10_000, T0 + 1)).toBe(false);
      expect(await s.holdControllerLease("prod", "a", 10_000, T0 + 9_000)).toBe(true); // renewed until T0 + 19 000
      expect(await s.holdControllerLease("prod", "b", 10_000, T0 + 15_000)).toBe(false);
      expect(await s.holdControllerLease("staging", "b", 10_000, T0 + 15_000)).toBe(true); // one lease per environment
    });

    test("the controller lease passes to another holder once the holder's ttl lapses", async (s) => {
      expect(await s.holdControllerLease("prod", "a", 10_000, T0)).toBe(true);
      expect(await s.holdControllerLease("prod", "b", 10_000, T0 + 9_999)).toBe(false);
      expect(await s.holdControllerLease("prod", "b", 10_000, T0 + 10_000)).toBe(true);
      expect(await s.holdControllerLease("prod", "a", 10_000, T0 + 10_001)).toBe(false); // the old holder does not take it back
      expect(await s.holdControllerLease("prod", "b", 10_000, T0 + 19_000)).toBe(true);
    });
  });
}
