/**
 * @module Every request accounted for: after a scripted mix of successes, streams, retries,
 * fallbacks, upstream failures and 4xx refusals, the JSONL records, the OTLP spans received by a
 * real OTLP/HTTP receiver and `/metrics` agree on counts, tokens and cost to the cent.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMemoryStateStores, type RunningRouter, type TraceRecord } from "@switchyard/router";
import { otlpSink } from "@switchyard/router/otlp";
import type { Behaviour, FakeOpenAi } from "../helpers/fake-openai.ts";
import { startFakeOpenAi } from "../helpers/fake-openai.ts";
import { releaseOf } from "../helpers/release.ts";
import { chat, startTestRouter } from "../helpers/router.ts";
import { type OtlpReceiver, type ReceivedSpan, type Sample, cents, parsePrometheus, readRecords, startOtlpReceiver, sum } from "./helpers.ts";

const KEYS = { SUPPORT_KEY: "sk-support-secret", LEGAL_KEY: "sk-legal-secret" };

let primary: FakeOpenAi;
let backup: FakeOpenAi;
let receiver: OtlpReceiver;
let router: RunningRouter;
let dir: string;
let records: TraceRecord[];
let samples: Sample[];
let metricsText: string;

/** Behaviours of the primary upstream, in request order (requests run one at a time). */
const primaryScript: Behaviour[] = [];
const backupScript: Behaviour[] = [];
const ok = (usage = { prompt_tokens: 1200, completion_tokens: 345 }): Behaviour => ({ kind: "ok", usage });

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "sy-obs-"));
  primary = await startFakeOpenAi((i) => primaryScript[i] ?? ok());
  backup = await startFakeOpenAi((i) => backupScript[i] ?? ok());
  receiver = await startOtlpReceiver();
  const release = releaseOf({
    providers: {
      east: { kind: "openai", baseUrl: primary.baseUrl, region: "us-east" },
      west: { kind: "openai", baseUrl: backup.baseUrl, region: "eu-west" },
    },
    models: {
      big: { provider: "east", name: "gpt-big", context: 128_000, price: { input: 3, output: 15 } },
      small: { provider: "west", name: "gpt-small", context: 128_000, price: { input: 0.15, output: 0.6 } },
    },
    routes: {
      chat: { model: "big", fallback: [{ model: "small" }], retry: { attempts: 2, on: ["5xx"], backoffMs: 1 } },
      private: { model: "small", logPayloads: true },
    },
    teams: {
      support: { keys: [{ secret: "SUPPORT_KEY" }], routes: ["chat", "private"] },
      legal: { keys: [{ secret: "LEGAL_KEY" }], routes: ["private"] },
    },
    telemetry: {
      jsonl: { path: path.join(dir, "traces.jsonl") },
      otlp: { endpoint: receiver.endpoint, serviceName: "router-under-test" },
    },
  });
  // Breakers that never open keep the script's request order deterministic.
  const state = createMemoryStateStores({ breaker: { consecutiveFailures: 1000, minCalls: 1000 } });
  router = await startTestRouter(release, { env: KEYS, state, telemetry: { otlp: otlpSink } });
  const client = new OpenAI({ baseURL: `${router.url}/v1`, apiKey: KEYS.SUPPORT_KEY, maxRetries: 0 });
  const support = { authorization: `Bearer ${KEYS.SUPPORT_KEY}` };

  // 5 plain successes on the primary.
  for (let i = 0; i < 5; i++) {
    primaryScript.push(ok());
    await client.chat.completions.create({ model: "chat", messages: [{ role: "user", content: `hello ${i}` }] });
  }
  // 3 streams.
  for (let i = 0; i < 3; i++) {
    primaryScript.push(ok({ prompt_tokens: 50, completion_tokens: 20 }));
    const stream = await client.chat.completions.create({ model: "chat", stream: true, messages: [{ role: "user", content: "stream" }] });
    for await (const _ of stream) void _;
  }
  // 2 retries: the primary fails once with 503, then answers.
  for (let i = 0; i < 2; i++) {
    primaryScript.push({ kind: "status", status: 503 }, ok());
    await client.chat.completions.create({ model: "chat", messages: [{ role: "user", content: "retry" }] });
  }
  // 2 fallbacks: the primary fails twice, the backup answers.
  for (let i = 0; i < 2; i++) {
    primaryScript.push({ kind: "status", status: 500 }, { kind: "status", status: 502 });
    backupScript.push(ok({ prompt_tokens: 900, completion_tokens: 100 }));
    await client.chat.completions.create({ model: "chat", messages: [{ role: "user", content: "fallback" }] });
  }
  // 2 failures: every candidate fails, each after its retry → 502.
  for (let i = 0; i < 2; i++) {
    primaryScript.push({ kind: "status", status: 500 }, { kind: "status", status: 500 });
    backupScript.push({ kind: "status", status: 500 }, { kind: "status", status: 503 });
    const res = await chat(router, { model: "chat", messages: [{ role: "user", content: "doomed" }] }, support);
    expect(res.status).toBe(502);
    await res.arrayBuffer();
  }
  // 1 payload-logging route success (legal team).
  backupScript.push(ok({ prompt_tokens: 10, completion_tokens: 5 }));
  const legal = await chat(
    router,
    { model: "private", messages: [{ role: "user", content: "top secret prompt" }] },
    { authorization: `Bearer ${KEYS.LEGAL_KEY}` },
  );
  expect(legal.status).toBe(200);
  await legal.arrayBuffer();
  // 4xx refusals: unknown key, unknown route, invalid JSON, route not allowed.
  for (const [body, headers, status] of [
    [{ model: "chat", messages: [{ role: "user", content: "x" }] }, { authorization: "Bearer sk-wrong" }, 401],
    [{ model: "no-such-route", messages: [{ role: "user", content: "x" }] }, support, 404],
    ["{not json", support, 400],
    [{ model: "chat", messages: [{ role: "user", content: "x" }] }, { authorization: `Bearer ${KEYS.LEGAL_KEY}` }, 403],
  ] as const) {
    const res = await chat(router, body, headers);
    expect(res.status).toBe(status);
    await res.arrayBuffer();
  }

  const scrape = await fetch(`${router.url}/metrics`);
  expect(scrape.headers.get("content-type")).toMatch(/^text\/plain/);
  metricsText = await scrape.text();
  samples = parsePrometheus(metricsText);
  await router.close();
  records = await readRecords(path.join(dir, "traces.jsonl"));
}, 60_000);

afterAll(async () => {
  await router?.close();
  await Promise.all([primary?.close(), backup?.close(), receiver?.close()]);
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

const TOTAL = 5 + 3 + 2 + 2 + 2 + 1 + 4;

describe("one trace record per request", () => {
  it("every request has exactly one record, with the status the client saw", () => {
    expect(records).toHaveLength(TOTAL);
    expect(new Set(records.map((r) => r.requestId)).size).toBe(TOTAL);
    const byStatus = (s: number) => records.filter((r) => r.status === s).length;
    expect([byStatus(200), byStatus(502), byStatus(401), byStatus(404), byStatus(400), byStatus(403)]).toEqual([13, 2, 1, 1, 1, 1]);
    expect(
      records
        .filter((r) => r.outcome === "error")
        .map((r) => r.errorCode)
        .sort(),
    ).toEqual(["all_candidates_failed", "all_candidates_failed", "invalid_api_key", "invalid_json", "route_not_allowed", "route_not_found"].sort());
  });

  it("records attempts with model, provider, region, outcome, error class, latency, reason", () => {
    const fallback = records.find((r) => r.fallback);
    expect(fallback?.attempts.map((a) => [a.model, a.provider, a.region, a.outcome, a.errorClass, a.reason, a.after])).toEqual([
      ["big", "east", "us-east", "error", "5xx", "primary", undefined],
      ["big", "east", "us-east", "error", "5xx", "retry", "5xx"],
      ["small", "west", "eu-west", "ok", undefined, "fallback", "5xx"],
    ]);
    expect(fallback).toMatchObject({
      model: "small",
      provider: "west",
      route: "chat",
      team: "support",
      inputTokens: 900,
      outputTokens: 100,
      retries: 1,
      environment: "test",
      configVersion: router.active.current.hash,
    });
    expect(fallback?.candidates.map((c) => [c.model, c.step, c.source])).toEqual([
      ["big", 0, "primary"],
      ["small", 1, "fallback"],
    ]);
    const stream = records.find((r) => r.stream);
    expect(stream?.ttftMs).toBeTypeOf("number");
    expect(stream?.attempts[0]?.ttftMs).toBe(stream?.ttftMs);
    expect(records.filter((r) => r.retries > 0 && !r.fallback && r.outcome === "ok")).toHaveLength(2);
  });

  it("costs come from the catalog prices of the answering model", () => {
    const plain = records.find((r) => r.status === 200 && !r.stream && !r.fallback && r.route === "chat" && r.retries === 0);
    expect(plain?.costUsd).toBeCloseTo((1200 * 3 + 345 * 15) / 1e6, 9);
    const fallback = records.find((r) => r.fallback);
    expect(fallback?.costUsd).toBeCloseTo((900 * 0.15 + 100 * 0.6) / 1e6, 9);
  });

  it("4xx refusals are recorded without a route that was never configured, and never with a key", () => {
    const unknown = records.find((r) => r.errorCode === "route_not_found");
    expect(unknown).toMatchObject({ team: "support", attempts: [], costUsd: 0 });
    expect(unknown?.route).toBeUndefined();
    const unauth = records.find((r) => r.status === 401);
    expect(unauth?.team).toBeUndefined();
    const text = JSON.stringify(records);
    for (const key of Object.values(KEYS)) expect(text).not.toContain(key);
    expect(text).not.toContain("sk-wrong");
  });

  it("prompt and completion text appear only for the route that opts into payload logging", () => {
    const logged = records.filter((r) => r.payload !== undefined);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({
      route: "private",
      team: "legal",
      payload: { messages: [{ role: "user", content: "top secret prompt" }], completion: "Hello from fake" },
    });
    const others = JSON.stringify(records.filter((r) => r.payload === undefined));
    expect(others).not.toContain("hello 0");
    expect(others).not.toContain("Hello from fake");
  });
});

describe("JSONL, OTLP and /metrics agree", () => {
  const totals = () => ({
    requests: records.length,
    input: records.reduce((a, r) => a + r.inputTokens, 0),
    output: records.reduce((a, r) => a + r.outputTokens, 0),
    cost: records.reduce((a, r) => a + r.costUsd, 0),
    attempts: records.reduce((a, r) => a + r.attempts.length, 0),
  });

  it("the scripted mix adds up as expected", () => {
    expect(totals()).toMatchObject({ requests: TOTAL, input: 5 * 1200 + 3 * 50 + 2 * 1200 + 2 * 900 + 10, output: 5 * 345 + 3 * 20 + 2 * 345 + 2 * 100 + 5 });
  });

  it("/metrics: requests, tokens, cost (to the cent), fallbacks and retries match the records", () => {
    const t = totals();
    expect(sum(samples, "switchyard_requests_total")).toBe(t.requests);
    expect(sum(samples, "switchyard_requests_total", { status: "200" })).toBe(13);
    expect(sum(samples, "switchyard_requests_total", { route: "_unknown" })).toBe(3); // 401 and 400 before the body names a route, 404 unknown route
    expect(sum(samples, "switchyard_requests_total", { route: "chat", team: "support", model: "small", status: "200" })).toBe(2);
    expect(sum(samples, "switchyard_tokens_total", { direction: "input" })).toBe(t.input);
    expect(sum(samples, "switchyard_tokens_total", { direction: "output" })).toBe(t.output);
    expect(cents(sum(samples, "switchyard_cost_usd_total"))).toBe(cents(t.cost));
    expect(sum(samples, "switchyard_cost_usd_total")).toBeCloseTo(t.cost, 9);
    expect(sum(samples, "switchyard_attempts_total")).toBe(t.attempts);
    expect(sum(samples, "switchyard_fallbacks_total", { route: "chat", from: "big", to: "small", reason: "5xx" })).toBe(4);
    expect(sum(samples, "switchyard_retries_total", { route: "chat", model: "big", reason: "5xx" })).toBe(2 + 2 + 2);
    expect(sum(samples, "switchyard_retries_total", { route: "chat", model: "small", reason: "5xx" })).toBe(2);
    expect(sum(samples, "switchyard_request_duration_seconds_count")).toBe(t.requests);
    expect(sum(samples, "switchyard_time_to_first_token_seconds_count")).toBe(13);
    expect(sum(samples, "switchyard_config_info", { version: router.active.current.hash, environment: "test" })).toBe(1);
    expect(sum(samples, "switchyard_breaker_state", { model: "big" })).toBeGreaterThanOrEqual(0);
    expect(sum(samples, "switchyard_telemetry_dropped_total")).toBe(0);
    // Label values come from the config only.
    const routes = new Set(samples.filter((s) => s.labels["route"] !== undefined).map((s) => s.labels["route"]));
    expect([...routes].sort()).toEqual(["_unknown", "chat", "private"]);
    expect(metricsText).not.toContain("no-such-route");
  });

  it("OTLP: one SERVER span per request and one CLIENT child per attempt, with GenAI attributes agreeing on tokens and cost", () => {
    expect(receiver.requests.every((t) => t.startsWith("application/json"))).toBe(true);
    const roots = receiver.spans.filter((s) => s.parentSpanId === undefined);
    const children = receiver.spans.filter((s) => s.parentSpanId !== undefined);
    const t = totals();
    expect(roots).toHaveLength(t.requests);
    expect(children).toHaveLength(t.attempts);
    expect(roots.every((s) => s.kind === 2 && s.service === "router-under-test")).toBe(true); // SERVER
    expect(children.every((s) => s.kind === 3)).toBe(true); // CLIENT
    const rootIds = new Map(roots.map((s) => [s.spanId, s]));
    for (const child of children) {
      const parent = rootIds.get(child.parentSpanId ?? "");
      expect(parent?.traceId).toBe(child.traceId);
      expect(child.startNs >= (parent?.startNs ?? 0n) && child.endNs <= (parent?.endNs ?? 0n)).toBe(true);
    }
    const attr = (s: Pick<ReceivedSpan, "attributes">, k: string) => Number(s.attributes[k] ?? 0);
    expect(roots.reduce((a, s) => a + attr(s, "gen_ai.usage.input_tokens"), 0)).toBe(t.input);
    expect(roots.reduce((a, s) => a + attr(s, "gen_ai.usage.output_tokens"), 0)).toBe(t.output);
    expect(cents(roots.reduce((a, s) => a + attr(s, "switchyard.cost_usd"), 0))).toBe(cents(t.cost));
    expect(roots.every((s) => s.attributes["gen_ai.operation.name"] === "chat")).toBe(true);
    // Per request: the record and its span carry the same id, status and tokens.
    const byId = new Map(roots.map((s) => [s.attributes["switchyard.request_id"], s]));
    for (const r of records) {
      const span = byId.get(r.requestId);
      expect(span?.attributes["http.response.status_code"]).toBe(r.status);
      expect(attr(span ?? { attributes: {} }, "gen_ai.usage.output_tokens")).toBe(r.outputTokens);
      expect(span?.status).toBe(r.outcome === "ok" ? 0 : 2);
    }
    const fallback = records.find((r) => r.fallback);
    const fbSpan = byId.get(fallback?.requestId);
    expect(fbSpan?.attributes).toMatchObject({
      "gen_ai.request.model": "chat",
      "gen_ai.response.model": "gpt-small",
      "switchyard.fallback": true,
      "switchyard.team": "support",
    });
    const fbChildren = children.filter((c) => c.parentSpanId === fbSpan?.spanId);
    expect(fbChildren.map((c) => [c.attributes["gen_ai.request.model"], c.attributes["switchyard.reason"], c.attributes["error.type"]])).toEqual([
      ["gpt-big", "primary", "5xx"],
      ["gpt-big", "retry", "5xx"],
      ["gpt-small", "fallback", undefined],
    ]);
    expect(JSON.stringify(receiver.spans, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v))).not.toContain("top secret prompt");
  });
});
