/** The Messages dialect without sockets: requests read into the internal chat body, answers and streams written back. */
import { describe, expect, it } from "vitest";
import { replayStream } from "../../cache/replay.ts";
import { RouterError } from "../../errors.ts";
import type { ChatBody, ChatCompletion, ChatCompletionChunk } from "../chat.ts";
import { bearerKey } from "../chat-dialect.ts";
import { tooDeep } from "../json.ts";
import { STOP_SEQUENCE } from "../stop-sequence.ts";
import { createMessagesDialect } from "./dialect.ts";

/** A fixed estimate, so the stream's message_start is checkable. */
const dialect = createMessagesDialect({ RouterError, bearerKey, tooDeep, promptTokens: () => 42 });
const info = { requestId: "req1", route: "chat", createdAt: 0 };

const read = (value: unknown, headers: Record<string, string> = {}): ChatBody => dialect.read(value, headers).body;

function refusal(value: unknown, headers: Record<string, string> = {}): { param: string | undefined; message: string } {
  try {
    dialect.read(value, headers);
  } catch (error) {
    expect(error).toBeInstanceOf(RouterError);
    return { param: (error as RouterError).param, message: (error as RouterError).message };
  }
  throw new Error("the request was accepted");
}

const base = { model: "chat", max_tokens: 100 };
const user = [{ role: "user", content: "hi" }];

describe("reading a Messages request", () => {
  it("names a missing field as missing, not 'got a undefined' (found by the fuzz suite)", () => {
    expect(refusal({ ...base, system: [{ type: "text" }], messages: user })).toEqual({
      param: "system[0].text",
      message: "`system[0].text` must be a string, got nothing",
    });
    expect(refusal({ ...base, system: [{ text: "x" }], messages: user }).message).toBe(
      '`system[0].type` must be "text" (system prompts hold text blocks only), got nothing',
    );
    const image = (source: unknown) => ({ ...base, messages: [{ role: "user", content: [{ type: "image", source }] }] });
    expect(refusal(image({ data: "x" })).message).toMatch(/`messages\[0\]\.content\[0\]\.source\.type` must be .*, got nothing$/);
    // A client's string is quoted cut short, never whole.
    expect(refusal(image({ type: "z".repeat(100_000) })).message).toMatch(/got "z{60}…"$/);
  });

  it("puts system first (text blocks joined with a blank line) and maps the sampling fields", () => {
    const body = read({
      ...base,
      system: [
        { type: "text", text: "You are terse.", cache_control: { type: "ephemeral" } },
        { type: "text", text: "Answer in French." },
      ],
      messages: [{ role: "user", content: "hi" }],
      temperature: 0.3,
      top_p: 0.9,
      stop_sequences: ["END"],
      metadata: { user_id: "u-7" },
    });
    expect(body).toEqual({
      model: "chat",
      messages: [
        { role: "system", content: "You are terse.\n\nAnswer in French." },
        { role: "user", content: "hi" },
      ],
      max_tokens: 100,
      temperature: 0.3,
      top_p: 0.9,
      stop: ["END"],
      user: "u-7",
    });
  });

  it("keeps history order: text and images in user messages, each tool_result a tool message where it stands", () => {
    const body = read({
      ...base,
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "Weather in Paris? Look:" },
            { type: "image", source: { type: "base64", media_type: "image/png", data: "AAAA" } },
          ],
        },
        {
          role: "assistant",
          content: [
            { type: "text", text: "Checking." },
            { type: "tool_use", id: "toolu_1", name: "weather", input: { city: "Paris" } },
            { type: "tool_use", id: "toolu_2", name: "clock", input: {} },
          ],
        },
        {
          role: "user",
          content: [
            { type: "tool_result", tool_use_id: "toolu_1", content: "18°C" },
            { type: "tool_result", tool_use_id: "toolu_2", content: [{ type: "text", text: "09:00" }], is_error: false },
            { type: "text", text: "And a picture:" },
            { type: "image", source: { type: "url", url: "https://example.com/a.jpg" } },
          ],
        },
      ],
    });
    expect(body.messages).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "Weather in Paris? Look:" },
          { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } },
        ],
      },
      {
        role: "assistant",
        content: "Checking.",
        tool_calls: [
          { id: "toolu_1", type: "function", function: { name: "weather", arguments: '{"city":"Paris"}' } },
          { id: "toolu_2", type: "function", function: { name: "clock", arguments: "{}" } },
        ],
      },
      { role: "tool", tool_call_id: "toolu_1", content: "18°C" },
      { role: "tool", tool_call_id: "toolu_2", content: [{ type: "text", text: "09:00" }] },
      {
        role: "user",
        content: [
          { type: "text", text: "And a picture:" },
          { type: "image_url", image_url: { url: "https://example.com/a.jpg" } },
        ],
      },
    ]);
  });

  it("keeps a system message where it stands in the history", () => {
    const body = read({
      ...base,
      messages: [
        { role: "user", content: "a" },
        { role: "system", content: [{ type: "text", text: "Now be brief." }] },
        { role: "user", content: "b" },
      ],
    });
    expect(body.messages.map((m) => m.role)).toEqual(["user", "system", "user"]);
    expect(body.messages[1]?.content).toBe("Now be brief.");
  });

  it("maps custom tools, tool_choice and disable_parallel_tool_use", () => {
    const tool = {
      name: "weather",
      description: "Weather now",
      input_schema: { type: "object", properties: { city: { type: "string" } } },
      cache_control: { type: "ephemeral" },
    };
    const messages = [{ role: "user", content: "hi" }];
    const body = read({ ...base, messages, tools: [tool], tool_choice: { type: "tool", name: "weather", disable_parallel_tool_use: true } });
    expect(body.tools).toEqual([{ type: "function", function: { name: "weather", description: "Weather now", parameters: tool.input_schema } }]);
    expect(body.tool_choice).toEqual({ type: "function", function: { name: "weather" } });
    expect(body.parallel_tool_calls).toBe(false);
    expect(read({ ...base, messages, tools: [tool], tool_choice: { type: "any" } }).tool_choice).toBe("required");
    expect(read({ ...base, messages, tools: [tool], tool_choice: { type: "none" } }).tool_choice).toBe("none");
    // Without tools, auto and none ask for what happens anyway: nothing is sent.
    expect(read({ ...base, messages, tool_choice: { type: "auto" } }).tool_choice).toBeUndefined();
  });

  it("maps output_config.format to a json_schema response_format", () => {
    const schema = { type: "object", properties: { a: { type: "string" } }, required: ["a"] };
    const body = read({ ...base, messages: [{ role: "user", content: "hi" }], output_config: { format: { type: "json_schema", schema } } });
    expect(body.response_format).toEqual({ type: "json_schema", json_schema: { name: "output", schema, strict: true } });
  });

  it("asks for the usage chunk when streaming, and leaves an empty final assistant turn (an empty prefill) out", () => {
    const request = dialect.read(
      {
        ...base,
        stream: true,
        messages: [
          { role: "user", content: "hi" },
          { role: "assistant", content: "" },
        ],
      },
      {},
    );
    expect(request.stream).toBe(true);
    expect(request.body.stream_options).toEqual({ include_usage: true });
    expect(request.body.messages).toEqual([{ role: "user", content: "hi" }]);
  });

  it("reads a count_tokens body without max_tokens", () => {
    const request = dialect.readCount({ model: "chat", messages: [{ role: "user", content: "hi" }] }, {});
    expect(request.body.max_tokens).toBeUndefined();
    expect(JSON.parse(dialect.countTokens(request.body))).toEqual({ input_tokens: 42 });
  });

  it.each([
    ["no max_tokens", { model: "chat", messages: user }, "max_tokens"],
    ["max_tokens 0", { ...base, max_tokens: 0, messages: user }, "max_tokens"],
    ["no model", { max_tokens: 5, messages: user }, "model"],
    ["temperature above 1", { ...base, messages: user, temperature: 1.5 }, "temperature"],
    ["top_k", { ...base, messages: user, top_k: 5 }, "top_k"],
    ["thinking", { ...base, messages: user, thinking: { type: "enabled", budget_tokens: 1024 } }, "thinking"],
    ["an unknown field", { ...base, messages: user, frequency_penalty: 1 }, "frequency_penalty"],
    [
      "an empty user turn",
      {
        ...base,
        messages: [
          { role: "user", content: [] },
          { role: "assistant", content: "x" },
        ],
      },
      "messages[0].content",
    ],
    ["an empty text block", { ...base, messages: [{ role: "user", content: [{ type: "text", text: "" }] }] }, "messages[0].content[0].text"],
    ["a document", { ...base, messages: [{ role: "user", content: [{ type: "document", source: {} }] }] }, "messages[0].content[0].type"],
    [
      "an image in a tool result",
      { ...base, messages: [{ role: "user", content: [{ type: "tool_result", tool_use_id: "t", content: [{ type: "image", source: {} }] }] }] },
      "messages[0].content[0].content[0].type",
    ],
    [
      "a file image source",
      { ...base, messages: [{ role: "user", content: [{ type: "image", source: { type: "file", file_id: "f" } }] }] },
      "messages[0].content[0].source.type",
    ],
    ["a forced tool without tools", { ...base, messages: user, tool_choice: { type: "any" } }, "tool_choice.type"],
    ["metadata beyond user_id", { ...base, messages: user, metadata: { team: "x" } }, "metadata.team"],
    ["output_config.effort", { ...base, messages: user, output_config: { effort: "high" } }, "output_config.effort"],
  ])("refuses %s, naming the field", (_what, body, param) => {
    expect(refusal(body).param).toBe(param);
  });

  it("refuses server tools, naming each", () => {
    const { param, message } = refusal({
      ...base,
      messages: user,
      tools: [
        { type: "web_search_20250305", name: "web_search" },
        { name: "mine", input_schema: { type: "object" } },
        { type: "bash_20250124", name: "bash" },
      ],
    });
    expect(param).toBe("tools");
    expect(message).toContain("web_search_20250305 (tools[0])");
    expect(message).toContain("bash_20250124 (tools[2])");
  });

  it("accepts a missing anthropic-version and refuses one before 2023-06-01", () => {
    expect(read({ ...base, messages: user }, {}).model).toBe("chat");
    expect(read({ ...base, messages: user }, { "anthropic-version": "2026-10-21" }).model).toBe("chat");
    expect(refusal({ ...base, messages: user }, { "anthropic-version": "2023-01-01" }).param).toBe("anthropic-version");
  });
});

describe("the key", () => {
  it("is read from x-api-key, else from Authorization: Bearer, else refused naming x-api-key", () => {
    expect(dialect.apiKey({ "x-api-key": "k1" })).toBe("k1");
    expect(dialect.apiKey({ authorization: "Bearer k2" })).toBe("k2");
    expect(() => dialect.apiKey({})).toThrow(/x-api-key/);
  });
});

const completion = (message: ChatCompletion["choices"][number]["message"], finish: string, usage?: ChatCompletion["usage"]): ChatCompletion => ({
  id: "chatcmpl-1",
  object: "chat.completion",
  created: 1,
  model: "gpt-4o-mini",
  choices: [{ index: 0, message, finish_reason: finish }],
  ...(usage === undefined ? {} : { usage }),
});

describe("writing a message", () => {
  it("writes text, tool_use blocks with parsed input, the stop reason and Anthropic's usage (cache reads apart)", () => {
    const answer = JSON.parse(
      dialect.completion(
        completion(
          {
            role: "assistant",
            content: "Let me check.",
            tool_calls: [{ id: "call_1", type: "function", function: { name: "weather", arguments: '{"city":"Paris"}' } }],
          },
          "tool_calls",
          { prompt_tokens: 100, completion_tokens: 9, total_tokens: 109, prompt_tokens_details: { cached_tokens: 60, cache_write_tokens: 10 } },
        ),
        info,
        dialect.read({ ...base, messages: user }, {}),
      ),
    );
    expect(answer).toEqual({
      id: "msg_req1",
      type: "message",
      role: "assistant",
      model: "gpt-4o-mini",
      content: [
        { type: "text", text: "Let me check." },
        { type: "tool_use", id: "call_1", name: "weather", input: { city: "Paris" } },
      ],
      stop_reason: "tool_use",
      stop_sequence: null,
      usage: { input_tokens: 30, output_tokens: 9, cache_read_input_tokens: 60, cache_creation_input_tokens: 10 },
    });
  });

  it("writes a refusal's words as text with stop_reason refusal, after the text before it in one block", () => {
    const request = dialect.read({ ...base, messages: user }, {});
    const only = JSON.parse(dialect.completion(completion({ role: "assistant", content: null, refusal: "I can't help with that." }, "stop"), info, request));
    expect(only).toMatchObject({ content: [{ type: "text", text: "I can't help with that." }], stop_reason: "refusal" });
    const both = JSON.parse(dialect.completion(completion({ role: "assistant", content: "Well. ", refusal: "No." }, "stop"), info, request));
    expect(both).toMatchObject({ content: [{ type: "text", text: "Well. No." }], stop_reason: "refusal" });
  });

  it.each([
    ["stop", "end_turn"],
    ["length", "max_tokens"],
    ["content_filter", "refusal"],
  ])("maps finish_reason %s to stop_reason %s", (finish, stop) => {
    const answer = JSON.parse(dialect.completion(completion({ role: "assistant", content: "x" }, finish), info, dialect.read({ ...base, messages: user }, {})));
    expect(answer.stop_reason).toBe(stop);
  });

  it("answers stop_reason stop_sequence with the sequence when the upstream named it (STOP_SEQUENCE), end_turn and null otherwise", () => {
    const request = dialect.read({ ...base, stop_sequences: ["END"], messages: user }, {});
    const stopped = completion({ role: "assistant", content: "1, 2, 3" }, "stop");
    expect(JSON.parse(dialect.completion(stopped, info, request))).toMatchObject({ stop_reason: "end_turn", stop_sequence: null });
    (stopped.choices[0] as ChatCompletion["choices"][number])[STOP_SEQUENCE] = "END";
    expect(JSON.parse(dialect.completion(stopped, info, request))).toMatchObject({ stop_reason: "stop_sequence", stop_sequence: "END" });
  });
});

/** The SSE text as [event name, data] pairs, checking each `event:` line names its data's type. */
function events(text: string): Array<[string, Record<string, unknown>]> {
  return text
    .split("\n\n")
    .filter((frame) => frame !== "")
    .map((frame) => {
      const [eventLine, dataLine] = frame.split("\n");
      const name = eventLine?.replace(/^event: /, "") ?? "";
      const data = JSON.parse(dataLine?.replace(/^data: /, "") ?? "") as Record<string, unknown>;
      expect(data["type"]).toBe(name);
      return [name, data];
    });
}

const chunk = (delta: ChatCompletionChunk["choices"][number]["delta"], finish: string | null = null): ChatCompletionChunk => ({
  id: "c",
  object: "chat.completion.chunk",
  created: 1,
  model: "claude-x",
  choices: [{ index: 0, delta, finish_reason: finish }],
});
const usageChunk: ChatCompletionChunk = {
  id: "c",
  object: "chat.completion.chunk",
  created: 1,
  model: "claude-x",
  choices: [],
  usage: { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 },
};

describe("streaming", () => {
  it("writes Anthropic's event sequence for text then a tool call", () => {
    const encoder = dialect.stream(info, dialect.read({ ...base, stream: true, messages: user }, {}));
    let text = "";
    for (const c of [
      chunk({ role: "assistant", content: "" }),
      chunk({ content: "Let " }),
      chunk({ content: "me check." }),
      chunk({ tool_calls: [{ index: 0, id: "call_1", type: "function", function: { name: "weather", arguments: "" } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city"' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: ': "Paris"}' } }] }),
      chunk({}, "tool_calls"),
    ]) {
      text += encoder.chunk(c, undefined, false);
    }
    text += encoder.chunk(usageChunk, undefined, true) + encoder.end();
    expect(events(text)).toEqual([
      [
        "message_start",
        {
          type: "message_start",
          message: {
            id: "msg_req1",
            type: "message",
            role: "assistant",
            model: "claude-x",
            content: [],
            stop_reason: null,
            stop_sequence: null,
            usage: { input_tokens: 42, output_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
          },
        },
      ],
      ["ping", { type: "ping" }],
      ["content_block_start", { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } }],
      ["content_block_delta", { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Let " } }],
      ["content_block_delta", { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "me check." } }],
      ["content_block_stop", { type: "content_block_stop", index: 0 }],
      ["content_block_start", { type: "content_block_start", index: 1, content_block: { type: "tool_use", id: "call_1", name: "weather", input: {} } }],
      ["content_block_delta", { type: "content_block_delta", index: 1, delta: { type: "input_json_delta", partial_json: '{"city"' } }],
      ["content_block_delta", { type: "content_block_delta", index: 1, delta: { type: "input_json_delta", partial_json: ': "Paris"}' } }],
      ["content_block_stop", { type: "content_block_stop", index: 1 }],
      [
        "message_delta",
        {
          type: "message_delta",
          delta: { stop_reason: "tool_use", stop_sequence: null },
          usage: { input_tokens: 12, output_tokens: 5, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
        },
      ],
      ["message_stop", { type: "message_stop" }],
    ]);
  });

  it("streams a refusal as text deltas and ends with stop_reason refusal, whatever the upstream's finish reason", () => {
    const encoder = dialect.stream(info, dialect.read({ ...base, stream: true, messages: user }, {}));
    let text = "";
    for (const c of [chunk({ role: "assistant", content: "", refusal: null }), chunk({ refusal: "I can't " }), chunk({ refusal: "help." }), chunk({}, "stop")])
      text += encoder.chunk(c, undefined, false);
    const list = events(text + encoder.end()).slice(2);
    expect(list).toEqual([
      ["content_block_start", { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } }],
      ["content_block_delta", { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "I can't " } }],
      ["content_block_delta", { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "help." } }],
      ["content_block_stop", { type: "content_block_stop", index: 0 }],
      ["message_delta", expect.objectContaining({ delta: { stop_reason: "refusal", stop_sequence: null } })],
      ["message_stop", { type: "message_stop" }],
    ]);
  });

  it.each([
    ["a refusal", { role: "assistant" as const, content: null, refusal: "I can't help with that." }],
    ["text then a refusal", { role: "assistant" as const, content: "Hmm. ", refusal: "No." }],
    ["text alone", { role: "assistant" as const, content: "Bonjour", refusal: null }],
  ])("streams %s as the finished answer's blocks and stop reason", (_, message) => {
    const finished = completion(message, "stop");
    const request = dialect.read({ ...base, stream: true, messages: user }, {});
    const blocks: Array<{ type: string; text: string }> = [];
    let stop: unknown;
    for (const [name, data] of events(replayStream(dialect.stream(info, request), finished, undefined))) {
      if (name === "content_block_start") blocks.push({ type: "text", text: "" });
      if (name === "content_block_delta") (blocks.at(-1) as { text: string }).text += (data["delta"] as { text: string }).text;
      if (name === "message_delta") stop = (data["delta"] as { stop_reason: unknown }).stop_reason;
    }
    const answer = JSON.parse(dialect.completion(finished, info, request)) as { content: unknown; stop_reason: unknown };
    expect({ content: blocks, stop }).toEqual({ content: answer.content, stop: answer.stop_reason });
  });

  it("ends with stop_reason stop_sequence and the sequence the finish chunk carries (STOP_SEQUENCE)", () => {
    const encoder = dialect.stream(info, dialect.read({ ...base, stream: true, stop_sequences: ["END"], messages: user }, {}));
    const last = chunk({}, "stop");
    (last.choices[0] as ChatCompletionChunk["choices"][number])[STOP_SEQUENCE] = "END";
    const text = encoder.chunk(chunk({ content: "1, 2" }), undefined, false) + encoder.chunk(last, undefined, false) + encoder.end();
    expect(events(text).find(([name]) => name === "message_delta")?.[1]["delta"]).toEqual({ stop_reason: "stop_sequence", stop_sequence: "END" });
  });

  it("ends a stream that failed mid-way with an error event", () => {
    const encoder = dialect.stream(info, dialect.read({ ...base, stream: true, messages: user }, {}));
    const text = encoder.chunk(chunk({ role: "assistant", content: "" }), undefined, false) + encoder.fail("connection reset");
    const last = events(text).at(-1);
    expect(last?.[0]).toBe("error");
    expect(last?.[1]["error"]).toEqual({ type: "api_error", message: "the upstream stream failed after the response started: connection reset" });
  });
});

describe("errors", () => {
  it.each([
    [new RouterError("invalid_api_key", "bad key"), "authentication_error"],
    [new RouterError("route_not_allowed", "no"), "permission_error"],
    [new RouterError("route_not_found", "no such route"), "not_found_error"],
    [new RouterError("body_too_large", "too big"), "request_too_large"],
    [new RouterError("budget_exceeded", "spent"), "rate_limit_error"],
    [new RouterError("no_candidates", "none"), "overloaded_error"],
    [new RouterError("all_candidates_failed", "all failed"), "api_error"],
    [new RouterError("invalid_request", "`x` bad"), "invalid_request_error"],
  ])("%s is Anthropic's %s, with the router's code in details", (error, type) => {
    expect(JSON.parse(dialect.error(error))).toEqual({ type: "error", error: { type, message: error.message, details: { error_code: error.code } } });
  });
});
