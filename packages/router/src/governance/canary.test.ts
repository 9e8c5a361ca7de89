/** @module Unit tests of canary progression: the pure step function and the controller over the in-memory stores with injected time. */
import type { Canary } from "@switchyard/ir";
import { describe, expect, it } from "vitest";
import { acmeConfig } from "../core/testing.ts";
import { createMemoryStateStores } from "../state/index.ts";
import { CanaryController, nextCanaryStep } from "./canary.ts";

const HOUR = 3_600_000;
const canary = (guard: Partial<Canary["guard"]> = {}): Canary => ({
  model: "next",
  steps: [5, 25, 100],
  everyMs: HOUR,
  guard: { minRequests: 20, maxErrorRate: 0.02, ...guard },
  stickyBy: "user",
});
const win = (requests: number, errors = 0, p95Ms: number | undefined = 200) => ({ requests, errors, p95Ms, since: 0 });

describe("nextCanaryStep", () => {
  it("holds until the step is everyMs old", () => {
    expect(nextCanaryStep({ step: 0, percent: 5, updatedAt: 0 }, win(50), HOUR - 1, canary())).toMatchObject({ action: "hold" });
  });

  it("advances one step when the guard held over enough requests", () => {
    expect(nextCanaryStep({ step: 0, percent: 5, updatedAt: 0 }, win(50), HOUR, canary())).toMatchObject({ action: "advance", step: 1, percent: 25 });
    expect(nextCanaryStep({ step: 1, percent: 25, updatedAt: 0 }, win(50, 1), HOUR, canary())).toMatchObject({ action: "advance", step: 2, percent: 100 });
  });

  it("waits for minRequests before judging or advancing", () => {
    const next = nextCanaryStep({ step: 0, percent: 5, updatedAt: 0 }, win(19, 19), 5 * HOUR, canary());
    expect(next).toEqual({ action: "hold", reason: "waiting for 20 canary requests (19 so far)" });
  });

  it("rolls back at once when the error rate breaks the guard, whatever the step's age", () => {
    const next = nextCanaryStep({ step: 1, percent: 25, updatedAt: 0 }, win(20, 1), 1, canary());
    expect(next).toMatchObject({ action: "rollback", step: -1, percent: 0 });
    expect(next.reason).toBe("rolled back at 25 %: error rate 0.05 > 0.02 over 20 requests");
  });

  it("an error rate exactly at the limit holds", () => {
    expect(nextCanaryStep({ step: 0, percent: 5, updatedAt: 0 }, win(50, 1), HOUR, canary())).toMatchObject({ action: "advance" });
  });

  it("rolls back when p95 breaks maxP95Ms; ignores p95 when not set", () => {
    expect(nextCanaryStep({ step: 0, percent: 5, updatedAt: 0 }, win(30, 0, 900), 10, canary({ maxP95Ms: 500 })).reason).toBe(
      "rolled back at 5 %: p95 900 ms > 500 ms over 30 requests",
    );
    expect(nextCanaryStep({ step: 0, percent: 5, updatedAt: 0 }, win(30, 0, 900), HOUR, canary())).toMatchObject({ action: "advance" });
  });

  it("stays complete at the last step and rolled back once rolled back", () => {
    expect(nextCanaryStep({ step: 2, percent: 100, updatedAt: 0 }, win(100), 9 * HOUR, canary())).toEqual({ action: "hold", reason: "complete at 100 %" });
    expect(nextCanaryStep({ step: -1, percent: 0, updatedAt: 0 }, win(100), 9 * HOUR, canary())).toEqual({ action: "hold", reason: "rolled back" });
    // a complete canary still rolls back when it breaks
    expect(nextCanaryStep({ step: 2, percent: 100, updatedAt: 0 }, win(100, 50), 9 * HOUR, canary())).toMatchObject({ action: "rollback" });
  });

  it("an open breaker on the canary model rolls back before the window fills", () => {
    const next = nextCanaryStep({ step: 0, percent: 5, updatedAt: 0 }, { ...win(5, 5, undefined), breakerOpen: true }, 1, canary());
    expect(next).toMatchObject({ action: "rollback", percent: 0 });
    expect(next.reason).toContain("rolled back at 5 %: next's circuit breaker is open (error rate 1 over 5 requests");
  });

  it("minRequests 0 advances on schedule with no traffic", () => {
    expect(nextCanaryStep({ step: 0, percent: 5, updatedAt: 0 }, win(0, 0, undefined), HOUR, canary({ minRequests: 0 }))).toMatchObject({
      action: "advance",
      percent: 25,
    });
  });
});

describe("CanaryController", () => {
  const T0 = 1_800_000_000_000;
  const setup = () => {
    const config = acmeConfig(); // legal-review: canary claude-next, steps [5, 25, 100]
    const route = config.routes["legal-review"];
    if (route?.canary === undefined) throw new Error("fixture");
    route.canary = { ...route.canary, everyMs: 60_000, guard: { maxErrorRate: 0.1, minRequests: 10 } };
    const state = createMemoryStateStores();
    state.rollout.activate(config, T0);
    let clock = T0;
    const changes: string[] = [];
    const controller = new CanaryController({
      rollout: state.rollout,
      health: state.health,
      config: () => config,
      now: () => clock,
      onChange: (c) => changes.push(`${c.action} ${c.percent}`),
    });
    const traffic = (n: number, errors: number) => {
      for (let i = 0; i < n; i++) {
        // as execute does: every attempt feeds the breaker; the canary model's on its route also the guard window
        const attempt = {
          model: "claude-next",
          route: "legal-review",
          ok: i >= errors,
          ...(i < errors ? { errorClass: "5xx" as const } : {}),
          latencyMs: 100,
          now: clock,
        };
        state.health.recordAttempt(attempt);
        state.rollout.recordCanaryAttempt("legal-review", attempt);
      }
    };
    return { state, controller, changes, traffic, tick: (ms: number) => (clock += ms), clock: () => clock, config };
  };

  it("walks a healthy canary through its steps to 100 %", async () => {
    const { state, controller, changes, traffic, tick } = setup();
    for (let i = 0; i < 4; i++) {
      traffic(20, 1);
      tick(60_000);
      await controller.evaluate();
    }
    expect(changes).toEqual(["advance 25", "advance 100"]);
    expect(state.view(T0).canaryPercent("legal-review")).toBe(100);
    expect(state.rollout.snapshot()["legal-review"]).toMatchObject({ step: 2, percent: 100 });
  });

  it("rolls a failing canary back to 0 % at the first evaluation after the guard breaks, with the reason", async () => {
    const { state, controller, traffic, tick } = setup();
    traffic(10, 5);
    tick(1_000);
    expect(await controller.evaluate()).toMatchObject([{ route: "legal-review", action: "rollback", percent: 0 }]);
    expect(state.view(T0).canaryPercent("legal-review")).toBe(0);
    const snap = state.rollout.snapshot()["legal-review"];
    expect(snap).toMatchObject({ step: -1, percent: 0 });
    expect(snap?.reason).toContain("error rate 0.5 > 0.1");
    tick(10 * 60_000);
    traffic(50, 0);
    expect(await controller.evaluate()).toEqual([]);
  });

  it("a release that does not change the canary keeps its step; one that changes it restarts", async () => {
    const { state, controller, traffic, tick, config } = setup();
    traffic(20, 0);
    tick(60_000);
    await controller.evaluate();
    expect(state.view(T0).canaryPercent("legal-review")).toBe(25);
    state.rollout.activate(structuredClone(config), T0 + 1);
    expect(state.view(T0).canaryPercent("legal-review")).toBe(25);
    const changed = structuredClone(config);
    const route = changed.routes["legal-review"];
    if (route?.canary === undefined) throw new Error("fixture");
    route.canary.steps = [10, 50, 100];
    state.rollout.activate(changed, T0 + 2);
    expect(state.view(T0).canaryPercent("legal-review")).toBe(10);
  });

  it("acts only while it holds its environment's controller lease; another controller takes over once the lease lapses", async () => {
    const { state, controller, changes, traffic, tick, config, clock } = setup();
    const standbyChanges: string[] = [];
    const standby = new CanaryController({
      rollout: state.rollout,
      health: state.health,
      config: () => config,
      now: clock,
      leaseTtlMs: 120_000,
      onChange: (c) => standbyChanges.push(`${c.action} ${c.percent}`),
    });
    traffic(20, 0);
    tick(60_000);
    await controller.evaluate(); // takes the lease for 3 × its 5 s interval, and advances
    expect(await standby.evaluate()).toEqual([]); // the lease is held
    traffic(20, 0);
    tick(15_000); // the first controller did not renew: its lease lapsed
    expect(await standby.evaluate()).toEqual([]); // took the lease; the step is only 15 s old
    tick(60_000);
    expect(await standby.evaluate()).toMatchObject([{ action: "advance", percent: 100 }]);
    expect(await controller.evaluate()).toEqual([]); // the standby holds it now
    expect([changes, standbyChanges]).toEqual([["advance 25"], ["advance 100"]]);
  });

  it("start() runs on an unref'd timer and stop() ends it", () => {
    const { controller } = setup();
    controller.start();
    controller.stop();
  });
});
