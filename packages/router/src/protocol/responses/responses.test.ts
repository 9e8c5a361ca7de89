/** The Responses dialect without sockets: requests read into the internal chat body, answers and streams written back. */
import { describe, expect, it } from "vitest";
import { replayStream } from "../../cache/replay.ts";
import { RouterError } from "../../errors.ts";
import type { ChatCompletion, ChatCompletionChunk } from "../chat.ts";
import { bearerKey } from "../chat-dialect.ts";
import { tooDeep } from "../json.ts";
import { createResponsesDialect } from "./dialect.ts";
import { readResponsesRequest } from "./read.ts";

const dialect = createResponsesDialect({ RouterError, bearerKey, tooDeep });
const info = { requestId: "abc-123", route: "chat", createdAt: 1_700_000_000_500 };

/** The problem a request is refused with (fails the test when it is read). */
function problem(value: unknown): { code: string; param: string | undefined; message: string } {
  const read = readResponsesRequest(value);
  if (read.ok) throw new Error("expected a refusal");
  return read.problem;
}

describe("reading a Responses request", () => {
  it("names a missing field as missing, not 'got a undefined' (found by the fuzz suite)", () => {
    expect(problem({ model: "chat", input: [{ role: "assistant", content: [{ type: "output_text" }] }] })).toMatchObject({
      param: "input[0].content[0].text",
      message: "`input[0].content[0].text` must be a string, got nothing",
    });
    expect(problem({ model: "chat", input: [{ type: "message", content: "x" }] })).toMatchObject({
      param: "input[0].role",
      message: "`input[0].role` must be user, assistant, system or developer, got nothing",
    });
  });

  it("reads a string input with instructions and settings into a chat body", () => {
    const request = dialect.read(
      { model: "chat", instructions: "Be brief.", input: "hi", max_output_tokens: 64, temperature: 0.2, top_p: 0.9, user: "u1", metadata: { app: "x" } },
      {},
    );
    expect(request.body).toEqual({
      model: "chat",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "hi" },
      ],
      max_completion_tokens: 64,
      temperature: 0.2,
      top_p: 0.9,
      user: "u1",
    });
    expect(request.stream).toBe(false);
    expect(request.echo).toMatchObject({ instructions: "Be brief.", metadata: { app: "x" }, max_output_tokens: 64 });
  });

  it("reads message items, images, function calls and their outputs in order", () => {
    const { body } = dialect.read(
      {
        model: "chat",
        stream: true,
        input: [
          { role: "developer", content: "Use tools." },
          {
            type: "message",
            role: "user",
            content: [
              { type: "input_text", text: "What is this?" },
              { type: "input_image", image_url: "data:image/png;base64,AAAA", detail: "low" },
            ],
          },
          { type: "reasoning", id: "rs_1", summary: [] },
          { role: "assistant", content: [{ type: "output_text", text: "Let me look." }] },
          { type: "function_call", call_id: "c1", name: "lookup", arguments: '{"q":"a"}' },
          { type: "function_call", call_id: "c2", name: "lookup", arguments: '{"q":"b"}' },
          { type: "function_call_output", call_id: "c1", output: "A" },
          {
            type: "function_call_output",
            call_id: "c2",
            output: [
              { type: "input_text", text: "B" },
              { type: "input_text", text: "" },
              { type: "input_text", text: "C" },
            ],
          },
        ],
      },
      {},
    );
    expect(body.messages).toEqual([
      { role: "developer", content: "Use tools." },
      {
        role: "user",
        content: [
          { type: "text", text: "What is this?" },
          { type: "image_url", image_url: { url: "data:image/png;base64,AAAA", detail: "low" } },
        ],
      },
      {
        role: "assistant",
        content: "Let me look.",
        tool_calls: [
          { id: "c1", type: "function", function: { name: "lookup", arguments: '{"q":"a"}' } },
          { id: "c2", type: "function", function: { name: "lookup", arguments: '{"q":"b"}' } },
        ],
      },
      { role: "tool", tool_call_id: "c1", content: "A" },
      { role: "tool", tool_call_id: "c2", content: "B\n\nC" },
    ]);
    expect(body.stream).toBe(true);
    expect(body.stream_options).toEqual({ include_usage: true });
  });

  it("reads back an answer's message item as written, its refusal part as the assistant's text", () => {
    const { body } = dialect.read(
      {
        model: "chat",
        input: [
          { role: "user", content: "hi" },
          {
            id: "msg_abc123_0",
            type: "message",
            status: "completed",
            role: "assistant",
            content: [{ type: "refusal", refusal: "I can't help with that." }],
          },
          { role: "user", content: "Why?" },
        ],
      },
      {},
    );
    expect(body.messages[1]).toEqual({ role: "assistant", content: "I can't help with that." });
  });

  it("reads an answer's text and refusal parts back as one text, the parts a blank line apart, as adapters join text parts", () => {
    const written = JSON.parse(
      dialect.completion(
        completion({ role: "assistant", content: "Let me see.", refusal: "I can't help with that." }, "stop"),
        info,
        dialect.read({ model: "chat", input: "hi" }, {}),
      ),
    ) as {
      output: unknown[];
    };
    const { body } = dialect.read({ model: "chat", input: [{ role: "user", content: "hi" }, ...written.output, { role: "user", content: "Why?" }] }, {});
    expect(body.messages[1]).toEqual({ role: "assistant", content: "Let me see.\n\nI can't help with that." });
    const parts = [
      { type: "output_text", text: "One." },
      { type: "output_text", text: "" },
      { type: "input_text", text: "Two." },
    ];
    expect(dialect.read({ model: "chat", input: [{ role: "assistant", content: parts }] }, {}).body.messages[0]).toEqual({
      role: "assistant",
      content: "One.\n\nTwo.",
    });
  });

  it("reads function tools, tool_choice and text.format into their Chat Completions twins", () => {
    const schema = { type: "object", properties: { a: { type: "string" } } };
    const { body } = dialect.read(
      {
        model: "chat",
        input: "x",
        tools: [{ type: "function", name: "f", description: "d", parameters: schema, strict: true }],
        tool_choice: { type: "function", name: "f" },
        parallel_tool_calls: false,
        text: { format: { type: "json_schema", name: "out", schema, strict: true } },
        reasoning: { effort: "low" },
      },
      {},
    );
    expect(body.tools).toEqual([{ type: "function", function: { name: "f", description: "d", parameters: schema, strict: true } }]);
    expect(body.tool_choice).toEqual({ type: "function", function: { name: "f" } });
    expect(body.parallel_tool_calls).toBe(false);
    expect(body.response_format).toEqual({ type: "json_schema", json_schema: { name: "out", schema, strict: true } });
    expect(body["reasoning_effort"]).toBe("low");
    expect(dialect.read({ model: "chat", input: "x", text: { format: { type: "json_object" } } }, {}).body.response_format).toEqual({ type: "json_object" });
    expect(dialect.read({ model: "chat", input: "x", text: { format: { type: "text" } } }, {}).body.response_format).toBeUndefined();
  });

  it("refuses what the router cannot honour as unsupported_parameter, naming the field", () => {
    expect(problem({ model: "m", input: "x", tools: [{ type: "web_search_preview" }] })).toMatchObject({
      code: "unsupported_parameter",
      param: "tools[0].type",
    });
    expect(problem({ model: "m", input: "x", previous_response_id: "resp_1" })).toMatchObject({ code: "unsupported_parameter", param: "previous_response_id" });
    expect(problem({ model: "m", input: "x", conversation: "conv_1" })).toMatchObject({ code: "unsupported_parameter", param: "conversation" });
    expect(problem({ model: "m", input: "x", store: true })).toMatchObject({ code: "unsupported_parameter", param: "store" });
    expect(problem({ model: "m", input: "x", background: true })).toMatchObject({ code: "unsupported_parameter", param: "background" });
    expect(problem({ model: "m", input: [{ type: "item_reference", id: "msg_1" }] })).toMatchObject({ code: "unsupported_parameter", param: "input[0]" });
    expect(problem({ model: "m", input: [{ type: "computer_call_output", call_id: "c" }] })).toMatchObject({
      code: "unsupported_parameter",
      param: "input[0].type",
    });
    expect(problem({ model: "m", input: "x", prompt: { id: "pmpt_1" } })).toMatchObject({ code: "unsupported_parameter", param: "prompt" });
    expect(problem({ model: "m", input: [{ role: "user", content: [{ type: "input_image", file_id: "file_1" }] }] })).toMatchObject({
      code: "unsupported_parameter",
      param: "input[0].content[0].file_id",
    });
    expect(readResponsesRequest({ model: "m", input: "x", store: false }).ok).toBe(true);
  });

  it("refuses malformed requests as invalid_request, naming the Responses field", () => {
    expect(problem({ input: "x" })).toMatchObject({ code: "invalid_request", param: "model" });
    expect(problem({ model: "m" })).toMatchObject({ code: "invalid_request", param: "input" });
    expect(problem({ model: "m", input: [] })).toMatchObject({ param: "input" });
    expect(problem({ model: "m", input: [{ role: "robot", content: "x" }] })).toMatchObject({ param: "input[0].role" });
    expect(problem({ model: "m", input: [{ type: "function_call", name: "f", arguments: "{}" }] })).toMatchObject({ param: "input[0].call_id" });
    expect(problem({ model: "m", input: "x", max_output_tokens: 0 })).toMatchObject({ param: "max_output_tokens" });
    expect(problem({ model: "m", input: "x", temperature: 3 })).toMatchObject({ param: "temperature" });
    expect(problem({ model: "m", input: "x", tool_choice: { type: "function", name: "g" } })).toMatchObject({ param: "tool_choice.name" });
    expect(problem({ model: "m", input: "x", text: { format: { type: "json_schema", name: "o" } } })).toMatchObject({ param: "text.format.schema" });
    expect(problem({ model: "m", input: "x", metadata: { a: 1 } })).toMatchObject({ param: "metadata.a" });
    let deep: unknown = "x";
    for (let i = 0; i < 80; i++) deep = [deep];
    expect(() => dialect.read({ model: "m", input: "x", tools: [{ type: "function", name: "f", parameters: { a: deep } }] }, {})).toThrow(
      /`tools\[0\]\.parameters` nests more than 64 levels deep/,
    );
  });

  it("throws RouterError with the problem's code and param, answered in OpenAI's error shape", () => {
    let thrown: unknown;
    try {
      dialect.read({ model: "m", input: "x", tools: [{ type: "file_search" }] }, {});
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(RouterError);
    const error = thrown as RouterError;
    expect(error.status).toBe(400);
    expect(JSON.parse(dialect.error(error))).toEqual({
      error: {
        message: expect.stringContaining("hosted OpenAI tool") as string,
        type: "invalid_request_error",
        code: "unsupported_parameter",
        param: "tools[0].type",
      },
    });
  });

  it("takes the key from Authorization: Bearer, as OpenAI's clients send it", () => {
    expect(dialect.apiKey({ authorization: "Bearer k1" })).toBe("k1");
    expect(() => dialect.apiKey({})).toThrow(/missing Authorization header/);
  });
});

const completion = (message: ChatCompletion["choices"][0]["message"], finish: string): ChatCompletion => ({
  id: "chatcmpl-1",
  object: "chat.completion",
  created: 1,
  model: "gpt-4o-mini",
  choices: [{ index: 0, message, finish_reason: finish }],
  usage: {
    prompt_tokens: 20,
    completion_tokens: 7,
    total_tokens: 27,
    prompt_tokens_details: { cached_tokens: 5 },
    completion_tokens_details: { reasoning_tokens: 2 },
  },
});

describe("writing a response", () => {
  const request = dialect.read({ model: "chat", input: "hi", instructions: "Be brief.", metadata: { k: "v" } }, {});

  it("writes text and function calls as output items, with usage in Responses' terms", () => {
    const body = JSON.parse(
      dialect.completion(
        completion(
          { role: "assistant", content: "Checking.", tool_calls: [{ id: "call_1", type: "function", function: { name: "f", arguments: '{"a":1}' } }] },
          "tool_calls",
        ),
        info,
        request,
      ),
    ) as Record<string, unknown>;
    expect(body).toMatchObject({
      id: "resp_abc123",
      object: "response",
      created_at: 1_700_000_000,
      status: "completed",
      incomplete_details: null,
      error: null,
      model: "gpt-4o-mini",
      instructions: "Be brief.",
      metadata: { k: "v" },
      store: false,
      output: [
        { id: "msg_abc123_0", type: "message", role: "assistant", status: "completed", content: [{ type: "output_text", text: "Checking.", annotations: [] }] },
        { id: "fc_abc123_1", type: "function_call", call_id: "call_1", name: "f", arguments: '{"a":1}', status: "completed" },
      ],
      usage: {
        input_tokens: 20,
        input_tokens_details: { cached_tokens: 5 },
        output_tokens: 7,
        output_tokens_details: { reasoning_tokens: 2 },
        total_tokens: 27,
      },
    });
  });

  it("marks a length cut incomplete with reason max_output_tokens", () => {
    const body = JSON.parse(dialect.completion(completion({ role: "assistant", content: "Once" }, "length"), info, request)) as Record<string, unknown>;
    expect(body).toMatchObject({ status: "incomplete", incomplete_details: { reason: "max_output_tokens" }, output: [{ status: "incomplete" }] });
  });

  it("writes a refusal as a refusal part, after the text when there is some", () => {
    const only = JSON.parse(dialect.completion(completion({ role: "assistant", content: null, refusal: "I can't help with that." }, "stop"), info, request));
    expect(only.status).toBe("completed");
    expect(only.output).toEqual([
      { id: "msg_abc123_0", type: "message", status: "completed", role: "assistant", content: [{ type: "refusal", refusal: "I can't help with that." }] },
    ]);
    const both = JSON.parse(dialect.completion(completion({ role: "assistant", content: "Well.", refusal: "No." }, "stop"), info, request));
    expect(both.output[0].content).toEqual([
      { type: "output_text", text: "Well.", annotations: [], logprobs: [] },
      { type: "refusal", refusal: "No." },
    ]);
  });
});

/** The events of an SSE text, parsed: `event:` names must match each payload's `type`. */
function events(text: string): Array<Record<string, unknown> & { type: string; sequence_number: number }> {
  return text
    .split("\n\n")
    .filter((frame) => frame !== "")
    .map((frame) => {
      const [eventLine, dataLine] = frame.split("\n");
      const data = JSON.parse((dataLine ?? "").slice("data: ".length)) as Record<string, unknown> & { type: string; sequence_number: number };
      expect(eventLine).toBe(`event: ${data.type}`);
      return data;
    });
}

const chunk = (delta: ChatCompletionChunk["choices"][0]["delta"], finish: string | null = null): ChatCompletionChunk => ({
  id: "c",
  object: "chat.completion.chunk",
  created: 1,
  model: "claude-x",
  choices: [{ index: 0, delta, finish_reason: finish }],
});

describe("streaming a response", () => {
  it("writes the Responses event sequence for text then a function call, ending with response.completed and usage", () => {
    const request = dialect.read({ model: "chat", input: "hi", stream: true }, {});
    const encoder = dialect.stream(info, request);
    let text = "";
    text += encoder.chunk(chunk({ role: "assistant", content: "" }), undefined, false);
    text += encoder.chunk(chunk({ content: "Hel" }), undefined, false);
    text += encoder.chunk(chunk({ content: "lo" }), undefined, false);
    text += encoder.chunk(chunk({ tool_calls: [{ index: 0, id: "call_9", type: "function", function: { name: "f", arguments: "" } }] }), undefined, false);
    text += encoder.chunk(chunk({ tool_calls: [{ index: 0, function: { arguments: '{"a"' } }] }), undefined, false);
    text += encoder.chunk(chunk({ tool_calls: [{ index: 0, function: { arguments: ":1}" } }] }), undefined, false);
    text += encoder.chunk(chunk({}, "tool_calls"), undefined, false);
    const usage = { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12, prompt_tokens_details: { cached_tokens: 4 } };
    text += encoder.chunk({ ...chunk({}), choices: [], usage }, undefined, true);
    text += encoder.end();
    const list = events(text);
    expect(list.map((e) => e.type)).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
      "response.output_text.delta",
      "response.output_text.delta",
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.output_item.added",
      "response.function_call_arguments.delta",
      "response.function_call_arguments.delta",
      "response.function_call_arguments.done",
      "response.output_item.done",
      "response.completed",
    ]);
    expect(list.map((e) => e.sequence_number)).toEqual(list.map((_, i) => i));
    expect(list[6]).toMatchObject({ text: "Hello", item_id: "msg_abc123_0", output_index: 0, content_index: 0 });
    expect(list[9]).toMatchObject({ output_index: 1, item: { type: "function_call", call_id: "call_9", name: "f", arguments: "", status: "in_progress" } });
    expect(list[12]).toMatchObject({ arguments: '{"a":1}', name: "f", item_id: "fc_abc123_1" });
    expect(list[14]).toMatchObject({
      response: {
        status: "completed",
        model: "claude-x",
        output: [
          { type: "message", content: [{ type: "output_text", text: "Hello" }] },
          { type: "function_call", arguments: '{"a":1}', status: "completed" },
        ],
        usage: { input_tokens: 9, input_tokens_details: { cached_tokens: 4 }, output_tokens: 3, total_tokens: 12 },
      },
    });
  });

  it("streams a refusal as a refusal part: content_part.added, refusal.delta…, refusal.done, content_part.done", () => {
    const encoder = dialect.stream(info, dialect.read({ model: "chat", input: "hi", stream: true }, {}));
    let text = encoder.chunk(chunk({ role: "assistant", content: "", refusal: null }), undefined, false);
    text += encoder.chunk(chunk({ refusal: "I can't " }), undefined, false);
    text += encoder.chunk(chunk({ refusal: "help." }), undefined, false);
    text += encoder.chunk(chunk({}, "stop"), undefined, false) + encoder.end();
    const list = events(text);
    expect(list.map((e) => e.sequence_number)).toEqual(list.map((_, i) => i));
    const at = { item_id: "msg_abc123_0", output_index: 0, content_index: 0 };
    const done = { id: "msg_abc123_0", type: "message", status: "completed", role: "assistant", content: [{ type: "refusal", refusal: "I can't help." }] };
    expect(list.slice(2).map(({ sequence_number: _, ...e }) => (e.type === "response.completed" ? { type: e.type } : e))).toEqual([
      {
        type: "response.output_item.added",
        output_index: 0,
        item: { id: "msg_abc123_0", type: "message", status: "in_progress", role: "assistant", content: [] },
      },
      { type: "response.content_part.added", ...at, part: { type: "refusal", refusal: "" } },
      { type: "response.refusal.delta", ...at, delta: "I can't " },
      { type: "response.refusal.delta", ...at, delta: "help." },
      { type: "response.refusal.done", ...at, refusal: "I can't help." },
      { type: "response.content_part.done", ...at, part: { type: "refusal", refusal: "I can't help." } },
      { type: "response.output_item.done", output_index: 0, item: done },
      { type: "response.completed" },
    ]);
    expect(list.at(-1)).toMatchObject({ response: { status: "completed", output: [done] } });
  });

  it("streams text then a refusal as two parts of one message, each finished before the next opens", () => {
    const encoder = dialect.stream(info, dialect.read({ model: "chat", input: "hi", stream: true }, {}));
    let text = encoder.chunk(chunk({ content: "Let me see. " }), undefined, false);
    text += encoder.chunk(chunk({ refusal: "No." }), undefined, false);
    text += encoder.chunk(chunk({}, "stop"), undefined, false) + encoder.end();
    const list = events(text);
    expect(list.map((e) => [e.type, e["content_index"]])).toEqual([
      ["response.created", undefined],
      ["response.in_progress", undefined],
      ["response.output_item.added", undefined],
      ["response.content_part.added", 0],
      ["response.output_text.delta", 0],
      ["response.output_text.done", 0],
      ["response.content_part.done", 0],
      ["response.content_part.added", 1],
      ["response.refusal.delta", 1],
      ["response.refusal.done", 1],
      ["response.content_part.done", 1],
      ["response.output_item.done", undefined],
      ["response.completed", undefined],
    ]);
    expect(list.at(-1)).toMatchObject({
      response: {
        output: [
          {
            content: [
              { type: "output_text", text: "Let me see. " },
              { type: "refusal", refusal: "No." },
            ],
          },
        ],
      },
    });
  });

  it.each([
    ["a refusal", { role: "assistant" as const, content: null, refusal: "I can't help with that." }],
    ["text then a refusal", { role: "assistant" as const, content: "Hmm.", refusal: "No." }],
    [
      "text, a refusal and a tool call",
      {
        role: "assistant" as const,
        content: "Hmm.",
        refusal: "No.",
        tool_calls: [{ id: "c1", type: "function" as const, function: { name: "f", arguments: "{}" } }],
      },
    ],
  ])("streams %s into the same final response as the finished answer", (_, message) => {
    const finished = completion(message, "stop");
    const request = dialect.read({ model: "chat", input: "hi", stream: true }, {});
    const last = events(replayStream(dialect.stream(info, request), finished, finished.usage)).at(-1);
    expect(last?.["response"]).toEqual(JSON.parse(dialect.completion(finished, info, request)));
  });

  it("ends a length-cut stream with response.incomplete, and a broken one with response.failed", () => {
    const request = dialect.read({ model: "chat", input: "hi", stream: true }, {});
    const cut = dialect.stream(info, request);
    const text = cut.chunk(chunk({ content: "Once" }), undefined, false) + cut.chunk(chunk({}, "length"), undefined, false) + cut.end();
    expect(events(text).at(-1)).toMatchObject({
      type: "response.incomplete",
      response: { status: "incomplete", incomplete_details: { reason: "max_output_tokens" } },
    });
    const broken = dialect.stream(info, request);
    const failed = events(broken.chunk(chunk({ content: "Once" }), undefined, false) + broken.fail("socket hang up"));
    expect(failed.at(-1)).toMatchObject({ type: "response.failed", response: { status: "failed", error: { code: "server_error" } } });
    expect(JSON.stringify(failed.at(-1))).toContain("socket hang up");
  });

  it("puts what was streamed in response.failed: the part cut short with its text so far, the item incomplete", () => {
    const request = dialect.read({ model: "chat", input: "hi", stream: true }, {});
    const text = dialect.stream(info, request);
    const shown = events(text.chunk(chunk({ content: "Hel" }), undefined, false) + text.chunk(chunk({ content: "lo" }), undefined, false) + text.fail("reset"));
    expect(shown.at(-1)?.["response"]).toMatchObject({
      status: "failed",
      output: [
        {
          id: "msg_abc123_0",
          type: "message",
          status: "incomplete",
          content: [{ type: "output_text", text: "Hello", annotations: [], logprobs: [] }],
        },
      ],
    });
    // No done events for what did not finish.
    expect(shown.map((e) => e.type).filter((type) => type.endsWith(".done"))).toEqual([]);

    const call = dialect.stream(info, request);
    let sent = call.chunk(chunk({ content: "Sure. " }), undefined, false) + call.chunk(chunk({ refusal: "Not that." }), undefined, false);
    sent += call.chunk(chunk({ tool_calls: [{ index: 0, id: "call_1", type: "function", function: { name: "f", arguments: '{"a"' } }] }), undefined, false);
    const output = (events(sent + call.fail("reset")).at(-1)?.["response"] as { output: unknown[] }).output;
    expect(output).toEqual([
      {
        id: "msg_abc123_0",
        type: "message",
        status: "completed",
        role: "assistant",
        content: [
          { type: "output_text", text: "Sure. ", annotations: [], logprobs: [] },
          { type: "refusal", refusal: "Not that." },
        ],
      },
      { id: "fc_abc123_1", type: "function_call", status: "incomplete", call_id: "call_1", name: "f", arguments: '{"a"' },
    ]);
  });
});
