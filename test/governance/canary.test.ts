/** @module Canary progression over real HTTP (mock providers, injected clock): a failing guard rolls back within one window, a healthy one reaches 100 %. */
import { afterEach, describe, expect, it } from "vitest";
import { createMemoryStateStores, type RunningRouter } from "@switchyard/router";
import { ADMIN_TOKEN, adminFetch, releaseText } from "../helpers/admin.ts";
import { releaseOf } from "../helpers/release.ts";
import { chat, startTestRouter } from "../helpers/router.ts";

const EVERY_MS = 600_000;

let router: RunningRouter | undefined;
afterEach(async () => {
  await router?.close();
  router = undefined;
});

/** `lenientBreaker`: the canary's breaker never opens, so the guard alone judges it. */
/** The test release; `reply` varies it without touching the canary, `steps` changes the canary. */
function canaryRelease(canaryFailRate: number, options: { reply?: string; steps?: number[] } = {}) {
  return releaseOf({
    providers: {
      stable: { kind: "mock", mock: { reply: options.reply ?? "stable" } },
      fresh: { kind: "mock", mock: { failRate: canaryFailRate, failStatus: 500 } },
    },
    models: {
      current: { provider: "stable", name: "current-1", context: 8_000, price: { input: 1, output: 1 } },
      next: { provider: "fresh", name: "next-1", context: 8_000, price: { input: 1, output: 1 } },
    },
    routes: {
      chat: {
        model: "current",
        canary: { model: "next", steps: options.steps ?? [20, 50, 100], everyMs: EVERY_MS, guard: { maxErrorRate: 0.05, minRequests: 10 } },
      },
    },
  });
}

async function start(canaryFailRate: number, options: { lenientBreaker?: boolean } = {}) {
  let clock = Date.UTC(2027, 2, 3, 9);
  const state = createMemoryStateStores(options.lenientBreaker === true ? { breaker: { consecutiveFailures: 1_000, errorRate: 1.1 } } : {});
  const release = canaryRelease(canaryFailRate);
  router = await startTestRouter(release, { state, now: () => clock, canaryIntervalMs: 0, env: { SWITCHYARD_ADMIN_TOKEN: ADMIN_TOKEN } });
  /** `n` requests from distinct users; returns how many the canary answered. */
  const traffic = async (n: number, tag: string): Promise<number> => {
    let canary = 0;
    for (let i = 0; i < n; i += 10) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(10, n - i) }, (_, j) =>
          chat(router as RunningRouter, { model: "chat", user: `${tag}-${i + j}`, messages: [{ role: "user", content: "hi" }] }),
        ),
      );
      for (const res of batch) {
        expect(res.status).toBe(200); // a failing canary falls back to the primary: callers never see it
        if (res.headers.get("x-switchyard-model") === "next") canary++;
        await res.text();
      }
    }
    return canary;
  };
  return { router, state, traffic, advance: (ms: number) => (clock += ms), now: () => clock };
}

describe("canary progression", () => {
  it("a canary with a failing guard rolls back to 0 % at the first evaluation after its window fills, recording why", async () => {
    const { router, state, traffic, now } = await start(1, { lenientBreaker: true });
    expect(state.view(now()).canaryPercent("chat")).toBe(20);
    await traffic(80, "a"); // ~16 canary attempts at 20 %, every one a 500
    const changes = await router.canaries.evaluate(); // same instant: well within one window
    expect(changes).toMatchObject([{ route: "chat", action: "rollback", percent: 0 }]);
    const snap = state.rollout.snapshot()["chat"];
    expect(snap).toMatchObject({ model: "next", percent: 0, step: -1 });
    expect(snap?.reason).toMatch(/^rolled back at 20 %: error rate 1 > 0\.05 over \d+ requests$/);
    expect(await traffic(30, "b")).toBe(0); // nobody is sent to the canary any more
    const admin = await adminFetch(router.url, "GET", "/admin/state");
    expect(admin.status).toBe(200);
    expect((admin.json as { canaries: Record<string, { percent: number; reason: string }> }).canaries["chat"]).toMatchObject({
      percent: 0,
      reason: snap?.reason,
    });
  });

  it("a canary whose breaker opened (so its window cannot fill) rolls back too", async () => {
    const { router, state, traffic, now } = await start(1);
    await traffic(60, "c");
    expect(await router.canaries.evaluate()).toMatchObject([{ action: "rollback", percent: 0 }]);
    expect(state.rollout.snapshot()["chat"]?.reason).toContain("next's circuit breaker is open");
  });

  it("a canary with a healthy guard walks 20 → 50 → 100 % on schedule (time injected) and then takes all traffic", async () => {
    const { router, state, traffic, advance, now } = await start(0);
    const percents: number[] = [state.view(now()).canaryPercent("chat")];
    for (let i = 0; i < 3; i++) {
      await traffic(60, `h${i}`);
      advance(EVERY_MS / 2);
      expect(await router.canaries.evaluate()).toEqual([]); // not due yet
      advance(EVERY_MS / 2);
      await router.canaries.evaluate();
      percents.push(state.view(now()).canaryPercent("chat"));
    }
    expect(percents).toEqual([20, 50, 100, 100]);
    expect(state.rollout.snapshot()["chat"]).toMatchObject({ step: 2, percent: 100 });
    expect(await traffic(20, "done")).toBe(20);
  });

  it("activating a release that leaves the canary alone keeps its step; one that changes it starts over", async () => {
    const { router, state, traffic, advance, now } = await start(0);
    await traffic(60, "s");
    advance(EVERY_MS);
    await router.canaries.evaluate();
    expect(state.view(now()).canaryPercent("chat")).toBe(50);
    const push = async (release: ReturnType<typeof canaryRelease>) => {
      expect((await adminFetch(router.url, "PUT", `/admin/releases/${release.hash}`, { body: releaseText(release) })).status).toBeLessThan(300);
      expect((await adminFetch(router.url, "POST", `/admin/releases/${release.hash}/activate`)).status).toBe(200);
    };
    const same = canaryRelease(0, { reply: "stable v2" });
    await push(same);
    expect(router.active.current.hash).toBe(same.hash);
    expect(state.rollout.snapshot()["chat"]).toMatchObject({ step: 1, percent: 50 });
    await push(canaryRelease(0, { reply: "stable v3", steps: [10, 100] }));
    expect(state.rollout.snapshot()["chat"]).toMatchObject({ step: 0, percent: 10, reason: "canary started" });
  });
});
