/** @module /metrics per router instance: no shared registry between routers in one process; breaker state, canary share and config info from live state. */
import { afterEach, describe, expect, it } from "vitest";
import { createMemoryStateStores, type RunningRouter, type TraceRecord } from "@switchyard/router";
import { releaseOf } from "../helpers/release.ts";
import { chat, startTestRouter } from "../helpers/router.ts";
import { parsePrometheus, sum } from "./helpers.ts";

const routers: RunningRouter[] = [];
afterEach(async () => {
  await Promise.all(routers.splice(0).map((r) => r.close()));
});

const base = {
  providers: { mock: { kind: "mock" as const }, broken: { kind: "mock" as const, mock: { failRate: 1, failStatus: 503 } } },
  models: {
    steady: { provider: "mock", name: "steady", context: 32_000, price: { input: 2, output: 4 } },
    flaky: { provider: "broken", name: "flaky", context: 32_000, price: { input: 1, output: 1 } },
    next: { provider: "mock", name: "next", context: 32_000, price: { input: 5, output: 10 } },
  },
};

async function scrape(router: RunningRouter) {
  const res = await fetch(`${router.url}/metrics`);
  expect(res.status).toBe(200);
  return parsePrometheus(await res.text());
}

async function send(router: RunningRouter, route: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const res = await chat(router, { model: route, messages: [{ role: "user", content: `hello ${i}` }] });
    await res.arrayBuffer();
  }
}

describe("/metrics", () => {
  it("each router has its own registry: two routers in one process count only their own traffic", async () => {
    const release = releaseOf({ ...base, routes: { chat: { model: "steady" } } });
    const a = await startTestRouter(release);
    const b = await startTestRouter(release);
    routers.push(a, b);
    await send(a, "chat", 3);
    await send(b, "chat", 5);
    expect(sum(await scrape(a), "switchyard_requests_total")).toBe(3);
    expect(sum(await scrape(b), "switchyard_requests_total")).toBe(5);
  });

  it("breaker state per model: a failing deployment shows open (2) after its failures, the healthy one closed (0)", async () => {
    const release = releaseOf({ ...base, routes: { chat: { model: "flaky", fallback: [{ model: "steady" }] } } });
    const router = await startTestRouter(release, { state: createMemoryStateStores({ breaker: { consecutiveFailures: 3 } }) });
    routers.push(router);
    await send(router, "chat", 6);
    const samples = await scrape(router);
    expect(sum(samples, "switchyard_breaker_state", { model: "flaky" })).toBe(2);
    expect(sum(samples, "switchyard_breaker_state", { model: "steady" })).toBe(0);
    expect(sum(samples, "switchyard_requests_total", { route: "chat", model: "steady", status: "200" })).toBe(6);
    // Fallbacks only while the breaker was closed; once open, decide() skips the flaky model.
    expect(sum(samples, "switchyard_fallbacks_total", { route: "chat", from: "flaky", to: "steady", reason: "5xx" })).toBe(3);
    expect(sum(samples, "switchyard_attempts_total", { model: "flaky", outcome: "error", error_class: "5xx" })).toBe(3);
  });

  it("canary share: requests on the canary, the route's canary percent, and the trace records agree", async () => {
    const release = releaseOf({ ...base, routes: { chat: { model: "steady", canary: { model: "next", steps: [100], everyMs: 3_600_000 } } } });
    const router = await startTestRouter(release);
    routers.push(router);
    const records: TraceRecord[] = [];
    router.telemetry.addSink({ write: (r) => void records.push(r), close: async () => undefined });
    await send(router, "chat", 4);
    const samples = await scrape(router);
    expect(sum(samples, "switchyard_canary_percent", { route: "chat" })).toBe(100);
    expect(sum(samples, "switchyard_canary_requests_total", { route: "chat" })).toBe(4);
    expect(records.filter((r) => r.canary && r.model === "next")).toHaveLength(4);
    expect(records.every((r) => r.attempts[0]?.reason === "canary")).toBe(true);
    // Cost to the cent: the counter equals the records' sum.
    const cost = records.reduce((a, r) => a + r.costUsd, 0);
    expect(cost).toBeGreaterThan(0);
    expect(sum(samples, "switchyard_cost_usd_total")).toBeCloseTo(cost, 9);
  });

  it("HEAD answers headers only; other methods are refused in the OpenAI error shape", async () => {
    const router = await startTestRouter(releaseOf({ ...base, routes: { chat: { model: "steady" } } }));
    routers.push(router);
    const head = await fetch(`${router.url}/metrics`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
    const post = await fetch(`${router.url}/metrics`, { method: "POST" });
    expect(post.status).toBe(405);
    expect(((await post.json()) as { error: { code: string } }).error.code).toBe("method_not_allowed");
  });
});
