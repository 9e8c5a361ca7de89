/**
 * @module The response cache over real HTTP (issue 22 item 2): a route's `cache` answers identical requests from the
 * stored answer in the requesting dialect (Chat, Responses, Messages; a streamed request gets a replayed stream), marks
 * it with `x-switchyard-cache`, costs $0 in the team's budget but counts against its rate limit, never crosses teams
 * with `scope: "team"`, honours `Cache-Control`, caches sampled requests only when the route says so, never keeps errors
 * or cut streams, expires after its ttl, and shows in traces and /metrics.
 */
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createMemoryStateStores, type RunningRouter, type TraceRecord } from "@switchyard/router";
import { startFakeAnthropic } from "../helpers/fake-anthropic.ts";
import { type FakeOpenAi, startFakeOpenAi } from "../helpers/fake-openai.ts";
import { releaseOf } from "../helpers/release.ts";
import { chat, startTestRouter } from "../helpers/router.ts";

let upstream: FakeOpenAi;
let router: RunningRouter;
const traces: TraceRecord[] = [];
const state = createMemoryStateStores();
let clock = Date.parse("2026-06-01T12:00:00Z");
let counter = 0;
/** A prompt no other test sent (each test starts from an empty cache for its own prompts). */
const fresh = (): string => `question ${++counter}: what are your opening hours?`;

beforeAll(async () => {
  upstream = await startFakeOpenAi(() => ({ kind: "ok", text: "We open at nine.", usage: { prompt_tokens: 1_000, completion_tokens: 500 } }));
  router = await startTestRouter(
    releaseOf({
      providers: { oai: { kind: "openai", baseUrl: upstream.baseUrl } },
      // $2 in, $8 out per 1M: 1000 in + 500 out = $0.006 an answer.
      models: { gpt: { provider: "oai", name: "gpt-x", context: 100_000, price: { input: 2, output: 8 } } },
      routes: {
        faq: { model: "gpt", cache: { ttlMs: 600_000, scope: "team" } },
        shared: { model: "gpt", cache: { ttlMs: 600_000, scope: "route" } },
        creative: { model: "gpt", cache: { ttlMs: 600_000, scope: "team", sampled: true } },
        plain: { model: "gpt" },
      },
      teams: {
        support: { keys: [{ secret: "SUPPORT_KEY" }], routes: ["faq", "shared", "creative", "plain"], budget: { usd: 100, per: "month" } },
        sales: { keys: [{ secret: "SALES_KEY" }], routes: ["faq", "shared"], limits: { rpm: 4 } },
      },
    }),
    {
      env: { SUPPORT_KEY: "sk-support", SALES_KEY: "sk-sales" },
      state,
      now: () => clock,
      telemetry: { sinks: [{ write: (r) => void traces.push(r), close: async () => undefined }] },
    },
  );
});

afterAll(async () => {
  await router?.close();
  await upstream?.close();
});

beforeEach(() => {
  upstream.setScript(() => ({ kind: "ok", text: "We open at nine.", usage: { prompt_tokens: 1_000, completion_tokens: 500 } }));
});

const openai = (key = "sk-support") => new OpenAI({ baseURL: `${router.url}/v1`, apiKey: key, maxRetries: 0 });
const ask = (route: string, content: string, extra: Record<string, unknown> = {}) => ({
  model: route,
  messages: [{ role: "user" as const, content }],
  temperature: 0,
  ...extra,
});
const traceOf = (id: string | null) => traces.find((t) => t.requestId === id);
const spent = async () => (await state.snapshot(router.active.current.config, clock)).budgets["support"]?.spentUsd ?? Number.NaN;

describe("Chat Completions", () => {
  it("a repeated request is answered from the cache: same answer, no upstream call, $0 in the budget, traced with what it saved", async () => {
    const question = fresh();
    const calls = upstream.requests.length;
    const first = await openai().chat.completions.create(ask("faq", question)).withResponse();
    expect(first.response.headers.get("x-switchyard-cache")).toBe("miss");
    const before = await spent();
    expect(before).toBeCloseTo(0.006, 9);
    const second = await openai().chat.completions.create(ask("faq", question)).withResponse();
    expect(second.response.headers.get("x-switchyard-cache")).toBe("hit");
    expect(second.response.headers.get("x-switchyard-model")).toBe("gpt");
    expect(second.response.headers.get("x-switchyard-attempts")).toBe("0");
    expect(second.data.choices[0]?.message.content).toBe("We open at nine.");
    expect(second.data.choices).toEqual(first.data.choices);
    expect(second.data.usage).toEqual(first.data.usage);
    expect(upstream.requests.length).toBe(calls + 1);
    expect(await spent()).toBe(before);
    const hit = traceOf(second.response.headers.get("x-switchyard-request-id"));
    expect(hit).toMatchObject({ cache: { status: "hit", savedUsd: 0.006 }, costUsd: 0, attempts: [], model: "gpt", status: 200, outcome: "ok" });
    expect(traceOf(first.response.headers.get("x-switchyard-request-id"))?.cache).toEqual({ status: "miss" });
  });

  it("streamed and plain requests share an answer: a streamed hit is a replayed stream, a stream's answer serves a plain request", async () => {
    const question = fresh();
    const calls = upstream.requests.length;
    // A streamed miss is kept once it ended cleanly…
    let streamed = "";
    for await (const chunk of await openai().chat.completions.create({ ...ask("faq", question), stream: true }))
      streamed += chunk.choices[0]?.delta.content ?? "";
    expect(streamed).toBe("We open at nine.");
    // …and serves a plain request.
    const plain = await openai().chat.completions.create(ask("faq", question)).withResponse();
    expect(plain.response.headers.get("x-switchyard-cache")).toBe("hit");
    expect(plain.data.choices[0]).toMatchObject({ message: { role: "assistant", content: "We open at nine." }, finish_reason: "stop" });
    // A streamed hit: the events of a stream, with usage when asked for.
    const { data: stream, response } = await openai()
      .chat.completions.create({ ...ask("faq", question), stream: true, stream_options: { include_usage: true } })
      .withResponse();
    expect(response.headers.get("x-switchyard-cache")).toBe("hit");
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    let text = "";
    let finish: string | null | undefined;
    let usage: unknown;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      finish ??= chunk.choices[0]?.finish_reason;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe("We open at nine.");
    expect(finish).toBe("stop");
    expect(usage).toMatchObject({ prompt_tokens: 1_000, completion_tokens: 500 });
    expect(upstream.requests.length).toBe(calls + 1);
  });

  it("requests differing in anything that shapes the answer do not share one; `user` and `metadata` do not split the cache", async () => {
    const question = fresh();
    const calls = upstream.requests.length;
    await openai().chat.completions.create(ask("faq", question));
    const headerOf = async (body: Record<string, unknown>) =>
      (await chat(router, body, { authorization: "Bearer sk-support" })).headers.get("x-switchyard-cache");
    expect(await headerOf(ask("faq", question, { max_tokens: 50 }))).toBe("miss");
    expect(await headerOf(ask("faq", question, { response_format: { type: "json_object" } }))).toBe("miss");
    expect(await headerOf(ask("faq", `${question}!`))).toBe("miss");
    expect(
      await headerOf({
        ...ask("faq", question),
        messages: [
          { role: "system", content: "Be brief." },
          { role: "user", content: question },
        ],
      }),
    ).toBe("miss");
    expect(await headerOf(ask("faq", question, { user: "someone-else", metadata: { ticket: "42" } }))).toBe("hit");
    // One text part reads as the same text.
    expect(await headerOf({ ...ask("faq", question), messages: [{ role: "user", content: [{ type: "text", text: question }] }] })).toBe("hit");
    expect(upstream.requests.length).toBe(calls + 5);
  });

  it("a route without `cache` neither looks up nor says anything", async () => {
    const question = fresh();
    await openai().chat.completions.create(ask("plain", question));
    const again = await chat(router, ask("plain", question), { authorization: "Bearer sk-support" });
    expect(again.headers.get("x-switchyard-cache")).toBeNull();
    expect(traceOf(again.headers.get("x-switchyard-request-id"))?.cache).toBeUndefined();
  });
});

describe("what is cached, and when the client bypasses it", () => {
  const post = (body: unknown, headers: Record<string, string> = {}) => chat(router, body, { authorization: "Bearer sk-support", ...headers });

  it("a sampled request (temperature absent or above 0) bypasses the cache unless the route opts in with `sampled: true`", async () => {
    const question = fresh();
    const calls = upstream.requests.length;
    const warm = { model: "faq", messages: [{ role: "user", content: question }], temperature: 0.7 };
    expect((await post(warm)).headers.get("x-switchyard-cache")).toBe("bypass");
    expect((await post(warm)).headers.get("x-switchyard-cache")).toBe("bypass");
    const unset = { model: "faq", messages: [{ role: "user", content: question }] };
    const bypassed = await post(unset);
    expect(bypassed.headers.get("x-switchyard-cache")).toBe("bypass");
    expect(traceOf(bypassed.headers.get("x-switchyard-request-id"))?.cache).toEqual({ status: "bypass", reason: "sampled" });
    expect(upstream.requests.length).toBe(calls + 3);
    const creative = { ...warm, model: "creative" };
    expect((await post(creative)).headers.get("x-switchyard-cache")).toBe("miss");
    expect((await post(creative)).headers.get("x-switchyard-cache")).toBe("hit");
  });

  it("Cache-Control: no-store neither reads nor keeps; no-cache fetches afresh and keeps the fresh answer", async () => {
    const question = fresh();
    const calls = upstream.requests.length;
    expect((await post(ask("faq", question), { "cache-control": "no-store" })).headers.get("x-switchyard-cache")).toBe("bypass");
    expect((await post(ask("faq", question), { "cache-control": "no-cache" })).headers.get("x-switchyard-cache")).toBe("bypass");
    expect(upstream.requests.length).toBe(calls + 2);
    // no-cache kept its fresh answer; a request that allows the cache gets it.
    expect((await post(ask("faq", question))).headers.get("x-switchyard-cache")).toBe("hit");
    expect((await post(ask("faq", question), { "cache-control": "max-age=0" })).headers.get("x-switchyard-cache")).toBe("bypass");
    expect(upstream.requests.length).toBe(calls + 3);
  });

  it("errors are never cached: after a 400 or a failed upstream the next identical request goes upstream", async () => {
    const question = fresh();
    upstream.setScript(() => ({ kind: "status", status: 400, message: "bad request upstream", code: "invalid_value", param: "messages" }));
    const failed = await post(ask("faq", question));
    expect(failed.status).toBe(400);
    expect(failed.headers.get("x-switchyard-cache")).toBe("miss");
    upstream.setScript(() => ({ kind: "status", status: 503 }));
    expect((await post(ask("faq", question))).status).toBeGreaterThanOrEqual(500);
    upstream.setScript(() => ({ kind: "ok", text: "We open at nine." }));
    const ok = await post(ask("faq", question));
    expect(ok.status).toBe(200);
    expect(ok.headers.get("x-switchyard-cache")).toBe("miss");
    expect((await post(ask("faq", question))).headers.get("x-switchyard-cache")).toBe("hit");
  });

  it("a field holding a number JSON cannot hold (1e999) is keyed as the null the upstream receives, not a 500 (found by the fuzz suite)", async () => {
    const question = fresh();
    const body = (value: string) => `{"model":"faq","temperature":0,"messages":[{"role":"user","content":${JSON.stringify(question)}}],"x_extra":${value}}`;
    const first = await post(body("1e999"));
    expect(first.status, await first.clone().text()).toBe(200);
    expect(first.headers.get("x-switchyard-cache")).toBe("miss");
    expect((await post(body("-1e999"))).headers.get("x-switchyard-cache")).toBe("hit");
    expect((await post(body("null"))).headers.get("x-switchyard-cache")).toBe("hit");
  });

  it("a stream cut part-way is never cached", async () => {
    const question = fresh();
    upstream.setScript(() => ({ kind: "error-mid-stream", afterChunks: 2 }));
    const cut = await post({ ...ask("faq", question), stream: true });
    expect(cut.status).toBe(200);
    expect(await cut.text()).toContain("stream_interrupted");
    upstream.setScript(() => ({ kind: "ok", text: "We open at nine." }));
    expect((await post(ask("faq", question))).headers.get("x-switchyard-cache")).toBe("miss");
  });

  it("an answer expires after the route's ttl", async () => {
    const question = fresh();
    await post(ask("faq", question));
    clock += 599_000;
    expect((await post(ask("faq", question))).headers.get("x-switchyard-cache")).toBe("hit");
    clock += 2_000;
    expect((await post(ask("faq", question))).headers.get("x-switchyard-cache")).toBe("miss");
  });
});

describe("teams", () => {
  it('scope "team": a team never receives another team\'s cached answer; scope "route" shares among the route\'s callers', async () => {
    const question = fresh();
    const calls = upstream.requests.length;
    upstream.setScript(() => ({ kind: "ok", text: "support's answer" }));
    const a = await openai("sk-support").chat.completions.create(ask("faq", question));
    upstream.setScript(() => ({ kind: "ok", text: "sales' answer" }));
    const b = await openai("sk-sales").chat.completions.create(ask("faq", question)).withResponse();
    expect(b.response.headers.get("x-switchyard-cache")).toBe("miss");
    expect(b.data.choices[0]?.message.content).toBe("sales' answer");
    const a2 = await openai("sk-support").chat.completions.create(ask("faq", question)).withResponse();
    expect(a2.response.headers.get("x-switchyard-cache")).toBe("hit");
    expect(a2.data.choices[0]?.message.content).toBe(a.choices[0]?.message.content);
    const b2 = await openai("sk-sales").chat.completions.create(ask("faq", question)).withResponse();
    expect(b2.data.choices[0]?.message.content).toBe("sales' answer");
    expect(upstream.requests.length).toBe(calls + 2);
    // The route-scoped cache: one answer for both teams.
    upstream.setScript(() => ({ kind: "ok", text: "everyone's answer" }));
    await openai("sk-support").chat.completions.create(ask("shared", question));
    const shared = await openai("sk-sales").chat.completions.create(ask("shared", question)).withResponse();
    expect(shared.response.headers.get("x-switchyard-cache")).toBe("hit");
    expect(shared.data.choices[0]?.message.content).toBe("everyone's answer");
  });

  it("a hit counts against the team's rate limit (rpm)", async () => {
    clock += 120_000; // a fresh minute for sales' bucket
    const question = fresh();
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await chat(router, ask("shared", question), { authorization: "Bearer sk-sales" })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
  });
});

describe("other dialects", () => {
  it("Responses: a hit is a `response` object, and a streamed hit the Responses event stream", async () => {
    const question = fresh();
    const calls = upstream.requests.length;
    const client = openai();
    const first = await client.responses.create({ model: "faq", input: question, temperature: 0 });
    expect(first.output_text).toBe("We open at nine.");
    const { data: second, response } = await client.responses.create({ model: "faq", input: question, temperature: 0 }).withResponse();
    expect(response.headers.get("x-switchyard-cache")).toBe("hit");
    expect(second.output_text).toBe("We open at nine.");
    expect(second.status).toBe("completed");
    expect(second.usage).toMatchObject({ input_tokens: 1_000, output_tokens: 500 });
    const stream = await client.responses.create({ model: "faq", input: question, temperature: 0, stream: true });
    let text = "";
    let done: string | undefined;
    for await (const event of stream) {
      if (event.type === "response.output_text.delta") text += event.delta;
      if (event.type === "response.completed") done = event.response.status;
    }
    expect(text).toBe("We open at nine.");
    expect(done).toBe("completed");
    expect(upstream.requests.length).toBe(calls + 1);
  });

  it("Messages: a hit is an Anthropic message, and a streamed hit Anthropic's event stream", async () => {
    const question = fresh();
    const calls = upstream.requests.length;
    const client = new Anthropic({ baseURL: router.url, apiKey: "sk-support", maxRetries: 0 });
    const body = { model: "faq", max_tokens: 256, temperature: 0, messages: [{ role: "user" as const, content: question }] };
    const first = await client.messages.create(body);
    expect(first.content).toEqual([{ type: "text", text: "We open at nine." }]);
    const { data: second, response } = await client.messages.create(body).withResponse();
    expect(response.headers.get("x-switchyard-cache")).toBe("hit");
    expect(second.content).toEqual(first.content);
    expect(second.stop_reason).toBe("end_turn");
    expect(second.usage).toMatchObject({ input_tokens: 1_000, output_tokens: 500 });
    const streamed = await client.messages.stream(body).finalMessage();
    expect(streamed.content).toEqual(first.content);
    expect(streamed.stop_reason).toBe("end_turn");
    expect(upstream.requests.length).toBe(calls + 1);
  });

  it("Messages: a hit of an answer a stop sequence ended says so, as the fresh answer did (plain and streamed)", async () => {
    const anthropicUp = await startFakeAnthropic();
    const viaAnthropic = await startTestRouter(
      releaseOf({
        providers: { ant: { kind: "anthropic", baseUrl: anthropicUp.baseUrl, apiKey: { secret: "ANT_KEY" } } },
        models: { claude: { provider: "ant", name: "claude-sonnet-4-5", context: 200_000, price: { input: 3, output: 15 } } },
        routes: { faq: { model: "claude", cache: { ttlMs: 600_000, scope: "route" } } },
        teams: { support: { keys: [{ secret: "SUPPORT_KEY" }], routes: ["faq"] } },
      }),
      { env: { SUPPORT_KEY: "sk-support", ANT_KEY: "sk-ant" } },
    );
    try {
      const client = new Anthropic({ baseURL: viaAnthropic.url, apiKey: "sk-support", maxRetries: 0 });
      const body = { model: "faq", max_tokens: 64, temperature: 0, stop_sequences: ["from"], messages: [{ role: "user" as const, content: "Say hello" }] };
      const first = await client.messages.create(body);
      expect(first).toMatchObject({ stop_reason: "stop_sequence", stop_sequence: "from" });
      const { data: hit, response } = await client.messages.create(body).withResponse();
      expect(response.headers.get("x-switchyard-cache")).toBe("hit");
      expect(hit).toMatchObject({ content: first.content, stop_reason: "stop_sequence", stop_sequence: "from" });
      expect(await client.messages.stream(body).finalMessage()).toMatchObject({ stop_reason: "stop_sequence", stop_sequence: "from" });
      // A streamed answer is kept with its stop sequence too.
      const streamedBody = { ...body, messages: [{ role: "user" as const, content: "Say hello again" }] };
      expect(await client.messages.stream(streamedBody).finalMessage()).toMatchObject({ stop_reason: "stop_sequence", stop_sequence: "from" });
      const { data: streamedHit, response: streamedResponse } = await client.messages.create(streamedBody).withResponse();
      expect(streamedResponse.headers.get("x-switchyard-cache")).toBe("hit");
      expect(streamedHit).toMatchObject({ stop_reason: "stop_sequence", stop_sequence: "from" });
      expect(anthropicUp.requests).toHaveLength(2);
    } finally {
      await viaAnthropic.close();
      await anthropicUp.close();
    }
  });

  it("Messages: a tool result with is_error is another request than the same text as a success", async () => {
    const question = fresh();
    const calls = upstream.requests.length;
    const client = new Anthropic({ baseURL: router.url, apiKey: "sk-support", maxRetries: 0 });
    const turn = (isError: boolean) => ({
      model: "faq",
      max_tokens: 256,
      temperature: 0,
      messages: [
        { role: "user" as const, content: question },
        { role: "assistant" as const, content: [{ type: "tool_use" as const, id: "call_7", name: "lookup", input: {} }] },
        { role: "user" as const, content: [{ type: "tool_result" as const, tool_use_id: "call_7", content: "no rows", is_error: isError }] },
      ],
    });
    await client.messages.create(turn(false));
    const { response } = await client.messages.create(turn(true)).withResponse();
    expect(response.headers.get("x-switchyard-cache")).toBe("miss");
    const { response: again } = await client.messages.create(turn(true)).withResponse();
    expect(again.headers.get("x-switchyard-cache")).toBe("hit");
    expect(upstream.requests.length).toBe(calls + 2);
  });
});

describe("metrics", () => {
  it("/metrics counts hits, misses and bypasses by route, and the USD hits saved", async () => {
    const text = await (await fetch(`${router.url}/metrics`)).text();
    expect(text).toMatch(/switchyard_cache_requests_total\{route="faq",result="hit"\} [1-9]/);
    expect(text).toMatch(/switchyard_cache_requests_total\{route="faq",result="miss"\} [1-9]/);
    expect(text).toMatch(/switchyard_cache_requests_total\{route="faq",result="bypass"\} [1-9]/);
    expect(text).toMatch(/switchyard_cache_saved_usd_total\{route="faq",team="support"\} 0\.0\d+/);
  });
});
