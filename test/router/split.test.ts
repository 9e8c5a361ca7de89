/** End to end through HTTP: weighted split and canary share within statistical bounds, sticky canary per user. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningRouter } from "@switchyard/router";
import { releaseOf } from "../helpers/release.ts";
import { startTestRouter } from "../helpers/router.ts";

let router: RunningRouter;

beforeAll(async () => {
  router = await startTestRouter(
    releaseOf({
      providers: { sim: { kind: "mock", mock: { reply: "ok" } } },
      models: {
        a: { provider: "sim", name: "a", context: 8_000, price: { input: 1, output: 1 } },
        b: { provider: "sim", name: "b", context: 8_000, price: { input: 1, output: 1 } },
        stable: { provider: "sim", name: "stable", context: 8_000, price: { input: 1, output: 1 } },
        next: { provider: "sim", name: "next", context: 8_000, price: { input: 1, output: 1 } },
      },
      tiers: {
        split: {
          models: [
            { model: "a", weight: 70 },
            { model: "b", weight: 30 },
          ],
          strategy: "weighted",
        },
      },
      routes: {
        weighted: { tier: "split" },
        canaried: { model: "stable", canary: { model: "next", steps: [25, 100], everyMs: 3_600_000 } },
      },
    }),
    { rng: Math.random },
  );
});

afterAll(async () => {
  await router.close();
});

async function modelsFor(route: string, n: number, user: (i: number) => string | undefined): Promise<string[]> {
  const out: string[] = [];
  const batch = 50;
  for (let start = 0; start < n; start += batch) {
    const results = await Promise.all(
      Array.from({ length: Math.min(batch, n - start) }, async (_, k) => {
        const i = start + k;
        const u = user(i);
        const res = await fetch(`${router.url}/v1/chat/completions`, {
          method: "POST",
          body: JSON.stringify({ model: route, messages: [{ role: "user", content: "x" }], ...(u !== undefined ? { user: u } : {}) }),
        });
        await res.arrayBuffer();
        return res.headers.get("x-switchyard-model") ?? "";
      }),
    );
    out.push(...results);
  }
  return out;
}

/** |observed − expected| within 4.5 standard deviations of a binomial. */
function withinBounds(hits: number, n: number, p: number): boolean {
  return Math.abs(hits - n * p) <= 4.5 * Math.sqrt(n * p * (1 - p));
}

describe("traffic split over HTTP", () => {
  it("a 70/30 weighted tier splits 2,000 requests within bounds", async () => {
    const models = await modelsFor("weighted", 2_000, () => undefined);
    const a = models.filter((m) => m === "a").length;
    expect(models.filter((m) => m !== "a" && m !== "b")).toEqual([]);
    expect(withinBounds(a, 2_000, 0.7)).toBe(true);
  });

  it("a canary at 25 % takes its share of 2,000 users, and each user stays on one side", async () => {
    const users = (i: number) => `user-${i}`;
    const first = await modelsFor("canaried", 2_000, users);
    const canary = first.filter((m) => m === "next").length;
    expect(withinBounds(canary, 2_000, 0.25)).toBe(true);
    const again = await modelsFor("canaried", 2_000, users);
    expect(again).toEqual(first);
  });
});
