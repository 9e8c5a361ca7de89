/** @module Budgets over real HTTP: hard exhaustion under 50 concurrent requests, fallback re-checks, soft flags, no budget no refusal, alerts. */
import OpenAI from "openai";
import { afterEach, describe, expect, it } from "vitest";
import type { ConfigInput } from "@switchyard/ir";
import { type BudgetAlert, createMemoryStateStores, type MemoryStateStores, type RunningRouter } from "@switchyard/router";
import { chatRequestFeatures } from "@switchyard/router/core";
import { attemptEstimateUsd } from "../../packages/router/src/governance/estimate.ts";
import { periodBounds } from "../../packages/router/src/state/budget-period.ts";
import { type FakeOpenAi, startFakeOpenAi } from "../helpers/fake-openai.ts";
import { releaseOf } from "../helpers/release.ts";
import { chat, startTestRouter } from "../helpers/router.ts";

const messages = [{ role: "user", content: "How do I reset my password?" }];
const MAX_TOKENS = 10;
const env = { TEAM_KEY: "sk-team", OTHER_KEY: "sk-other" };
const auth = { authorization: "Bearer sk-team" };

let fake: FakeOpenAi | undefined;
let router: RunningRouter | undefined;
afterEach(async () => {
  await router?.close();
  await fake?.close();
  router = undefined;
  fake = undefined;
});

/** $1 per 1k tokens on `cheap`, 10× that on `pricey`: easy sums. */
function config(fakeUrl: string, teams: ConfigInput["teams"], route: Record<string, unknown> = { model: "cheap" }) {
  return releaseOf({
    providers: { up: { kind: "openai", baseUrl: fakeUrl } },
    models: {
      cheap: { provider: "up", name: "cheap-1", context: 8_000, price: { input: 1_000, output: 1_000 } },
      pricey: { provider: "up", name: "pricey-1", context: 8_000, price: { input: 10_000, output: 10_000 } },
    },
    routes: { chat: route as never },
    teams,
  });
}

/** The state's snapshot over the running router's active config (the teams it lists). */
const budgetsOf = (state: MemoryStateStores) => {
  if (router === undefined) throw new Error("no router");
  return state.snapshot(router.active.current.config, Date.now());
};

const estimateOn = (price: number) =>
  attemptEstimateUsd({ price: { input: price, output: price } } as never, chatRequestFeatures({ messages, max_tokens: MAX_TOKENS }));

describe("hard budgets", () => {
  it("50 concurrent requests overspend by at most the in-flight reservations, refusals carry Retry-After to the period's end, alerts fire once", async () => {
    fake = await startFakeOpenAi(() => ({ kind: "ok", delayMs: 40, usage: { prompt_tokens: 7, completion_tokens: MAX_TOKENS } }));
    const state = createMemoryStateStores();
    const alerts: BudgetAlert[] = [];
    const limitUsd = 0.2;
    router = await startTestRouter(
      config(fake.baseUrl, {
        support: { keys: [{ secret: "TEAM_KEY" }], routes: ["chat"], budget: { usd: limitUsd, per: "month", mode: "hard", alertAt: [0.5, 0.8] } },
      }),
      {
        env,
        state,
        hooks: { onBudgetAlert: (a) => alerts.push(a) },
      },
    );
    const estimate = estimateOn(1_000);
    const responses = await Promise.all(
      Array.from({ length: 50 }, () => chat(router as RunningRouter, { model: "chat", messages, max_tokens: MAX_TOKENS }, auth)),
    );
    const bodies = await Promise.all(
      responses.map(async (r) => ({
        status: r.status,
        retryAfter: r.headers.get("retry-after"),
        json: (await r.json()) as { error?: { code: string; message: string } },
      })),
    );
    const ok = bodies.filter((b) => b.status === 200);
    const refused = bodies.filter((b) => b.status === 429);
    expect(ok.length + refused.length).toBe(50);
    // at least as many as the limit holds at the estimate (early settlements at the real, lower cost free a little more)
    expect(ok.length).toBeGreaterThanOrEqual(Math.floor(limitUsd / estimate));
    const { end } = periodBounds("month", Date.now());
    for (const r of refused) {
      expect(r.json.error?.code).toBe("budget_exceeded");
      expect(r.json.error?.message).toContain("hard budget");
      expect(Math.abs(Number(r.retryAfter) - (end - Date.now()) / 1_000)).toBeLessThan(5);
    }
    const snap = (await budgetsOf(state)).budgets["support"];
    const costEach = (7 + MAX_TOKENS) * 0.001;
    expect(snap?.spentUsd).toBeCloseTo(ok.length * costEach, 9);
    expect(snap?.reservedUsd).toBe(0);
    expect(snap?.spentUsd).toBeLessThanOrEqual(limitUsd + 50 * estimate); // the bound
    expect(snap?.spentUsd).toBeLessThanOrEqual(limitUsd); // and here, with max_tokens set, none at all
    expect(fake.requests.length).toBe(ok.length); // refused requests never reached the upstream
    // Under concurrency a request may be refused while others' reservations (later settled lower) held
    // the room; once nothing is in flight, requests are served until less than one estimate is left.
    let topUps = 0;
    for (; topUps < 50; topUps++) {
      const r = await chat(router as RunningRouter, { model: "chat", messages, max_tokens: MAX_TOKENS }, auth);
      await r.arrayBuffer();
      if (r.status === 429) break;
      expect(r.status).toBe(200);
    }
    const final = (await budgetsOf(state)).budgets["support"];
    expect(final?.spentUsd).toBeLessThanOrEqual(limitUsd);
    expect(limitUsd - (final?.spentUsd ?? 0)).toBeLessThan(estimate); // nothing refused that still fitted
    expect(fake.requests.length).toBe(ok.length + topUps); // the refused top-up never reached the upstream
    expect(alerts.map((a) => a.threshold).sort()).toEqual([0.5, 0.8]);
    expect(alerts[0]).toMatchObject({ team: "support", limitUsd, period: "month", mode: "hard" });
  });

  it("a fallback to a pricier model is refused when it would break the hard budget; the cheap step still serves", async () => {
    let failCheap = true;
    fake = await startFakeOpenAi(() => ({ kind: "ok" }));
    fake.setScript((i) =>
      failCheap && fake?.requests[i]?.body["model"] === "cheap-1"
        ? { kind: "status", status: 503 }
        : { kind: "ok", usage: { prompt_tokens: 7, completion_tokens: 3 } },
    );
    // room for a cheap attempt (~$0.02), not for a pricey one (~$0.2)
    const limitUsd = estimateOn(1_000) * 3;
    expect(estimateOn(10_000)).toBeGreaterThan(limitUsd);
    const state = createMemoryStateStores();
    router = await startTestRouter(
      config(
        fake.baseUrl,
        { support: { keys: [{ secret: "TEAM_KEY" }], routes: ["chat"], budget: { usd: limitUsd, per: "day" } } },
        { model: "cheap", fallback: [{ model: "pricey" }] },
      ),
      { env, state },
    );
    const res = await chat(router, { model: "chat", messages, max_tokens: MAX_TOKENS }, auth);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(res.status).toBe(429);
    expect(body.error.code).toBe("budget_exceeded");
    expect(body.error.message).toContain("pricey would exceed team `support`'s hard budget");
    expect(body.error.message).toContain("cheap@up");
    expect(res.headers.get("x-switchyard-attempts")).toBe("1");
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(fake.requests.map((r) => r.body["model"])).toEqual(["cheap-1"]); // pricey was never called
    await new Promise((r) => setTimeout(r, 20));
    expect((await budgetsOf(state)).budgets["support"]).toMatchObject({ spentUsd: 0, reservedUsd: 0 }); // the failed attempt released its hold

    failCheap = false;
    const served = await chat(router, { model: "chat", messages, max_tokens: MAX_TOKENS }, auth);
    expect(served.status).toBe(200);
    expect(served.headers.get("x-switchyard-model")).toBe("cheap");
  });

  it("the same fallback is taken when the budget has room for it", async () => {
    fake = await startFakeOpenAi();
    fake.setScript((i) => (fake?.requests[i]?.body["model"] === "cheap-1" ? { kind: "status", status: 503 } : { kind: "ok" }));
    router = await startTestRouter(
      config(
        fake.baseUrl,
        { support: { keys: [{ secret: "TEAM_KEY" }], routes: ["chat"], budget: { usd: 10, per: "week" } } },
        { model: "cheap", fallback: [{ model: "pricey" }] },
      ),
      { env },
    );
    const res = await chat(router, { model: "chat", messages, max_tokens: MAX_TOKENS }, auth);
    expect(res.status).toBe(200);
    expect(res.headers.get("x-switchyard-model")).toBe("pricey");
  });
});

describe("reservations end with their attempt", () => {
  it("a client that goes away releases its reservation without spending", async () => {
    fake = await startFakeOpenAi(() => ({ kind: "ok", delayMs: 2_000 }));
    const state = createMemoryStateStores();
    router = await startTestRouter(config(fake.baseUrl, { support: { keys: [{ secret: "TEAM_KEY" }], routes: ["chat"], budget: { usd: 1, per: "month" } } }), {
      env,
      state,
    });
    const abort = new AbortController();
    const pending = fetch(`${router.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", ...auth },
      body: JSON.stringify({ model: "chat", messages, max_tokens: MAX_TOKENS }),
      signal: abort.signal,
    }).catch((e: unknown) => e);
    await expect.poll(async () => (await budgetsOf(state)).budgets["support"]?.reservedUsd).toBeGreaterThan(0);
    abort.abort();
    await pending;
    await expect.poll(async () => (await budgetsOf(state)).budgets["support"]?.reservedUsd).toBe(0);
    expect((await budgetsOf(state)).budgets["support"]?.spentUsd).toBe(0);
  });
});

describe("soft budgets and teams without a budget", () => {
  it("a soft budget flags every answer past the limit and refuses none (streaming included, through the OpenAI client)", async () => {
    fake = await startFakeOpenAi(() => ({ kind: "ok", usage: { prompt_tokens: 7, completion_tokens: 3 } }));
    const state = createMemoryStateStores();
    router = await startTestRouter(
      config(fake.baseUrl, { support: { keys: [{ secret: "TEAM_KEY" }], routes: ["chat"], budget: { usd: 0.05, per: "month", mode: "soft" } } }),
      { env, state },
    );
    const flags: (string | null)[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await chat(router, { model: "chat", messages, max_tokens: MAX_TOKENS }, auth);
      expect(res.status).toBe(200);
      await res.text();
      flags.push(res.headers.get("x-switchyard-budget"));
    }
    // $0.01 settled per request: the estimate (~$0.02) no longer fits from the 4th on
    expect(flags.slice(0, 2)).toEqual([null, null]);
    expect(flags.slice(-2)).toEqual(["soft-exceeded", "soft-exceeded"]);
    const client = new OpenAI({ baseURL: `${router.url}/v1`, apiKey: "sk-team", maxRetries: 0 });
    const { data: stream, response } = await client.chat.completions
      .create({ model: "chat", messages: [{ role: "user", content: "hi" }], max_tokens: MAX_TOKENS, stream: true })
      .withResponse();
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    expect(text).not.toBe("");
    expect(response.headers.get("x-switchyard-budget")).toBe("soft-exceeded");
    const snap = (await budgetsOf(state)).budgets["support"];
    expect(snap?.spentUsd).toBeCloseTo(7 * 0.01, 9); // the stream settled from its usage chunk too
    expect(snap?.spentUsd).toBeGreaterThan(snap?.limitUsd ?? 0);
  });

  it("a team without a budget is never refused for budget, even next to an exhausted one", async () => {
    fake = await startFakeOpenAi(() => ({ kind: "ok", usage: { prompt_tokens: 5_000, completion_tokens: 5_000 } }));
    const state = createMemoryStateStores();
    router = await startTestRouter(
      config(fake.baseUrl, {
        broke: { keys: [{ secret: "OTHER_KEY" }], routes: ["chat"], budget: { usd: 0, per: "day" } },
        free: { keys: [{ secret: "TEAM_KEY" }], routes: ["chat"] },
      }),
      { env, state },
    );
    const refused = await chat(router, { model: "chat", messages }, { authorization: "Bearer sk-other" });
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("budget_exceeded");
    const results = await Promise.all(Array.from({ length: 20 }, () => chat(router as RunningRouter, { model: "chat", messages }, auth)));
    for (const res of results) {
      expect(res.status).toBe(200);
      expect(res.headers.get("x-switchyard-budget")).toBeNull();
      expect(res.headers.get("x-ratelimit-limit-requests")).toBeNull();
      await res.text();
    }
    const snap = await budgetsOf(state);
    expect(Object.keys(snap.budgets)).toEqual(["broke"]);
  });
});
