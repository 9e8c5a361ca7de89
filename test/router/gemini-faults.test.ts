/**
 * The fault suite over the gemini kind, against the fake Gemini API: 429 with Retry-After or Google's RetryInfo, 5xx,
 * timeouts, connection drops, garbage bodies, mid-stream failures (an error event, a cut stream), a model that failed
 * to call a tool, a 400 passed through with Google's message, a bad key as the deployment's fault, and fallback to
 * another provider.
 */
import OpenAI from "openai";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RunningRouter } from "@switchyard/router";
import { type FakeGemini, GEMINI_TEXT, startFakeGemini } from "../helpers/fake-gemini.ts";
import { releaseOf } from "../helpers/release.ts";
import { chat, startTestRouter } from "../helpers/router.ts";

let gemini: FakeGemini;
let router: RunningRouter;
let badKey: RunningRouter;

const release = (baseUrl: string) =>
  releaseOf({
    providers: {
      google: { kind: "gemini", baseUrl, apiKey: { secret: "GEMINI_KEY" } },
      sim: { kind: "mock", mock: { reply: "mock backup" } },
    },
    models: {
      flash: { provider: "google", name: "gemini-2.5-flash", context: 1_000_000, price: { input: 0.3, output: 2.5 } },
      backup: { provider: "sim", name: "mock-b", context: 1_000_000, price: { input: 0, output: 0 } },
    },
    routes: {
      main: {
        model: "flash",
        fallback: [{ model: "backup" }],
        retry: { attempts: 2, backoffMs: 1, maxRetryAfterMs: 2_000 },
        timeout: { firstTokenMs: 300, totalMs: 800 },
      },
      solo: { model: "flash", retry: { attempts: 2, backoffMs: 1 } },
    },
  });

beforeAll(async () => {
  gemini = await startFakeGemini();
});

// Fresh routers per test, so one test's failures do not open the model's breaker for the next.
beforeEach(async () => {
  router = await startTestRouter(release(gemini.baseUrl), { env: { GEMINI_KEY: "gemini-key" } });
  badKey = await startTestRouter(release(gemini.baseUrl), { env: { GEMINI_KEY: "bad-key" } });
});

afterEach(async () => {
  await router.close();
  await badKey.close();
  gemini.reset();
  gemini.requests.length = 0;
});

afterAll(async () => {
  await gemini.close();
});

const ask = (route: string, extra: Record<string, unknown> = {}, on: RunningRouter = router) =>
  chat(on, { model: route, messages: [{ role: "user", content: "hi" }], ...extra });

type ErrorBody = { error: { message: string; type: string; code: string | null; attempts?: Array<Record<string, unknown>> } };

describe("gemini: retries and fallback", () => {
  it("honours Retry-After on a 429 and retries the same model", async () => {
    gemini.fault = { kind: "error", status: 429, googleStatus: "RESOURCE_EXHAUSTED", message: "Resource has been exhausted", retryAfter: "1" };
    gemini.faultTimes = 1;
    const started = performance.now();
    const res = await ask("main");
    expect(res.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
    expect(res.headers.get("x-switchyard-model")).toBe("flash");
    expect(res.headers.get("x-switchyard-attempts")).toBe("2");
    expect(gemini.requests).toHaveLength(2);
  });

  it("reads Google's RetryInfo retryDelay when there is no Retry-After", async () => {
    gemini.fault = { kind: "error", status: 429, googleStatus: "RESOURCE_EXHAUSTED", message: "quota", retryDelay: "0.4s" };
    gemini.faultTimes = 1;
    const started = performance.now();
    const res = await ask("main");
    expect(res.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(380);
    expect(res.headers.get("x-switchyard-attempts")).toBe("2");
  });

  it("a 429 asking to wait past maxRetryAfterMs falls back at once", async () => {
    gemini.fault = { kind: "error", status: 429, googleStatus: "RESOURCE_EXHAUSTED", message: "quota", retryDelay: "60s" };
    const res = await ask("main");
    expect(res.status).toBe(200);
    expect(res.headers.get("x-switchyard-model")).toBe("backup");
    expect(gemini.requests).toHaveLength(1);
  });

  it.each([500, 503])("retries a %i then falls back to another provider", async (status) => {
    gemini.fault = { kind: "error", status, googleStatus: status === 503 ? "UNAVAILABLE" : "INTERNAL", message: "The model is overloaded." };
    const res = await ask("main");
    expect(res.status).toBe(200);
    expect(((await res.json()) as OpenAI.ChatCompletion).choices[0]?.message.content).toBe("mock backup");
    expect(res.headers.get("x-switchyard-model")).toBe("backup");
    expect(res.headers.get("x-switchyard-attempts")).toBe("3");
    expect(gemini.requests).toHaveLength(2);
  });

  it.each<[string, FakeGemini["fault"]]>([
    ["a hung upstream (timeout)", { kind: "hang" }],
    ["a connection reset mid-body", { kind: "reset-mid-body" }],
    ["a body that is not JSON", { kind: "garbage" }],
    ["a model that failed to form its call (MALFORMED_FUNCTION_CALL)", { kind: "malformed-call" }],
  ])("falls back from %s", async (_name, fault) => {
    gemini.fault = fault;
    const res = await ask("main");
    expect(res.status).toBe(200);
    expect(res.headers.get("x-switchyard-model")).toBe("backup");
  });

  it("all attempts failing answers 502 listing them (Google's status in the message)", async () => {
    gemini.fault = { kind: "error", status: 500, googleStatus: "INTERNAL", message: "An internal error has occurred." };
    const res = await ask("solo");
    expect(res.status).toBe(502);
    const body = (await res.json()) as ErrorBody;
    expect(body.error.code).toBe("all_candidates_failed");
    expect(body.error.attempts).toMatchObject([
      { model: "flash", errorClass: "5xx", status: 500 },
      { model: "flash", errorClass: "5xx", status: 500 },
    ]);
    expect(body.error.message).toContain("INTERNAL");
  });
});

describe("gemini: client errors", () => {
  it.each([false, true])("a 400 INVALID_ARGUMENT passes through with Google's message, no retry nor fallback (stream: %s)", async (stream) => {
    gemini.fault = {
      kind: "error",
      status: 400,
      googleStatus: "INVALID_ARGUMENT",
      message: "* GenerateContentRequest.generation_config.max_output_tokens: must be positive",
    };
    const res = await ask("main", { stream });
    expect(res.status).toBe(400);
    expect(((await res.json()) as ErrorBody).error).toMatchObject({
      message: "* GenerateContentRequest.generation_config.max_output_tokens: must be positive",
      type: "invalid_request_error",
    });
    expect(res.headers.get("x-switchyard-attempts")).toBe("1");
    expect(gemini.requests).toHaveLength(1);
  });

  it("a prompt over the context window is context_length_exceeded for the official client", async () => {
    gemini.fault = {
      kind: "error",
      status: 400,
      googleStatus: "INVALID_ARGUMENT",
      message: "The input token count (1500000) exceeds the maximum number of tokens allowed (1048576).",
    };
    const client = new OpenAI({ baseURL: `${router.url}/v1`, apiKey: "none", maxRetries: 0 });
    const error = await client.chat.completions.create({ model: "solo", messages: [{ role: "user", content: "hi" }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({ status: 400, code: "context_length_exceeded" });
  });

  it("a bad API key (400 API_KEY_INVALID) is the deployment's fault: it falls back and its words are not echoed", async () => {
    const res = await ask("main", {}, badKey);
    expect(res.status).toBe(200);
    expect(res.headers.get("x-switchyard-model")).toBe("backup");
    const solo = await ask("solo", {}, badKey);
    expect(solo.status).toBe(502);
    const body = (await solo.json()) as ErrorBody;
    expect(body.error.attempts).toMatchObject([{ errorClass: "provider_4xx", status: 400 }]);
    expect(JSON.stringify(body)).not.toContain("API key not valid");
  });
});

describe("gemini: streams", () => {
  it.each<[string, FakeGemini["fault"]]>([
    ["an error event", { kind: "stream-error", code: 503, googleStatus: "UNAVAILABLE", first: true }],
    ["a connection reset", { kind: "reset-mid-body" }],
  ])("%s before any content falls back", async (_name, fault) => {
    gemini.fault = fault;
    const res = await ask("main", { stream: true });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain("mock ");
    expect(text.trimEnd().endsWith("data: [DONE]")).toBe(true);
  });

  it.each<[string, FakeGemini["fault"]]>([
    ["an error event", { kind: "stream-error", code: 503, googleStatus: "UNAVAILABLE" }],
    ["a stream cut before its finishReason", { kind: "stream-cut" }],
  ])("reports a mid-stream failure (%s) as an SSE error, never a silent truncation", async (_name, fault) => {
    gemini.fault = fault;
    const res = await ask("main", { stream: true });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain("[DONE]");
    expect(text).toContain("Hello ");
    const last = text.trim().split("\n\n").at(-1) ?? "";
    expect((JSON.parse(last.replace(/^data: /, "")) as ErrorBody).error).toMatchObject({ code: "stream_interrupted", type: "upstream_error" });
  });

  it("a stream the safety filter stopped ends with finish_reason content_filter", async () => {
    gemini.fault = { kind: "safety" };
    const res = await ask("main", { stream: true });
    const text = await res.text();
    expect(text).toContain('"finish_reason":"content_filter"');
    expect(text.trimEnd().endsWith("data: [DONE]")).toBe(true);
  });

  it("a healthy stream after the faults: the whole answer and [DONE]", async () => {
    const res = await ask("main", { stream: true });
    const text = await res.text();
    const content = text
      .split("\n\n")
      .filter((frame) => frame.startsWith("data: {"))
      .map((frame) => (JSON.parse(frame.slice(6)) as OpenAI.ChatCompletionChunk).choices[0]?.delta.content ?? "")
      .join("");
    expect(content).toBe(GEMINI_TEXT);
    expect(text.trimEnd().endsWith("data: [DONE]")).toBe(true);
  });
});
