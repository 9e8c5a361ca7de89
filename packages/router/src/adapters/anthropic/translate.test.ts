import { describe, expect, it } from "vitest";
import type { Model } from "@switchyard/ir";
import { STOP_SEQUENCE } from "../../protocol/stop-sequence.ts";
import { AnthropicStreamTranslator, fromAnthropicResponse, toAnthropicRequest } from "./translate.ts";

const model: Model = { provider: "a", name: "claude-x", context: 200_000, price: { input: 3, output: 15 }, lifecycle: "ga", capabilities: [] };

describe("toAnthropicRequest", () => {
  it("moves system messages, translates tools, tool calls and tool results, defaults max_tokens", () => {
    const req = toAnthropicRequest(
      {
        model: "r",
        messages: [
          { role: "system", content: "be brief" },
          { role: "user", content: "weather in Paris?" },
          { role: "assistant", content: null, tool_calls: [{ id: "t1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }] },
          { role: "tool", tool_call_id: "t1", content: "sunny" },
          {
            role: "user",
            content: [
              { type: "text", text: "thanks" },
              { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } },
            ],
          },
        ],
        tools: [{ type: "function", function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } } }],
        tool_choice: "required",
        stop: "END",
        temperature: 1.5,
        user: "u1",
      },
      model,
      true,
    );
    expect(req.system).toBe("be brief");
    expect(req.max_tokens).toBe(4096);
    expect(req.stream).toBe(true);
    expect(req.temperature).toBe(1);
    expect(req.stop_sequences).toEqual(["END"]);
    expect(req.tool_choice).toEqual({ type: "any" });
    expect(req.metadata).toEqual({ user_id: "u1" });
    expect(req.tools).toEqual([{ name: "get_weather", input_schema: { type: "object", properties: { city: { type: "string" } } } }]);
    expect(req.messages).toEqual([
      { role: "user", content: [{ type: "text", text: "weather in Paris?" }] },
      { role: "assistant", content: [{ type: "tool_use", id: "t1", name: "get_weather", input: { city: "Paris" } }] },
      {
        role: "user",
        content: [
          { type: "tool_result", tool_use_id: "t1", content: "sunny" },
          { type: "text", text: "thanks" },
          { type: "image", source: { type: "base64", media_type: "image/png", data: "AAAA" } },
        ],
      },
    ]);
  });

  it("uses the request's max tokens, then the model's maxOutput", () => {
    expect(toAnthropicRequest({ model: "r", messages: [{ role: "user", content: "x" }], max_tokens: 50 }, model, false).max_tokens).toBe(50);
    expect(toAnthropicRequest({ model: "r", messages: [{ role: "user", content: "x" }] }, { ...model, maxOutput: 8000 }, false).max_tokens).toBe(8000);
  });
});

describe("fromAnthropicResponse", () => {
  it("maps text, tool_use, stop reason and usage", () => {
    const c = fromAnthropicResponse(
      {
        id: "msg_1",
        type: "message",
        role: "assistant",
        model: "claude-x",
        content: [
          { type: "text", text: "ok" },
          { type: "tool_use", id: "tu", name: "f", input: { a: 1 } },
        ],
        stop_reason: "tool_use",
        usage: { input_tokens: 10, output_tokens: 4, cache_read_input_tokens: 2 },
      },
      1,
    );
    expect(c.choices[0]?.message).toEqual({
      role: "assistant",
      content: "ok",
      tool_calls: [{ id: "tu", type: "function", function: { name: "f", arguments: '{"a":1}' } }],
    });
    expect(c.choices[0]?.finish_reason).toBe("tool_calls");
    expect(c.usage).toEqual({
      prompt_tokens: 12,
      completion_tokens: 4,
      total_tokens: 16,
      prompt_tokens_details: { cached_tokens: 2, cache_write_tokens: 0 },
    });
  });

  it("keeps the stop sequence that ended the answer as STOP_SEQUENCE on the choice, out of the JSON", () => {
    const answer = { id: "m", type: "message" as const, role: "assistant" as const, model: "claude-x", content: [{ type: "text" as const, text: "1, 2" }] };
    const stopped = fromAnthropicResponse({ ...answer, stop_reason: "stop_sequence", stop_sequence: ", 3", usage: {} }, 1);
    expect(stopped.choices[0]?.finish_reason).toBe("stop");
    expect(stopped.choices[0]?.[STOP_SEQUENCE]).toBe(", 3");
    expect(JSON.stringify(stopped)).not.toContain(", 3");
    expect(fromAnthropicResponse({ ...answer, stop_reason: "end_turn", stop_sequence: null, usage: {} }, 1).choices[0]?.[STOP_SEQUENCE]).toBeUndefined();
  });
});

describe("AnthropicStreamTranslator", () => {
  it("turns the event sequence into chunks with tool-call deltas and a final usage chunk", () => {
    const t = new AnthropicStreamTranslator(1);
    const events = [
      { type: "message_start", message: { id: "m", model: "claude-x", usage: { input_tokens: 9, output_tokens: 1 } } },
      { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
      { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Hi" } },
      { type: "content_block_stop", index: 0 },
      { type: "content_block_start", index: 1, content_block: { type: "tool_use", id: "tu", name: "f" } },
      { type: "content_block_delta", index: 1, delta: { type: "input_json_delta", partial_json: '{"a":' } },
      { type: "content_block_delta", index: 1, delta: { type: "input_json_delta", partial_json: "1}" } },
      { type: "message_delta", delta: { stop_reason: "tool_use" }, usage: { output_tokens: 7 } },
      { type: "message_stop" },
    ];
    const chunks = events.flatMap((e) => t.next(e));
    expect(chunks.map((c) => c.choices[0]?.delta ?? null)).toEqual([
      { role: "assistant", content: "" },
      { content: "Hi" },
      { tool_calls: [{ index: 0, id: "tu", type: "function", function: { name: "f", arguments: "" } }] },
      { tool_calls: [{ index: 0, function: { arguments: '{"a":' } }] },
      { tool_calls: [{ index: 0, function: { arguments: "1}" } }] },
      {},
      null,
    ]);
    expect(chunks[5]?.choices[0]?.finish_reason).toBe("tool_calls");
    expect(chunks[6]?.usage).toEqual({ prompt_tokens: 9, completion_tokens: 7, total_tokens: 16 });
    expect(t.finished).toBe(true);
  });

  it("cache counts of message_start survive message_delta's nulls; its cumulative counts and thinking tokens win", () => {
    const t = new AnthropicStreamTranslator(1);
    const usage = (...events: Record<string, unknown>[]) => [...events, { type: "message_stop" }].flatMap((e) => t.next(e as never)).at(-1)?.usage;
    expect(
      usage(
        {
          type: "message_start",
          message: { id: "m", model: "c", usage: { input_tokens: 10, cache_read_input_tokens: 900, cache_creation_input_tokens: 50, output_tokens: 1 } },
        },
        {
          type: "message_delta",
          delta: { stop_reason: "end_turn" },
          usage: {
            output_tokens: 40,
            input_tokens: null,
            cache_read_input_tokens: null,
            cache_creation_input_tokens: 60,
            output_tokens_details: { thinking_tokens: 25 },
          },
        },
      ),
    ).toEqual({
      prompt_tokens: 970,
      completion_tokens: 40,
      total_tokens: 1010,
      prompt_tokens_details: { cached_tokens: 900, cache_write_tokens: 60 },
      completion_tokens_details: { reasoning_tokens: 25 },
    });
  });

  it("marks the finish chunk with the stop sequence message_delta names", () => {
    const t = new AnthropicStreamTranslator(1);
    t.next({ type: "message_start", message: { id: "m", model: "claude-x", usage: {} } });
    const [last] = t.next({ type: "message_delta", delta: { stop_reason: "stop_sequence", stop_sequence: "END" }, usage: { output_tokens: 3 } });
    expect(last?.choices[0]?.finish_reason).toBe("stop");
    expect(last?.choices[0]?.[STOP_SEQUENCE]).toBe("END");
  });

  it("throws the error event", () => {
    const t = new AnthropicStreamTranslator(1);
    expect(() => t.next({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } })).toThrow("Overloaded");
  });
});
