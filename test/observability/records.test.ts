/** @module Trace records at the edges: a stream that breaks after it started, a client that goes away, 429 rate limits, validator outcomes. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMemoryStateStores, type RunningRouter, type TraceRecord } from "@switchyard/router";
import type { Behaviour, FakeOpenAi } from "../helpers/fake-openai.ts";
import { startFakeOpenAi } from "../helpers/fake-openai.ts";
import { releaseOf } from "../helpers/release.ts";
import { chat, startTestRouter } from "../helpers/router.ts";

const KEY = "sk-obs-records";
let upstream: FakeOpenAi;
let backup: FakeOpenAi;
let router: RunningRouter;
const records: TraceRecord[] = [];
let next: Behaviour = { kind: "ok" };

beforeAll(async () => {
  upstream = await startFakeOpenAi(() => next);
  backup = await startFakeOpenAi(() => ({ kind: "ok", text: '{"answer": 42}' }));
  const release = releaseOf({
    providers: { up: { kind: "openai", baseUrl: upstream.baseUrl }, bk: { kind: "openai", baseUrl: backup.baseUrl } },
    models: {
      m: { provider: "up", name: "m", context: 32_000, price: { input: 1, output: 1 } },
      b: { provider: "bk", name: "b", context: 32_000, price: { input: 1, output: 1 } },
    },
    routes: { chat: { model: "m" }, json: { model: "m", fallback: [{ model: "b" }], validate: [{ kind: "json" }] }, limited: { model: "m" } },
    teams: { t: { keys: [{ secret: "K" }], routes: ["chat", "json"] }, slow: { keys: [{ secret: "K2" }], routes: ["limited"], limits: { rpm: 1 } } },
  });
  router = await startTestRouter(release, {
    env: { K: KEY, K2: "sk-limited" },
    state: createMemoryStateStores({ breaker: { consecutiveFailures: 1000, minCalls: 1000 } }),
  });
  router.telemetry.addSink({ write: (r) => void records.push(r), close: async () => undefined });
});

afterAll(async () => {
  await router?.close();
  await Promise.all([upstream?.close(), backup?.close()]);
});

const auth = { authorization: `Bearer ${KEY}` };
const last = () => records.at(-1);

describe("trace records at the edges", () => {
  it("a stream that breaks after it started: status 200 (what the client saw), outcome error, stream_interrupted", async () => {
    next = { kind: "error-mid-stream", afterChunks: 2 };
    const res = await chat(router, { model: "chat", stream: true, messages: [{ role: "user", content: "hi" }] }, auth);
    expect(res.status).toBe(200);
    await res.text();
    expect(last()).toMatchObject({ status: 200, outcome: "error", errorCode: "stream_interrupted", stream: true, model: "m" });
    expect(last()?.attempts.map((a) => a.outcome)).toEqual(["error"]);
  });

  it("a client that goes away: recorded as client_gone (499 when nothing was answered)", async () => {
    next = { kind: "hang" };
    const before = records.length;
    const body = JSON.stringify({ model: "chat", messages: [{ role: "user", content: "x" }] });
    const gave = await fetch(`${router.url}/v1/chat/completions`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body,
      signal: AbortSignal.timeout(150),
    }).catch((e: unknown) => e);
    expect(gave).toBeInstanceOf(Error);
    for (let i = 0; i < 50 && records.length === before; i++) await new Promise((r) => setTimeout(r, 20));
    expect(records.slice(before)).toHaveLength(1);
    expect(last()).toMatchObject({ status: 499, outcome: "error", errorCode: "client_gone", route: "chat", team: "t" });
    next = { kind: "ok" };
  });

  it("a 429 rate limit is recorded with its team and route and no attempt", async () => {
    const limited = { authorization: "Bearer sk-limited" };
    next = { kind: "ok" };
    const first = await chat(router, { model: "limited", messages: [{ role: "user", content: "hi" }] }, limited);
    await first.arrayBuffer();
    const second = await chat(router, { model: "limited", messages: [{ role: "user", content: "hi" }] }, limited);
    await second.arrayBuffer();
    expect(second.status).toBe(429);
    expect(last()).toMatchObject({ status: 429, outcome: "error", errorCode: "rate_limited", route: "limited", team: "slow", attempts: [] });
  });

  it("validators: a rejected answer is an attempt with errorClass validation; the fallback's answer passed", async () => {
    next = { kind: "ok", text: "not json at all" };
    const res = await chat(router, { model: "json", messages: [{ role: "user", content: "json please" }] }, auth);
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    expect(last()).toMatchObject({ validation: "passed", model: "b", fallback: true });
    expect(last()?.attempts.map((a) => [a.model, a.errorClass, a.reason, a.after])).toEqual([
      ["m", "validation", "primary", undefined],
      ["b", undefined, "fallback", "validation"],
    ]);
  });
});
