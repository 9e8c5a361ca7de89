import { priceTokens } from "@switchyard/ir";
import { describe, expect, it } from "vitest";
import type { ChatBody } from "../../protocol/chat.ts";
import { usageTokens } from "../../execute/usage.ts";
import { classifyStatus } from "../types.ts";
import {
  SKIP_SIGNATURE,
  GeminiStreamTranslator,
  fromGeminiResponse,
  geminiRefusal,
  mapFinish,
  readGoogleError,
  toGeminiEmbedRequest,
  toGeminiRequest,
  toUsage,
} from "./translate.ts";

const body = (extra: Partial<ChatBody>): ChatBody => ({ model: "chat", messages: [{ role: "user", content: "hi" }], ...extra });

describe("toGeminiRequest", () => {
  it("puts system and developer messages in systemInstruction and maps roles to user/model, merging consecutive turns", () => {
    const request = toGeminiRequest(
      body({
        messages: [
          { role: "system", content: "Be brief." },
          { role: "user", content: "a" },
          { role: "user", content: [{ type: "text", text: "b" }] },
          { role: "assistant", content: "c" },
          { role: "developer", content: "Answer in French." },
          { role: "user", content: "d" },
        ],
      }),
    );
    expect(request.systemInstruction).toEqual({ parts: [{ text: "Be brief.\n\nAnswer in French." }] });
    expect(request.contents).toEqual([
      { role: "user", parts: [{ text: "a" }, { text: "b" }] },
      { role: "model", parts: [{ text: "c" }] },
      { role: "user", parts: [{ text: "d" }] },
    ]);
    expect(request.generationConfig).toBeUndefined();
  });

  it("sends images, audio and files inline", () => {
    const request = toGeminiRequest(
      body({
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "what is this?" },
              { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0K" } },
              { type: "input_audio", input_audio: { data: "UklGR", format: "wav" } },
              { type: "file", file: { file_data: "data:application/pdf;base64,JVBERi0" } },
            ],
          },
        ],
      }),
    );
    expect(request.contents[0]?.parts).toEqual([
      { text: "what is this?" },
      { inlineData: { mimeType: "image/png", data: "iVBORw0K" } },
      { inlineData: { mimeType: "audio/wav", data: "UklGR" } },
      { inlineData: { mimeType: "application/pdf", data: "JVBERi0" } },
    ]);
  });

  it("translates tools, tool_choice, tool calls (with their thought signature) and tool results", () => {
    const tools = [
      { type: "function" as const, function: { name: "weather", description: "Weather", parameters: { type: "object", additionalProperties: false } } },
    ];
    const request = toGeminiRequest(
      body({
        tools,
        tool_choice: { type: "function", function: { name: "weather" } },
        messages: [
          { role: "user", content: "weather?" },
          {
            role: "assistant",
            content: null,
            tool_calls: [{ id: "call_0__sig__a-_b9w", type: "function", function: { name: "weather", arguments: '{"city":"Paris"}' } }],
          },
          { role: "tool", tool_call_id: "call_0__sig__a-_b9w", content: '{"temp":21}' },
          { role: "tool", tool_call_id: "other", name: "clock", content: "noon" },
        ],
      }),
    );
    expect(request.tools).toEqual([
      { functionDeclarations: [{ name: "weather", description: "Weather", parametersJsonSchema: { type: "object", additionalProperties: false } }] },
    ]);
    expect(request.toolConfig).toEqual({ functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["weather"] } });
    expect(request.contents.slice(1)).toEqual([
      { role: "model", parts: [{ functionCall: { name: "weather", args: { city: "Paris" } }, thoughtSignature: "a+/b9w==" }] },
      {
        role: "user",
        parts: [{ functionResponse: { name: "weather", response: { temp: 21 } } }, { functionResponse: { name: "clock", response: { result: "noon" } } }],
      },
    ]);
    // Calls another model made (no signature): the first of the turn carries Google's documented skip value.
    const replayed = toGeminiRequest(
      body({
        messages: [
          { role: "user", content: "two cities?" },
          {
            role: "assistant",
            content: null,
            tool_calls: [
              { id: "toolu_1", type: "function", function: { name: "weather", arguments: '{"city":"Paris"}' } },
              { id: "toolu_2", type: "function", function: { name: "weather", arguments: '{"city":"Oslo"}' } },
            ],
          },
        ],
      }),
    );
    expect(replayed.contents[1]?.parts.map((p) => p.thoughtSignature)).toEqual([SKIP_SIGNATURE, undefined]);
    expect(toGeminiRequest(body({ tools, tool_choice: "required" })).toolConfig).toEqual({ functionCallingConfig: { mode: "ANY" } });
    expect(toGeminiRequest(body({ tools, tool_choice: "none" })).toolConfig).toEqual({ functionCallingConfig: { mode: "NONE" } });
    expect(toGeminiRequest(body({ tools })).toolConfig).toBeUndefined();
  });

  it("maps sampling and structured output to generationConfig", () => {
    const schema = { type: "object", properties: { answer: { type: "string" } }, required: ["answer"], additionalProperties: false };
    expect(
      toGeminiRequest(
        body({
          temperature: 0.2,
          top_p: 0.9,
          max_tokens: 100,
          stop: "END",
          seed: 7,
          presence_penalty: 0.5,
          response_format: { type: "json_schema", json_schema: { name: "a", schema, strict: true } },
        }),
      ).generationConfig,
    ).toEqual({
      temperature: 0.2,
      topP: 0.9,
      maxOutputTokens: 100,
      stopSequences: ["END"],
      seed: 7,
      presencePenalty: 0.5,
      responseMimeType: "application/json",
      responseJsonSchema: schema,
    });
    expect(toGeminiRequest(body({ max_completion_tokens: 9, response_format: { type: "json_object" } })).generationConfig).toEqual({
      maxOutputTokens: 9,
      responseMimeType: "application/json",
    });
  });
});

describe("geminiRefusal", () => {
  it("refuses what Gemini cannot honour, naming the field", () => {
    expect(geminiRefusal(body({ n: 2 }), "g")?.param).toBe("n");
    expect(geminiRefusal(body({ logprobs: true }), "g")?.param).toBe("logprobs");
    expect(geminiRefusal(body({ response_format: { type: "grammar" } }), "g")?.param).toBe("response_format.type");
    const http = geminiRefusal(body({ messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "https://x.test/a.png" } }] }] }), "g");
    expect(http?.code).toBe("unsupported_parameter");
    expect(http?.param).toBe("messages[0].content[0]");
    expect(http?.message).toMatch(/`data:` URL/);
    expect(geminiRefusal(body({ temperature: 1, n: 1, seed: 3 }), "g")).toBeUndefined();
  });
});

describe("answers", () => {
  it("reads text, function calls, finish reasons and usage (cached and thinking tokens)", () => {
    const completion = fromGeminiResponse(
      {
        candidates: [
          {
            content: {
              role: "model",
              parts: [
                { text: "thinking…", thought: true },
                { text: "Let me check." },
                { functionCall: { name: "weather", args: { city: "Paris" } }, thoughtSignature: "a+/b9w==" },
              ],
            },
            finishReason: "STOP",
          },
        ],
        usageMetadata: { promptTokenCount: 100, cachedContentTokenCount: 60, candidatesTokenCount: 10, thoughtsTokenCount: 30, totalTokenCount: 140 },
        modelVersion: "gemini-2.5-flash",
        responseId: "r1",
      },
      1,
      "gemini-x",
    );
    expect(completion.id).toBe("chatcmpl-r1");
    expect(completion.model).toBe("gemini-2.5-flash");
    expect(completion.choices[0]).toMatchObject({
      finish_reason: "tool_calls",
      message: {
        content: "Let me check.",
        tool_calls: [{ id: "call_0__sig__a-_b9w", type: "function", function: { name: "weather", arguments: '{"city":"Paris"}' } }],
      },
    });
    expect(completion.usage).toEqual({
      prompt_tokens: 100,
      completion_tokens: 40,
      total_tokens: 140,
      prompt_tokens_details: { cached_tokens: 60 },
      completion_tokens_details: { reasoning_tokens: 30 },
    });
  });

  it("prices cached and thinking tokens through the usage it reports", () => {
    const usage = toUsage({ promptTokenCount: 1_000_000, cachedContentTokenCount: 500_000, candidatesTokenCount: 200_000, thoughtsTokenCount: 800_000 });
    // 500k uncached at $1 + 500k cached at $0.25 + 1M output (answer + thinking) at $4.
    const usd = priceTokens({ input: 1, output: 4, cachedInput: 0.25 }, usageTokens(usage));
    expect(usd).toBeCloseTo(0.5 + 0.125 + 4, 6);
  });

  it("maps finish reasons and a blocked prompt to content_filter", () => {
    expect(mapFinish("MAX_TOKENS", false)).toBe("length");
    expect(mapFinish("SAFETY", false)).toBe("content_filter");
    expect(mapFinish("RECITATION", false)).toBe("content_filter");
    expect(mapFinish("STOP", true)).toBe("tool_calls");
    expect(mapFinish(undefined, false)).toBeNull();
    const blocked = fromGeminiResponse({ promptFeedback: { blockReason: "SAFETY" }, usageMetadata: { promptTokenCount: 4 } }, 1, "g");
    expect(blocked.choices[0]).toMatchObject({ finish_reason: "content_filter", message: { content: "" } });
  });

  it("streams text, whole function calls, the finish reason and a final usage chunk", () => {
    const t = new GeminiStreamTranslator(1, "gemini-x");
    const a = t.next({ candidates: [{ content: { parts: [{ text: "Hel" }] } }], responseId: "r2" });
    expect(a.map((c) => c.choices[0]?.delta)).toEqual([{ role: "assistant", content: "" }, { content: "Hel" }]);
    expect(a[0]?.id).toBe("chatcmpl-r2");
    const b = t.next({
      candidates: [{ content: { parts: [{ functionCall: { name: "f", args: { x: 1 } } }] }, finishReason: "STOP" }],
      usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 2 },
    });
    expect(b.map((c) => [c.choices[0]?.delta, c.choices[0]?.finish_reason])).toEqual([
      [{ tool_calls: [{ index: 0, id: "call_0", type: "function", function: { name: "f", arguments: '{"x":1}' } }] }, null],
      [{}, "tool_calls"],
    ]);
    expect(t.finished).toBe(true);
    expect(t.end()).toMatchObject({ choices: [], usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } });
  });
});

describe("errors and embeddings", () => {
  it("reads Google's error: passthrough detail, RetryInfo, and a bad key as the deployment's fault", () => {
    const passthrough = readGoogleError(400, classifyStatus, {
      code: 400,
      status: "INVALID_ARGUMENT",
      message: "The input token count (2000000) exceeds the maximum number of tokens allowed (1048576).",
    });
    expect(passthrough.errorClass).toBe("4xx");
    expect(passthrough.detail).toMatchObject({ type: "invalid_request_error", code: "context_length_exceeded", contextLength: true });
    const limited = readGoogleError(429, classifyStatus, {
      code: 429,
      status: "RESOURCE_EXHAUSTED",
      message: "quota",
      details: [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "2.5s" }],
    });
    expect([limited.errorClass, limited.retryAfterMs]).toEqual(["429", 2500]);
    const key = readGoogleError(400, classifyStatus, {
      code: 400,
      status: "INVALID_ARGUMENT",
      message: "API key not valid",
      details: [{ reason: "API_KEY_INVALID" }],
    });
    expect(key.errorClass).toBe("provider_4xx");
    expect(key.detail).toBeUndefined();
  });

  it("builds batchEmbedContents requests (the model's dimensions unless the client asks for others)", () => {
    expect(toGeminiEmbedRequest({ model: "e", input: "a" }, "gemini-embedding-001", 768).requests[0]?.["outputDimensionality"]).toBe(768);
    expect(toGeminiEmbedRequest({ model: "e", input: "a" }, "gemini-embedding-001").requests[0]?.["outputDimensionality"]).toBeUndefined();
    expect(toGeminiEmbedRequest({ model: "e", input: ["a", "b"], dimensions: 8 }, "text-embedding-004")).toEqual({
      requests: [
        { model: "models/text-embedding-004", content: { parts: [{ text: "a" }] }, outputDimensionality: 8 },
        { model: "models/text-embedding-004", content: { parts: [{ text: "b" }] }, outputDimensionality: 8 },
      ],
    });
  });
});
