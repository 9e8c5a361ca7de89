/**
 * Claude on Vertex AI through a vertex-kind provider, over real HTTP on 127.0.0.1: a model whose name starts `claude-`
 * is called at Anthropic's publisher (`…/publishers/anthropic/models/{name}:rawPredict`, `:streamRawPredict` for
 * streams) with the Messages body the anthropic adapter builds, without `model` and with `anthropic_version:
 * "vertex-2023-10-16"`, and the provider's Google bearer token (from a service account key exchanged at a fake token
 * endpoint); the official `openai` client (chat, a stream, a tool call, a 429 falling back, a 400 passed through) and
 * `@anthropic-ai/sdk` at the router's Messages endpoint (a stop sequence) get what the anthropic kind gives them.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { RunningRouter } from "@switchyard/router";
import type { FakeAnthropic } from "../helpers/fake-anthropic.ts";
import type { FakeGoogleTokenEndpoint } from "../helpers/fake-google-credentials.ts";
import { FAKE_VERTEX, startFakeVertexClaude, startVertexServiceAccount } from "../helpers/fake-vertex.ts";
import { readChatStream } from "../helpers/chat-stream.ts";
import { releaseOf } from "../helpers/release.ts";
import { startTestRouter } from "../helpers/router.ts";

let dir: string;
let vertex: FakeAnthropic;
let google: FakeGoogleTokenEndpoint;
let router: RunningRouter;
let client: OpenAI;
let anthropic: Anthropic;

const MODEL = "claude-sonnet-4-5@20250929";
const PUBLISHER = `/v1/projects/${FAKE_VERTEX.project}/locations/${FAKE_VERTEX.location}/publishers/anthropic/models`;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "switchyard-vertex-claude-"));
  vertex = await startFakeVertexClaude();
  let keyFile: string;
  ({ google, keyFile } = await startVertexServiceAccount(dir, vertex));
  const release = releaseOf({
    providers: {
      gcp: { kind: "vertex", project: FAKE_VERTEX.project, region: FAKE_VERTEX.location, baseUrl: vertex.baseUrl, residency: "eu" },
      sim: { kind: "mock", mock: { reply: "mock backup" } },
    },
    models: {
      sonnet: { provider: "gcp", name: MODEL, context: 200_000, price: { input: 3, output: 15 }, capabilities: ["tools", "streaming", "json"] },
      backup: { provider: "sim", name: "mock-b", context: 200_000, price: { input: 0, output: 0 } },
    },
    routes: { chat: { model: "sonnet" }, resilient: { model: "sonnet", fallback: [{ model: "backup" }] } },
    teams: { app: { keys: [{ secret: "APP_KEY" }], routes: ["chat", "resilient"] } },
  });
  router = await startTestRouter(release, { env: { GOOGLE_APPLICATION_CREDENTIALS: keyFile, APP_KEY: "team-app-key" } });
  client = new OpenAI({ baseURL: `${router.url}/v1`, apiKey: "team-app-key", maxRetries: 0 });
  anthropic = new Anthropic({ baseURL: router.url, apiKey: "team-app-key", maxRetries: 0 });
});

afterEach(() => {
  vertex.requests.length = 0;
  vertex.failWith = undefined;
});

afterAll(async () => {
  await router.close();
  await Promise.all([vertex.close(), google.close()]);
  await rm(dir, { recursive: true, force: true });
});

describe("Claude on Vertex AI through the vertex kind", () => {
  it("chat: rawPredict at Anthropic's publisher, the Messages body without model and with anthropic_version, the bearer token; usage priced", async () => {
    const completion = await client.chat.completions.create({
      model: "chat",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Hello" },
      ],
      max_tokens: 64,
    });
    expect(completion.choices[0]?.message.content).toBe("Hello from Claude");
    expect(completion.choices[0]?.finish_reason).toBe("stop");
    expect(completion.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 });
    const request = vertex.requests[0];
    expect(request?.path).toBe(`${PUBLISHER}/${encodeURIComponent(MODEL)}:rawPredict`);
    expect(request?.headers.authorization).toBe(`Bearer ${google.issued[0]?.accessToken}`);
    expect(request?.headers["x-api-key"]).toBeUndefined();
    expect(request?.headers["anthropic-version"]).toBeUndefined();
    expect(request?.body).toEqual({
      anthropic_version: "vertex-2023-10-16",
      system: "Be brief.",
      messages: [{ role: "user", content: [{ type: "text", text: "Hello" }] }],
      max_tokens: 64,
    });
  });

  it("stream: streamRawPredict's Anthropic events become chat chunks with usage, with the same cached token", async () => {
    const stream = await client.chat.completions.create({
      model: "chat",
      messages: [{ role: "user", content: "Hello" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const { text, finish, usage } = await readChatStream(stream);
    expect(text).toBe("Hello from Claude");
    expect(finish).toBe("stop");
    expect(usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 });
    expect(vertex.requests[0]?.path).toBe(`${PUBLISHER}/${encodeURIComponent(MODEL)}:streamRawPredict`);
    expect(vertex.requests[0]?.body).toMatchObject({ anthropic_version: "vertex-2023-10-16", stream: true });
    expect(vertex.requests[0]?.body).not.toHaveProperty("model");
    expect(vertex.requests[0]?.headers.accept).toBe("text/event-stream");
    expect(google.issued).toHaveLength(1);
  });

  it("tools: a forced call comes back as tool_calls, and its result goes back as a tool_result (is_error kept)", async () => {
    const tools: OpenAI.ChatCompletionTool[] = [
      { type: "function", function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } } },
    ];
    const first = await client.chat.completions.create({
      model: "chat",
      messages: [{ role: "user", content: "Weather in Paris?" }],
      tools,
      tool_choice: { type: "function", function: { name: "get_weather" } },
    });
    const message = first.choices[0]?.message;
    expect(first.choices[0]?.finish_reason).toBe("tool_calls");
    expect(message?.tool_calls?.[0]).toMatchObject({ id: "toolu_01", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } });
    expect(vertex.requests[0]?.body).toMatchObject({ tool_choice: { type: "tool", name: "get_weather" }, tools: [{ name: "get_weather" }] });

    await client.chat.completions.create({
      model: "chat",
      messages: [
        { role: "user", content: "Weather in Paris?" },
        message as OpenAI.ChatCompletionMessageParam,
        { role: "tool", tool_call_id: "toolu_01", content: "18°C" },
      ],
      tools,
    });
    expect(vertex.requests[1]?.body["messages"]).toEqual([
      { role: "user", content: [{ type: "text", text: "Weather in Paris?" }] },
      {
        role: "assistant",
        content: [
          { type: "text", text: "Let me check." },
          { type: "tool_use", id: "toolu_01", name: "get_weather", input: { city: "Paris" } },
        ],
      },
      { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_01", content: "18°C" }] },
    ]);
  });

  it("Vertex's 429 RESOURCE_EXHAUSTED falls back to the next model; a 400 passes Anthropic's message through", async () => {
    vertex.failWith = {
      status: 429,
      type: "",
      google: "RESOURCE_EXHAUSTED",
      message: "Quota exceeded for aiplatform.googleapis.com/online_prediction_requests_per_base_model",
    };
    const { data, response } = await client.chat.completions.create({ model: "resilient", messages: [{ role: "user", content: "hi" }] }).withResponse();
    expect(data.choices[0]?.message.content).toBe("mock backup");
    expect(response.headers.get("x-switchyard-model")).toBe("backup");
    expect(vertex.requests.length).toBeGreaterThanOrEqual(1);

    vertex.failWith = { status: 400, type: "invalid_request_error", message: "messages.0.content: text content blocks must be non-empty" };
    vertex.requests.length = 0;
    const error = await client.chat.completions.create({ model: "resilient", messages: [{ role: "user", content: "hi" }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({ status: 400, type: "invalid_request_error" });
    expect((error as Error).message).toContain("text content blocks must be non-empty");
    expect(vertex.requests).toHaveLength(1);
  });

  it("what Anthropic cannot honour is refused before any call, naming Claude on Vertex AI", async () => {
    const error = await client.chat.completions.create({ model: "chat", n: 2, messages: [{ role: "user", content: "hi" }] }).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 400, code: "unsupported_parameter" });
    expect((error as Error).message).toContain("(Claude on Vertex AI)");
    expect(vertex.requests).toHaveLength(0);
  });

  it("@anthropic-ai/sdk at /v1/messages: a stop sequence comes back as stop_reason stop_sequence, created and streamed", async () => {
    const request = { model: "chat", max_tokens: 64, stop_sequences: ["END", "from"], messages: [{ role: "user" as const, content: "Say hello" }] };
    const created = await anthropic.messages.create(request);
    expect(created.content).toEqual([{ type: "text", text: "Hello " }]);
    expect(created).toMatchObject({ stop_reason: "stop_sequence", stop_sequence: "from" });
    expect(vertex.requests[0]?.body).toMatchObject({ anthropic_version: "vertex-2023-10-16", stop_sequences: ["END", "from"] });

    const final = await anthropic.messages.stream(request).finalMessage();
    expect(final).toMatchObject({ content: [{ type: "text", text: "Hello " }], stop_reason: "stop_sequence", stop_sequence: "from" });
    expect(vertex.requests[1]?.path).toBe(`${PUBLISHER}/${encodeURIComponent(MODEL)}:streamRawPredict`);
  });
});
