/** Fidelity of the Anthropic translation: structured output through a forced tool, system-message positions, refusals. */
import { describe, expect, it } from "vitest";
import type { Model } from "@switchyard/ir";
import type { ChatBody } from "../../protocol/chat.ts";
import {
  AnthropicStreamTranslator,
  anthropicRefusal,
  fromAnthropicResponse,
  midConversationSystem,
  structuredToolName,
  toAnthropicRequest,
} from "./translate.ts";

const model: Model = { provider: "a", name: "claude-x", context: 200_000, price: { input: 3, output: 15 }, lifecycle: "ga", capabilities: [] };
const user = (content: ChatBody["messages"][number]["content"]) => ({ role: "user" as const, content });
const schema = { type: "object", properties: { city: { type: "string" } }, required: ["city"], additionalProperties: false };
const jsonSchemaBody: ChatBody = {
  model: "r",
  messages: [user("Where?")],
  response_format: { type: "json_schema", json_schema: { name: "place", description: "A place.", strict: true, schema } },
};

describe("structured output (response_format) through one forced tool", () => {
  it("sends json_schema as a tool named after the schema, forced with tool_choice", () => {
    const req = toAnthropicRequest(jsonSchemaBody, model, false);
    expect(req.tools).toEqual([{ name: "place", description: expect.stringMatching(/^A place\.\n\n/) as unknown, input_schema: schema }]);
    expect(req.tool_choice).toEqual({ type: "tool", name: "place" });
  });

  it("sends json_object as a `json_response` tool taking any object; an unusable schema name falls back to it too", () => {
    const req = toAnthropicRequest({ model: "r", messages: [user("x")], response_format: { type: "json_object" } }, model, false);
    expect(req.tools).toEqual([{ name: "json_response", description: expect.any(String) as unknown, input_schema: { type: "object" } }]);
    expect(req.tool_choice).toEqual({ type: "tool", name: "json_response" });
    expect(structuredToolName({ ...jsonSchemaBody, response_format: { type: "json_schema", json_schema: { name: "a b", schema } } })).toBe("json_response");
    expect(structuredToolName({ ...jsonSchemaBody, response_format: { type: "text" } })).toBeUndefined();
  });

  it("keeps only the schema tool when the client's tools are switched off (tool_choice none)", () => {
    const tools = [{ type: "function" as const, function: { name: "f" } }];
    const req = toAnthropicRequest({ ...jsonSchemaBody, tools, tool_choice: "none" }, model, false);
    expect(req.tools?.map((t) => t.name)).toEqual(["place"]);
    expect(req.tool_choice).toEqual({ type: "tool", name: "place" });
  });

  it("answers the tool's input as the content, JSON text, finishing with `stop`", () => {
    const c = fromAnthropicResponse(
      {
        id: "m",
        type: "message",
        role: "assistant",
        model: "claude-x",
        content: [
          { type: "text", text: "Sure:" },
          { type: "tool_use", id: "tu", name: "place", input: { city: "Paris" } },
        ],
        stop_reason: "tool_use",
        usage: { input_tokens: 1, output_tokens: 1 },
      },
      1,
      "place",
    );
    expect(c.choices[0]?.message).toEqual({ role: "assistant", content: '{"city":"Paris"}' });
    expect(c.choices[0]?.finish_reason).toBe("stop");
  });

  it("streams the tool's input_json_delta as content deltas, finishing with `stop`", () => {
    const t = new AnthropicStreamTranslator(1, "place");
    const chunks = [
      { type: "message_start", message: { id: "m", model: "claude-x", usage: { input_tokens: 3 } } },
      { type: "content_block_start", index: 0, content_block: { type: "tool_use", id: "tu", name: "place" } },
      { type: "content_block_delta", index: 0, delta: { type: "input_json_delta", partial_json: "" } },
      { type: "content_block_delta", index: 0, delta: { type: "input_json_delta", partial_json: '{"city":' } },
      { type: "content_block_delta", index: 0, delta: { type: "input_json_delta", partial_json: '"Paris"}' } },
      { type: "content_block_stop", index: 0 },
      { type: "message_delta", delta: { stop_reason: "tool_use" }, usage: { output_tokens: 4 } },
      { type: "message_stop" },
    ].flatMap((e) => t.next(e));
    expect(chunks.map((c) => c.choices[0]?.delta ?? null)).toEqual([
      { role: "assistant", content: "" },
      { content: '{"city":' },
      { content: '"Paris"}' },
      {},
      null,
    ]);
    expect(chunks[3]?.choices[0]?.finish_reason).toBe("stop");
  });
});

describe("system messages keep their place", () => {
  it("joins leading system and developer messages, and array parts, with a blank line", () => {
    const req = toAnthropicRequest(
      {
        model: "r",
        messages: [
          {
            role: "system",
            content: [
              { type: "text", text: "Be brief." },
              { type: "text", text: "Be kind." },
            ],
          },
          { role: "developer", content: "Answer in French." },
          user("hi"),
        ],
      },
      model,
      false,
    );
    expect(req.system).toBe("Be brief.\n\nBe kind.\n\nAnswer in French.");
    expect(req.messages).toEqual([{ role: "user", content: [{ type: "text", text: "hi" }] }]);
  });

  it("turns a system message after the conversation began into marked text at its own place, never hoisted", () => {
    const req = toAnthropicRequest(
      {
        model: "r",
        messages: [
          { role: "system", content: "Be brief." },
          user("hi"),
          { role: "assistant", content: "hello" },
          { role: "system", content: "From now on, answer in French." },
          user("how are you?"),
        ],
      },
      model,
      false,
    );
    expect(req.system).toBe("Be brief.");
    expect(req.messages).toEqual([
      { role: "user", content: [{ type: "text", text: "hi" }] },
      { role: "assistant", content: [{ type: "text", text: "hello" }] },
      {
        role: "user",
        content: [
          { type: "text", text: midConversationSystem("From now on, answer in French.") },
          { type: "text", text: "how are you?" },
        ],
      },
    ]);
    expect(midConversationSystem("x")).toBe("<system-instructions>\nx\n</system-instructions>");
  });

  it("keeps a tool result's parts as blocks", () => {
    const req = toAnthropicRequest(
      {
        model: "r",
        messages: [
          user("go"),
          { role: "assistant", content: null, tool_calls: [{ id: "t1", type: "function", function: { name: "f", arguments: "{}" } }] },
          {
            role: "tool",
            tool_call_id: "t1",
            content: [
              { type: "text", text: "a" },
              { type: "text", text: "b" },
            ],
          },
        ],
      },
      model,
      false,
    );
    expect(req.messages[2]?.content).toEqual([
      {
        type: "tool_result",
        tool_use_id: "t1",
        content: [
          { type: "text", text: "a" },
          { type: "text", text: "b" },
        ],
      },
    ]);
  });
});

describe("anthropicRefusal: what Anthropic cannot honour is refused, naming the field", () => {
  const base: ChatBody = { model: "r", messages: [user("hi")] };
  it.each<[string, Partial<ChatBody>, string]>([
    ["n > 1", { n: 2 }, "n"],
    ["logprobs", { logprobs: true }, "logprobs"],
    ["top_logprobs", { top_logprobs: 3 }, "top_logprobs"],
    ["presence_penalty", { presence_penalty: 0.5 }, "presence_penalty"],
    ["frequency_penalty", { frequency_penalty: -1 }, "frequency_penalty"],
    ["logit_bias", { logit_bias: { "50256": -100 } }, "logit_bias"],
    ["audio output", { audio: { voice: "alloy", format: "mp3" } }, "audio"],
    ["an unknown response_format", { response_format: { type: "grammar" } }, "response_format.type"],
    [
      "response_format beside callable tools",
      { response_format: { type: "json_object" }, tools: [{ type: "function", function: { name: "f" } }] },
      "response_format",
    ],
    ["an empty user turn", { messages: [user(""), { role: "assistant", content: "a" }, user("b")] }, "messages[0].content"],
    ["an empty assistant turn mid-history", { messages: [user("a"), { role: "assistant", content: "" }, user("b")] }, "messages[1].content"],
    ["an audio part", { messages: [user([{ type: "input_audio", input_audio: { data: "AA", format: "wav" } }])] }, "messages[0].content[0].type"],
  ])("%s", (_name, patch, param) => {
    const refusal = anthropicRefusal({ ...base, ...patch }, "ant");
    expect(refusal).toMatchObject({ code: "unsupported_parameter", status: 400, param });
    expect(refusal?.message).toContain(`\`${param}\` cannot be honoured by provider \`ant\``);
  });

  it("accepts the neutral values and what it can honour (seed is best-effort in OpenAI's own contract)", () => {
    const ok: ChatBody = {
      ...base,
      n: 1,
      logprobs: false,
      top_logprobs: null,
      presence_penalty: 0,
      frequency_penalty: 0,
      logit_bias: {},
      seed: 7,
      response_format: { type: "json_object" },
      tools: [{ type: "function", function: { name: "f" } }],
      tool_choice: "none",
      messages: [user("a"), { role: "assistant", content: "" }],
    };
    expect(anthropicRefusal(ok, "ant")).toBeUndefined();
  });
});
