/**
 * Real clients over a gemini-kind provider: the official `openai` client (chat, stream, tools and a tool round trip,
 * structured output, images, embeddings), one Responses request (`client.responses.create`) and one Messages request
 * (`@anthropic-ai/sdk`), asserting what each client got and what the fake Gemini API received, and that usage with
 * cached and thinking tokens is reported and priced.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { compile } from "@switchyard/compiler";
import { createRelease } from "@switchyard/ir";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { RunningRouter, TraceRecord } from "@switchyard/router";
import { type FakeGemini, GEMINI_SIGNATURE, GEMINI_TEXT, startFakeGemini } from "../helpers/fake-gemini.ts";
import { repoRoot } from "../compiler/helpers.ts";
import { readChatStream } from "../helpers/chat-stream.ts";
import { releaseOf } from "../helpers/release.ts";
import { startTestRouter } from "../helpers/router.ts";
import { WEATHER_TOOL as weather, expectGeminiToolRoundTrip } from "../helpers/gemini-tool-round-trip.ts";

let gemini: FakeGemini;
let router: RunningRouter;
let client: OpenAI;
const traces: TraceRecord[] = [];

beforeAll(async () => {
  gemini = await startFakeGemini();
  const release = releaseOf({
    providers: { google: { kind: "gemini", baseUrl: gemini.baseUrl, apiKey: { secret: "GEMINI_KEY" } } },
    models: {
      flash: {
        provider: "google",
        name: "gemini-2.5-flash",
        context: 1_000_000,
        price: { input: 0.3, output: 2.5, cachedInput: 0.075 },
        capabilities: ["tools", "vision", "streaming", "json"],
      },
      embed: { kind: "embedding", provider: "google", name: "gemini-embedding-001", dimensions: 4, context: 2048, price: { input: 0.15, output: 0 } },
    },
    routes: { chat: { model: "flash" }, search: { kind: "embedding", model: "embed" } },
  });
  router = await startTestRouter(release, {
    env: { GEMINI_KEY: "gemini-upstream-key" },
    telemetry: { sinks: [{ write: (record) => void traces.push(record), close: async () => undefined }] },
  });
  client = new OpenAI({ baseURL: `${router.url}/v1`, apiKey: "unused", maxRetries: 0 });
});

afterEach(() => {
  gemini.requests.length = 0;
  gemini.reset();
});

afterAll(async () => {
  await router.close();
  await gemini.close();
});

describe("the openai client over gemini", () => {
  it("chat: system instruction, generateContent with x-goog-api-key, and usage with cached and thinking tokens priced", async () => {
    gemini.usage = { promptTokenCount: 1000, cachedContentTokenCount: 800, candidatesTokenCount: 50, thoughtsTokenCount: 150, totalTokenCount: 1200 };
    const { data, response } = await client.chat.completions
      .create({
        model: "chat",
        messages: [
          { role: "system", content: "Be brief." },
          { role: "user", content: "Hello" },
        ],
        temperature: 0.3,
        max_tokens: 64,
      })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe(GEMINI_TEXT);
    expect(data.choices[0]?.finish_reason).toBe("stop");
    expect(data.usage).toMatchObject({
      prompt_tokens: 1000,
      completion_tokens: 200,
      total_tokens: 1200,
      prompt_tokens_details: { cached_tokens: 800 },
      completion_tokens_details: { reasoning_tokens: 150 },
    });
    expect(response.headers.get("x-switchyard-provider")).toBe("google");
    const [sent] = gemini.requests;
    expect(sent?.path).toBe("/v1beta/models/gemini-2.5-flash:generateContent");
    expect(sent?.headers["x-goog-api-key"]).toBe("gemini-upstream-key");
    expect(sent?.headers.authorization).toBeUndefined();
    expect(sent?.body).toEqual({
      contents: [{ role: "user", parts: [{ text: "Hello" }] }],
      systemInstruction: { parts: [{ text: "Be brief." }] },
      generationConfig: { temperature: 0.3, maxOutputTokens: 64 },
    });
    // 200 uncached at $0.3 + 800 cached at $0.075 + 200 output (answer and thinking) at $2.5, per 1M tokens.
    const id = response.headers.get("x-switchyard-request-id");
    await vi.waitFor(() => expect(traces.find((t) => t.requestId === id)?.costUsd).toBeCloseTo((200 * 0.3 + 800 * 0.075 + 200 * 2.5) / 1_000_000, 12));
  });

  it("stream: text deltas over streamGenerateContent?alt=sse and a final usage chunk", async () => {
    const stream = await client.chat.completions.create({
      model: "chat",
      messages: [{ role: "user", content: "Hello" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const { text, finish, usage } = await readChatStream(stream);
    expect(text).toBe(GEMINI_TEXT);
    expect(finish).toBe("stop");
    expect(usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 });
    expect(gemini.requests[0]?.path).toBe("/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse");
    expect(gemini.requests[0]?.headers.accept).toBe("text/event-stream");
  });

  it("tools: a forced call comes back as tool_calls, and the round trip sends functionCall (with its signature) and functionResponse", async () => {
    await expectGeminiToolRoundTrip(client, gemini);
  });

  it("stream with tools: the call arrives as one tool-call delta", async () => {
    const stream = await client.chat.completions.create({
      model: "chat",
      messages: [{ role: "user", content: "Weather?" }],
      tools: [weather],
      tool_choice: "required",
      stream: true,
    });
    const calls: OpenAI.ChatCompletionChunk.Choice.Delta.ToolCall[] = [];
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      calls.push(...(chunk.choices[0]?.delta.tool_calls ?? []));
      if (chunk.choices[0]?.finish_reason) finish = chunk.choices[0].finish_reason;
    }
    expect(calls).toMatchObject([{ index: 0, type: "function", function: { name: "weather", arguments: '{"city":"Paris"}' } }]);
    expect(finish).toBe("tool_calls");
    expect(gemini.requests[0]?.body["toolConfig"]).toEqual({ functionCallingConfig: { mode: "ANY" } });
  });

  it("structured output: json_schema becomes responseMimeType and responseJsonSchema", async () => {
    const schema = { type: "object", properties: { answer: { type: "string" } }, required: ["answer"], additionalProperties: false };
    const data = await client.chat.completions.create({
      model: "chat",
      messages: [{ role: "user", content: "yes or no?" }],
      response_format: { type: "json_schema", json_schema: { name: "answer", schema, strict: true } },
    });
    expect(JSON.parse(data.choices[0]?.message.content ?? "")).toEqual({ answer: "yes" });
    expect(gemini.requests[0]?.body["generationConfig"]).toEqual({ responseMimeType: "application/json", responseJsonSchema: schema });
  });

  it("images: a data: URL travels as inlineData; an http URL is refused before any call", async () => {
    await client.chat.completions.create({
      model: "chat",
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "What is it?" },
            { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
          ],
        },
      ],
    });
    expect(gemini.requests[0]?.body["contents"]).toEqual([
      { role: "user", parts: [{ text: "What is it?" }, { inlineData: { mimeType: "image/png", data: "iVBORw0KGgo=" } }] },
    ]);
    const refused = await client.chat.completions
      .create({ model: "chat", messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "https://example.test/cat.png" } }] }] })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OpenAI.BadRequestError);
    expect(refused).toMatchObject({ status: 400, code: "unsupported_parameter", param: "messages[0].content[0]" });
    expect(gemini.requests).toHaveLength(1);
  });

  it("a prompt blocked by Gemini's safety filters answers finish_reason content_filter", async () => {
    gemini.fault = { kind: "block-prompt" };
    const data = await client.chat.completions.create({ model: "chat", messages: [{ role: "user", content: "something blocked" }] });
    expect(data.choices[0]).toMatchObject({ finish_reason: "content_filter", message: { content: "" } });
  });

  it("embeddings: batchEmbedContents, floats and base64, with estimated usage", async () => {
    const floats = await client.embeddings.create({ model: "search", input: ["hello", "world!"], encoding_format: "float", dimensions: 2 });
    expect(floats.data.map((d) => d.embedding)).toEqual([
      [5, 0.5],
      [6, 0.5],
    ]);
    expect(floats.usage.prompt_tokens).toBeGreaterThan(0);
    expect(gemini.requests[0]?.path).toBe("/v1beta/models/gemini-embedding-001:batchEmbedContents");
    expect(gemini.requests[0]?.body).toEqual({
      requests: [
        { model: "models/gemini-embedding-001", content: { parts: [{ text: "hello" }] }, outputDimensionality: 2 },
        { model: "models/gemini-embedding-001", content: { parts: [{ text: "world!" }] }, outputDimensionality: 2 },
      ],
    });
    // The client's default is base64: it decodes the float32s back.
    const decoded = await client.embeddings.create({ model: "search", input: "abc" });
    expect(decoded.data[0]?.embedding).toEqual([3, 0.5, -0.25, 1]);
    // Without `dimensions`, the model's declared ones: Gemini would otherwise answer its longest vectors.
    expect(gemini.requests[1]?.body).toMatchObject({ requests: [{ outputDimensionality: 4 }] });
  });
});

describe("other dialects over gemini", () => {
  it("Responses: client.responses.create with instructions", async () => {
    const data = await client.responses.create({ model: "chat", instructions: "Be brief.", input: "Hello", max_output_tokens: 32 });
    expect(data.output_text).toBe(GEMINI_TEXT);
    expect(data.status).toBe("completed");
    expect(data.usage).toMatchObject({ input_tokens: 12, output_tokens: 5 });
    expect(gemini.requests[0]?.body).toMatchObject({
      systemInstruction: { parts: [{ text: "Be brief." }] },
      contents: [{ role: "user", parts: [{ text: "Hello" }] }],
      generationConfig: { maxOutputTokens: 32 },
    });
  });

  it("Messages: @anthropic-ai/sdk messages.create with system and a stream", async () => {
    const anthropic = new Anthropic({ baseURL: router.url, apiKey: "unused", maxRetries: 0 });
    const message = await anthropic.messages.create({ model: "chat", max_tokens: 64, system: "Be brief.", messages: [{ role: "user", content: "Hello" }] });
    expect(message.content).toEqual([{ type: "text", text: GEMINI_TEXT }]);
    expect(message.stop_reason).toBe("end_turn");
    expect(message.usage).toMatchObject({ input_tokens: 12, output_tokens: 5 });
    expect(gemini.requests[0]?.body).toMatchObject({ systemInstruction: { parts: [{ text: "Be brief." }] }, generationConfig: { maxOutputTokens: 64 } });
    const final = await anthropic.messages.stream({ model: "chat", max_tokens: 64, messages: [{ role: "user", content: "Hello" }] }).finalMessage();
    expect(final.content).toEqual([{ type: "text", text: GEMINI_TEXT }]);
    expect(gemini.requests[1]?.path).toContain(":streamGenerateContent?alt=sse");
  });

  it("Messages tools: Gemini's signed call round-trips through a tool_use id Anthropic accepts; a call made elsewhere gets the skip signature", async () => {
    const anthropic = new Anthropic({ baseURL: router.url, apiKey: "unused", maxRetries: 0 });
    const tools: Anthropic.Tool[] = [
      { name: "weather", description: "The weather in a city", input_schema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } },
    ];
    const first = await anthropic.messages.create({
      model: "chat",
      max_tokens: 64,
      tools,
      tool_choice: { type: "tool", name: "weather" },
      messages: [{ role: "user", content: "Weather in Paris?" }],
    });
    const use = first.content.find((block) => block.type === "tool_use");
    expect(first.stop_reason).toBe("tool_use");
    expect(use).toMatchObject({ name: "weather", input: { city: "Paris" } });
    // Anthropic's own pattern for tool_use ids, so this history could also be sent to an anthropic-kind provider.
    expect(use?.id).toMatch(/^[a-zA-Z0-9_-]+$/);
    const answer = (id: string) =>
      anthropic.messages.create({
        model: "chat",
        max_tokens: 64,
        tools,
        messages: [
          { role: "user", content: "Weather in Paris?" },
          { role: "assistant", content: [{ type: "tool_use", id, name: "weather", input: { city: "Paris" } }] },
          { role: "user", content: [{ type: "tool_result", tool_use_id: id, content: '{"temp":"18°C"}' }] },
        ],
      });
    expect((await answer(use?.id ?? "")).content).toEqual([{ type: "text", text: GEMINI_TEXT }]);
    expect((await answer("toolu_01A09q90qw90lq917835lq9")).content).toEqual([{ type: "text", text: GEMINI_TEXT }]);
    const sentCalls = gemini.requests.slice(1).map((r) => (r.body["contents"] as Array<{ parts: unknown[] }>)[1]?.parts);
    expect(sentCalls).toEqual([
      [{ functionCall: { name: "weather", args: { city: "Paris" } }, thoughtSignature: GEMINI_SIGNATURE }],
      [{ functionCall: { name: "weather", args: { city: "Paris" } }, thoughtSignature: "skip_thought_signature_validator" }],
    ]);
  });
});

describe("docs/providers.md's gemini example", () => {
  it("compiles as written and, pointed at the fake, serves its chat and embedding routes", async () => {
    const docs = readFileSync(join(repoRoot, "docs", "providers.md"), "utf8");
    const marker = docs.indexOf("<!-- example: gemini-routes -->");
    const start = docs.indexOf("```ts\n", marker);
    const end = docs.indexOf("\n```", start + 6);
    expect(marker).toBeGreaterThan(0);
    const scratch = mkdtempSync(join(tmpdir(), "switchyard-gemini-docs-"));
    try {
      writeFileSync(join(scratch, "routes.ts"), docs.slice(start + 6, end + 1));
      const result = await compile({ file: join(scratch, "routes.ts") });
      expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      const config = result.release?.config;
      if (config === undefined) throw new Error("the example did not compile");
      expect(config.providers["google"]).toMatchObject({ kind: "gemini", apiKey: { secret: "GEMINI_API_KEY" } });
      const google = { ...config.providers["google"], baseUrl: gemini.baseUrl } as (typeof config.providers)[string];
      const example = await startTestRouter(createRelease({ ...config, providers: { ...config.providers, google } }), { env: { GEMINI_API_KEY: "k" } });
      try {
        const exampleClient = new OpenAI({ baseURL: `${example.url}/v1`, apiKey: "unused", maxRetries: 0 });
        const answer = await exampleClient.chat.completions.create({ model: "chat", messages: [{ role: "user", content: "hi" }] });
        expect(answer.choices[0]?.message.content).toBe(GEMINI_TEXT);
        await exampleClient.embeddings.create({ model: "search", input: "hi", encoding_format: "float" });
        expect(gemini.requests.map((r) => r.path)).toEqual([
          "/v1beta/models/gemini-2.5-flash:generateContent",
          "/v1beta/models/gemini-embedding-001:batchEmbedContents",
        ]);
        expect(gemini.requests[1]?.body).toMatchObject({ requests: [{ outputDimensionality: 768 }] });
      } finally {
        await example.close();
      }
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});
