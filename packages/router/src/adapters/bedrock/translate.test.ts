/** Chat Completions ↔ Bedrock Converse: requests, responses, usage, stop reasons, stream events and refusals. */
import type { Model } from "@switchyard/ir";
import { describe, expect, it } from "vitest";
import type { ChatBody } from "../../protocol/chat.ts";
import { STOP_SEQUENCE } from "../../protocol/stop-sequence.ts";
import { TOOL_ERROR } from "../../protocol/tool-error.ts";
import { bedrockRefusal } from "./refusal.ts";
import { ConverseStreamTranslator, bedrockUsage, finishReason, fromConverseResponse, toConverseRequest } from "./translate.ts";

const model = { provider: "aws", name: "anthropic.claude-3-5-haiku-20241022-v1:0", context: 200_000, price: { input: 0.8, output: 4 } } as unknown as Model;
const body = (extra: Partial<ChatBody>): ChatBody => ({ model: "r", messages: [{ role: "user", content: "hi" }], ...extra });
const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";
const weather = {
  type: "function" as const,
  function: { name: "weather", description: "Weather in a city", parameters: { type: "object", properties: { city: { type: "string" } } } },
};

describe("toConverseRequest", () => {
  it("leading system/developer messages become system blocks; a later one is marked user text at its place", () => {
    const request = toConverseRequest(
      body({
        messages: [
          { role: "system", content: "Be brief." },
          { role: "developer", content: [{ type: "text", text: "Answer in French." }] },
          { role: "user", content: "hi" },
          { role: "assistant", content: "salut" },
          { role: "system", content: "Now in English." },
          { role: "user", content: "again" },
        ],
      }),
      model,
    );
    expect(request.system).toEqual([{ text: "Be brief." }, { text: "Answer in French." }]);
    expect(request.messages).toEqual([
      { role: "user", content: [{ text: "hi" }] },
      { role: "assistant", content: [{ text: "salut" }] },
      { role: "user", content: [{ text: "<system-instructions>\nNow in English.\n</system-instructions>" }, { text: "again" }] },
    ]);
  });

  it("inferenceConfig from max_tokens (else the model's maxOutput), temperature, top_p and stop; nothing when unset", () => {
    expect(toConverseRequest(body({ max_completion_tokens: 64, temperature: 0.2, top_p: 0.9, stop: "END" }), model).inferenceConfig).toEqual({
      maxTokens: 64,
      temperature: 0.2,
      topP: 0.9,
      stopSequences: ["END"],
    });
    expect(toConverseRequest(body({}), { ...model, maxOutput: 8192 } as Model).inferenceConfig).toEqual({ maxTokens: 8192 });
    expect(toConverseRequest(body({}), model).inferenceConfig).toBeUndefined();
  });

  it("with stop sequences, asks for the model's own stop_sequence field (which one matched); not without", () => {
    expect(toConverseRequest(body({ stop: ["END", "STOP"] }), model).additionalModelResponseFieldPaths).toEqual(["/stop_sequence"]);
    expect(toConverseRequest(body({}), model)).not.toHaveProperty("additionalModelResponseFieldPaths");
  });

  it("a tool result marked as an error (a Messages client's is_error) goes as toolResult status error", () => {
    const request = toConverseRequest(
      body({
        messages: [
          { role: "user", content: "weather?" },
          { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "weather", arguments: "{}" } }] },
          { role: "tool", tool_call_id: "call_1", content: "timed out", [TOOL_ERROR]: true },
        ],
      }),
      model,
    );
    expect(request.messages[2]).toEqual({
      role: "user",
      content: [{ toolResult: { toolUseId: "call_1", content: [{ text: "timed out" }], status: "error" } }],
    });
    expect(JSON.stringify(request)).toContain('"status":"error"');
  });

  it("images as bytes with their format; tool calls and results as toolUse / toolResult in alternating turns", () => {
    const request = toConverseRequest(
      body({
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "what is this?" },
              { type: "image_url", image_url: { url: `data:image/png;base64,${PNG}` } },
            ],
          },
          { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "weather", arguments: '{"city":"Paris"}' } }] },
          { role: "tool", tool_call_id: "call_1", content: "sunny" },
          { role: "user", content: "thanks" },
        ],
        tools: [weather],
        tool_choice: "required",
      }),
      model,
    );
    expect(request.messages).toEqual([
      { role: "user", content: [{ text: "what is this?" }, { image: { format: "png", source: { bytes: PNG } } }] },
      { role: "assistant", content: [{ toolUse: { toolUseId: "call_1", name: "weather", input: { city: "Paris" } } }] },
      { role: "user", content: [{ toolResult: { toolUseId: "call_1", content: [{ text: "sunny" }] } }, { text: "thanks" }] },
    ]);
    expect(request.toolConfig).toEqual({
      tools: [{ toolSpec: { name: "weather", description: "Weather in a city", inputSchema: { json: weather.function.parameters } } }],
      toolChoice: { any: {} },
    });
  });

  it("tool_choice: auto → auto, a function → tool, none (no tool history) → no tools at all", () => {
    expect(toConverseRequest(body({ tools: [weather], tool_choice: "auto" }), model).toolConfig?.toolChoice).toEqual({ auto: {} });
    expect(
      toConverseRequest(body({ tools: [weather], tool_choice: { type: "function", function: { name: "weather" } } }), model).toolConfig?.toolChoice,
    ).toEqual({
      tool: { name: "weather" },
    });
    expect(toConverseRequest(body({ tools: [weather] }), model).toolConfig).toEqual({ tools: expect.any(Array) as unknown });
    expect(toConverseRequest(body({ tools: [weather], tool_choice: "none" }), model).toolConfig).toBeUndefined();
  });

  it("response_format json_schema is one forced tool whose schema is the answer's", () => {
    const schema = { type: "object", properties: { answer: { type: "string" } } };
    const request = toConverseRequest(body({ response_format: { type: "json_schema", json_schema: { name: "reply", schema } } }), model);
    expect(request.toolConfig?.toolChoice).toEqual({ tool: { name: "reply" } });
    expect(request.toolConfig?.tools[0]?.toolSpec.inputSchema.json).toEqual(schema);
  });
});

describe("fromConverseResponse and usage", () => {
  const meta = { id: "chatcmpl-req-1", model: model.name, created: 1 };

  it("text, tool calls, stop reason and usage with cache reads and writes counted as prompt tokens", () => {
    const completion = fromConverseResponse(
      {
        output: {
          message: {
            role: "assistant",
            content: [
              { reasoningContent: { reasoningText: { text: "thinking…" } } },
              { text: "Let me check." },
              { toolUse: { toolUseId: "t1", name: "weather", input: { city: "Paris" } } },
            ],
          },
        },
        stopReason: "tool_use",
        usage: { inputTokens: 10, outputTokens: 7, totalTokens: 117, cacheReadInputTokens: 80, cacheWriteInputTokens: 20 },
      },
      meta,
    );
    expect(completion.choices[0]?.message).toEqual({
      role: "assistant",
      content: "Let me check.",
      tool_calls: [{ id: "t1", type: "function", function: { name: "weather", arguments: '{"city":"Paris"}' } }],
    });
    expect(completion.choices[0]?.finish_reason).toBe("tool_calls");
    expect(completion.usage).toEqual({
      prompt_tokens: 110,
      completion_tokens: 7,
      total_tokens: 117,
      prompt_tokens_details: { cached_tokens: 80, cache_write_tokens: 20 },
    });
    expect(completion.id).toBe("chatcmpl-req-1");
  });

  it("with a structured tool, its input is the content and the finish is stop", () => {
    const completion = fromConverseResponse(
      { output: { message: { content: [{ toolUse: { toolUseId: "t", name: "reply", input: { answer: "42" } } }] } }, stopReason: "tool_use", usage: {} },
      meta,
      "reply",
    );
    expect(completion.choices[0]?.message.content).toBe('{"answer":"42"}');
    expect(completion.choices[0]?.finish_reason).toBe("stop");
  });

  it("an Anthropic model's matched stop sequence (additionalModelResponseFields) is STOP_SEQUENCE on the choice", () => {
    const output = { message: { role: "assistant", content: [{ text: "1, 2" }] } };
    const stopped = fromConverseResponse({ output, stopReason: "stop_sequence", additionalModelResponseFields: { stop_sequence: ", 3" }, usage: {} }, meta);
    expect(stopped.choices[0]?.finish_reason).toBe("stop");
    expect(stopped.choices[0]?.[STOP_SEQUENCE]).toBe(", 3");
    // Another model says only that a stop sequence ended it.
    expect(fromConverseResponse({ output, stopReason: "stop_sequence", usage: {} }, meta).choices[0]?.[STOP_SEQUENCE]).toBeUndefined();
    const streamed = new ConverseStreamTranslator(meta).next("messageStop", {
      stopReason: "stop_sequence",
      additionalModelResponseFields: { stop_sequence: "END" },
    });
    expect(streamed[0]?.choices[0]?.[STOP_SEQUENCE]).toBe("END");
  });

  it("stop reasons map to OpenAI's finish reasons", () => {
    expect(
      ["end_turn", "stop_sequence", "max_tokens", "tool_use", "guardrail_intervened", "content_filtered", "model_context_window_exceeded"].map(finishReason),
    ).toEqual(["stop", "stop", "length", "tool_calls", "content_filter", "content_filter", "length"]);
  });

  it("usage without cache counts has no prompt_tokens_details", () => {
    expect(bedrockUsage({ inputTokens: 3, outputTokens: 2 })).toEqual({ prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 });
  });
});

describe("ConverseStreamTranslator", () => {
  it("role, text, a tool call streamed in parts, the finish, then usage", () => {
    const t = new ConverseStreamTranslator({ id: "c", model: "m", created: 1 });
    const out = [
      ...t.next("messageStart", { role: "assistant" }),
      ...t.next("contentBlockDelta", { contentBlockIndex: 0, delta: { text: "Hi" } }),
      ...t.next("contentBlockDelta", { contentBlockIndex: 0, delta: { reasoningContent: { text: "hidden" } } }),
      ...t.next("contentBlockStop", { contentBlockIndex: 0 }),
      ...t.next("contentBlockStart", { contentBlockIndex: 1, start: { toolUse: { toolUseId: "t1", name: "weather" } } }),
      ...t.next("contentBlockDelta", { contentBlockIndex: 1, delta: { toolUse: { input: '{"city"' } } }),
      ...t.next("contentBlockDelta", { contentBlockIndex: 1, delta: { toolUse: { input: ':"Paris"}' } } }),
    ];
    expect(t.stopped).toBe(false);
    out.push(
      ...t.next("messageStop", { stopReason: "tool_use" }),
      ...t.next("metadata", { usage: { inputTokens: 5, outputTokens: 3, cacheReadInputTokens: 2 } }),
    );
    expect(t.stopped).toBe(true);
    expect(out.map((c) => c.choices[0]?.delta ?? c.usage)).toEqual([
      { role: "assistant", content: "" },
      { content: "Hi" },
      { tool_calls: [{ index: 0, id: "t1", type: "function", function: { name: "weather", arguments: "" } }] },
      { tool_calls: [{ index: 0, function: { arguments: '{"city"' } }] },
      { tool_calls: [{ index: 0, function: { arguments: ':"Paris"}' } }] },
      {},
      { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10, prompt_tokens_details: { cached_tokens: 2, cache_write_tokens: 0 } },
    ]);
    expect(out[5]?.choices[0]?.finish_reason).toBe("tool_calls");
    expect(out[6]?.choices).toEqual([]);
  });

  it("a structured tool's input streams as content", () => {
    const t = new ConverseStreamTranslator({ id: "c", model: "m", created: 1 }, "reply");
    const out = [
      ...t.next("contentBlockStart", { contentBlockIndex: 0, start: { toolUse: { toolUseId: "t", name: "reply" } } }),
      ...t.next("contentBlockDelta", { contentBlockIndex: 0, delta: { toolUse: { input: '{"a":1}' } } }),
      ...t.next("messageStop", { stopReason: "tool_use" }),
    ];
    expect(out.map((c) => [c.choices[0]?.delta, c.choices[0]?.finish_reason])).toEqual([
      [{ content: '{"a":1}' }, null],
      [{}, "stop"],
    ]);
  });
});

describe("bedrockRefusal", () => {
  it("takes what Converse can honour", () => {
    expect(bedrockRefusal(body({ temperature: 0.3, tools: [weather], tool_choice: "auto", n: 1, seed: 4 }), "aws")).toBeUndefined();
  });

  it("refuses what it cannot, naming the field", () => {
    const param = (extra: Partial<ChatBody>) => (bedrockRefusal(body(extra), "aws") as { param?: string } | undefined)?.param;
    expect(param({ n: 2 })).toBe("n");
    expect(param({ logprobs: true })).toBe("logprobs");
    expect(param({ frequency_penalty: 0.5 })).toBe("frequency_penalty");
    expect(param({ response_format: { type: "json_schema", json_schema: { name: "x", schema: {} } }, tools: [weather] })).toBe("response_format");
    expect(param({ messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "https://example.com/cat.png" } }] }] })).toBe(
      "messages[0].content[0].image_url",
    );
    expect(param({ messages: [{ role: "user", content: [{ type: "input_audio", input_audio: {} }] }] })).toBe("messages[0].content[0].type");
    expect(param({ messages: [{ role: "user", content: "" }] })).toBe("messages[0].content");
    expect(
      param({
        tools: [weather],
        tool_choice: "none",
        messages: [
          { role: "user", content: "hi" },
          { role: "assistant", content: null, tool_calls: [{ id: "c", type: "function", function: { name: "weather", arguments: "{}" } }] },
          { role: "tool", tool_call_id: "c", content: "sunny" },
        ],
      }),
    ).toBe("tool_choice");
    expect(bedrockRefusal(body({ n: 3 }), "aws")?.message).toContain("provider `aws` (AWS Bedrock's Converse API)");
  });
});
