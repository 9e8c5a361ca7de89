import { describe, expect, it } from "vitest";
import { type Config, createRelease, parseConfig } from "@switchyard/ir";
import { decideWithTable } from "../core/index.ts";
import { createMemoryStateStores } from "../state/index.ts";
import { type AdapterFactory, type AdapterRegistry, type Transport, UpstreamError } from "../adapters/types.ts";
import { createAnthropicAdapter } from "../adapters/anthropic/index.ts";
import { createOpenAiAdapter } from "../adapters/openai/index.ts";
import { RouterError } from "../errors.ts";
import { activateRelease } from "../runtime/release.ts";
import { nodeHttpTransport } from "../adapters/transport/node-http.ts";
import type { RequestContext, RouterHooks } from "./context.ts";
import { RequestCancel } from "./timers.ts";
import { backoffMs, executeCompletion, openStream, passedThrough, type ExecuteDeps } from "./execute.ts";

function config(): Config {
  const parsed = parseConfig({
    irVersion: 1,
    environment: "t",
    providers: { p: { kind: "mock" }, q: { kind: "mock" } },
    models: {
      a: { provider: "p", name: "a", context: 10_000, price: { input: 2, output: 10 } },
      b: { provider: "q", name: "b", context: 10_000, price: { input: 1, output: 1 } },
    },
    routes: { r: { model: "a", fallback: [{ model: "b" }], retry: { attempts: 3, backoffMs: 10 } } },
  });
  if (!parsed.success) throw new Error(JSON.stringify(parsed.issues));
  return parsed.data;
}

/** A scripted adapter: each call takes the next outcome ("ok" or an UpstreamError). */
function scripted(outcomes: Record<string, Array<"ok" | UpstreamError>>, calls: string[]): AdapterRegistry {
  const factory: AdapterFactory = () => ({
    async complete(call) {
      calls.push(call.modelId);
      const next = outcomes[call.modelId]?.shift() ?? "ok";
      if (next !== "ok") throw next;
      const usage = { prompt_tokens: 1_000, completion_tokens: 100, total_tokens: 1_100 };
      const completion = {
        id: "x",
        object: "chat.completion" as const,
        created: 0,
        model: call.model.name,
        choices: [{ index: 0, message: { role: "assistant" as const, content: "ok" }, finish_reason: "stop" }],
        usage,
      };
      return { text: JSON.stringify(completion), completion, usage };
    },
    async stream() {
      throw new UpstreamError("5xx", "no streams here");
    },
    async close() {},
  });
  return { mock: factory };
}

function setup(
  outcomes: Record<string, Array<"ok" | UpstreamError>>,
  hooks: RouterHooks = {},
  adapters?: AdapterRegistry,
  transport: Transport = nodeHttpTransport(),
) {
  const calls: string[] = [];
  const cfg = config();
  const runtime = activateRelease({ release: createRelease(cfg), env: {}, adapters: adapters ?? scripted(outcomes, calls), validators: {}, transport });
  const state = createMemoryStateStores();
  const deps: ExecuteDeps = { state, hooks, rng: () => 0.5, now: () => 1_000 };
  const decision = decideWithTable(
    runtime.table,
    { route: "r", team: undefined, promptTokens: 10, maxOutputTokens: undefined, region: undefined, stickyKey: undefined, requires: [] },
    state.view(1_000),
    { rng: () => 0.5, now: 1_000 },
  );
  if (!decision.ok) throw new Error(decision.message);
  const ctx: RequestContext = {
    id: "req-1",
    startedAt: 1_000,
    release: runtime,
    team: undefined,
    route: "r",
    body: { model: "r", messages: [{ role: "user", content: "hi" }] },
    stream: false,
    includeUsage: false,
    plan: decision.plan,
    attempts: [],
    answered: undefined,
    usage: undefined,
    costUsd: undefined,
    cancel: new RequestCancel(),
  };
  return { ctx, deps, calls, state };
}

describe("executeCompletion", () => {
  it("retries retryable classes, skips to the next candidate on a provider 4xx (401, 404…), and prices usage", async () => {
    const { ctx, deps, calls } = setup({ a: [new UpstreamError("5xx", "boom", { status: 500 }), new UpstreamError("provider_4xx", "who?", { status: 401 })] });
    await executeCompletion(ctx, deps);
    expect(calls).toEqual(["a", "a", "b"]);
    expect(ctx.answered?.model).toBe("b");
    expect(ctx.attempts.map((a) => [a.model, a.attempt, a.outcome, a.errorClass])).toEqual([
      ["a", 1, "error", "5xx"],
      ["a", 2, "error", "provider_4xx"],
      ["b", 1, "ok", undefined],
    ]);
    expect(ctx.costUsd).toBeCloseTo((1_000 * 1 + 100 * 1) / 1e6);
  });

  it("passes a client 4xx through at once: no retry, no fallback, nothing booked against the model", async () => {
    const detail = { message: "bad tool schema", type: "invalid_request_error", code: "invalid_schema", param: "tools[0]", contextLength: false };
    const { ctx, deps, calls, state } = setup({ a: [new UpstreamError("4xx", "p answered 422", { status: 422, detail })] });
    const error = await executeCompletion(ctx, deps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RouterError);
    expect((error as RouterError).status).toBe(422);
    expect((error as RouterError).code).toBe("upstream_invalid_request");
    expect((error as RouterError).toBody()).toEqual({
      error: { message: "bad tool schema", type: "invalid_request_error", code: "invalid_schema", param: "tools[0]" },
    });
    expect(calls).toEqual(["a"]);
    expect(state.health.breakerSnapshot(1_000)["a"]?.consecutiveFailures ?? 0).toBe(0);
    expect(state.health.latencySnapshot()["a"]).toBeUndefined();
  });

  it("answers a context-length refusal as context_length_exceeded, and a bodiless 4xx with its status alone", () => {
    const tooLong = passedThrough(
      new UpstreamError("4xx", "x", {
        status: 400,
        detail: { message: "prompt is too long: 9 > 8", type: "invalid_request_error", code: "context_length_exceeded", contextLength: true },
      }),
    );
    expect(tooLong.code).toBe("context_length_exceeded");
    expect(tooLong.toBody()).toEqual({
      error: { message: "prompt is too long: 9 > 8", type: "invalid_request_error", code: "context_length_exceeded", param: "messages" },
    });
    const bare = passedThrough(new UpstreamError("4xx", "p answered 413", { status: 413 }));
    expect([bare.status, bare.toBody()]).toEqual([413, { error: { message: "p answered 413", type: "invalid_request_error", code: null, param: null } }]);
  });

  it("falls back from a context-length refusal only to a model with a longer window", async () => {
    const tooLong = () =>
      new UpstreamError("4xx", "p answered 400", {
        status: 400,
        detail: {
          message: "maximum context length is 10000",
          type: "invalid_request_error",
          code: "context_length_exceeded",
          param: "messages",
          contextLength: true,
        },
      });
    // b's window (10 000) is a's: skipped, and the refusal is the answer.
    const same = setup({ a: [tooLong()] });
    await expect(executeCompletion(same.ctx, same.deps)).rejects.toMatchObject({ code: "context_length_exceeded", status: 400 });
    expect(same.calls).toEqual(["a"]);
    expect(same.ctx.skipped).toEqual([{ model: "b", provider: "q", step: 1, reason: "context window ≤ 10000 (refused)" }]);
    // With a longer window b is tried, and answers.
    const longer = setup({ a: [tooLong()] });
    const b = longer.ctx.release.config.models["b"];
    if (b !== undefined) longer.ctx.release.config.models["b"] = { ...b, context: 20_000 };
    await executeCompletion(longer.ctx, longer.deps);
    expect(longer.calls).toEqual(["a", "b"]);
    expect(longer.ctx.answered?.model).toBe("b");
  });

  it("lets beforeAttempt refuse an attempt with a RouterError (the budget/limit hook point)", async () => {
    const seen: string[] = [];
    const hooks: RouterHooks = {
      beforeAttempt: (_ctx, candidate) => {
        seen.push(candidate.model);
        return new RouterError("budget_exceeded", "team over budget", { headers: { "retry-after": "60" } });
      },
    };
    const { ctx, deps, calls } = setup({}, hooks);
    await expect(executeCompletion(ctx, deps)).rejects.toMatchObject({ code: "budget_exceeded", status: 429 });
    expect(seen).toEqual(["a"]);
    expect(calls).toEqual([]);
  });

  it("records attempts in the state store (breaker counts failures, not validation or client faults)", async () => {
    const { ctx, deps, state } = setup({ a: [new UpstreamError("5xx", "x"), new UpstreamError("5xx", "x"), new UpstreamError("5xx", "x")] });
    await executeCompletion(ctx, deps);
    expect(state.health.breakerSnapshot(1_000)["a"]?.consecutiveFailures).toBe(3);
    expect(state.health.latencySnapshot()["b"]?.samples).toBe(1);
    expect(state.health.inFlightSnapshot()).toEqual({});
  });
});

describe("a request that cannot be built (nothing reached the upstream)", () => {
  /** A transport that counts the requests it was asked to send, and sends none. */
  const counting = () => {
    const sent: string[] = [];
    const transport: Transport = {
      async post(request) {
        sent.push(request.url.href);
        throw Object.assign(new Error("refused"), { code: "ECONNREFUSED" });
      },
      async close() {},
    };
    return { sent, transport };
  };
  // What validation now refuses (protocol/json.ts's depth limit), handed straight to the execute layer.
  let deep: unknown = "x";
  for (let i = 0; i < 100_000; i++) deep = [deep];

  it.each<[string, AdapterFactory, boolean]>([
    ["openai, streamed", createOpenAiAdapter, true],
    ["openai, not streamed", createOpenAiAdapter, false],
    ["anthropic, streamed", createAnthropicAdapter, true],
    ["anthropic, not streamed", createAnthropicAdapter, false],
  ])("%s: answers 400, never falls back, and leaves breaker and latency untouched", async (_name, factory, stream) => {
    const { sent, transport } = counting();
    const { ctx, deps, state } = setup({}, {}, { mock: factory }, transport);
    ctx.body = { ...ctx.body, tools: [{ type: "function", function: { name: "f", parameters: { type: "object", properties: { x: deep } } } }] };
    ctx.stream = stream;
    for (let i = 0; i < 10; i++) {
      ctx.attempts = [];
      const run = stream ? openStream(ctx, deps) : executeCompletion(ctx, deps);
      await expect(run).rejects.toMatchObject({
        code: "invalid_request",
        status: 400,
        message: expect.stringMatching(/cannot be sent to provider `p`: it is nested too deeply/),
      });
      expect(ctx.attempts.map((a) => [a.model, a.errorClass])).toEqual([["a", "rejected"]]);
    }
    expect(sent).toEqual([]);
    const breakers = state.health.breakerSnapshot(1_000);
    expect(breakers["a"]?.consecutiveFailures ?? 0).toBe(0);
    expect(breakers["a"]?.status ?? "closed").toBe("closed");
    expect(state.health.latencySnapshot()["a"]).toBeUndefined();
    expect(state.health.inFlightSnapshot()).toEqual({});
  });
});

describe("backoffMs", () => {
  it("is full jitter over base·2^(n-1)", () => {
    expect(backoffMs(100, 1, () => 0.5)).toBe(50);
    expect(backoffMs(100, 3, () => 0.999)).toBe(399);
    expect(backoffMs(100, 2, () => 0)).toBe(0);
  });
});
