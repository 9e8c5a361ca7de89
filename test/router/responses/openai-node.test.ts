/**
 * openai-node's `client.responses` against the router's `POST /v1/responses`, over an OpenAI-kind and an Anthropic-kind
 * upstream: plain, streamed, function calls round trip, `.parse()` with a zod `text.format`; what the upstream received
 * is asserted too. Also: a model's refusal (a `refusal` part, streamed as `response.refusal.*` events), the router's
 * refusals (hosted tools, previous_response_id, store), errors in OpenAI's shape, a stream cut mid-way ending with
 * `response.failed`, and the trace a Responses request leaves.
 */
import OpenAI from "openai";
import type { ResponseInputItem, ResponseStreamEvent } from "openai/resources/responses/responses";
import { zodTextFormat } from "openai/helpers/zod";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import type { TraceRecord } from "@switchyard/router";
import { KINDS, type ResponsesRig, startResponsesRig, upstreamOf } from "./setup.ts";

let rig: ResponsesRig;
let client: OpenAI;

beforeAll(async () => {
  rig = await startResponsesRig();
  client = new OpenAI({ baseURL: `${rig.router.url}/v1`, apiKey: rig.key, maxRetries: 0 });
});

afterAll(() => rig.close());

beforeEach(() => {
  for (const up of [rig.openai, rig.anthropic]) {
    up.requests.length = 0;
    up.script = () => ({ text: "Hello there" });
  }
});

const weatherTool = {
  type: "function" as const,
  name: "get_weather",
  description: "Weather in a city",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"], additionalProperties: false },
  strict: true,
};

describe.each(KINDS)("over $kind ($route)", ({ route, kind, model }) => {
  it("answers a plain request as a response object, and the upstream got instructions as the system prompt", async () => {
    const { data, response } = await client.responses
      .create({ model: route, instructions: "Be brief.", input: "Say hello", max_output_tokens: 50 })
      .withResponse();
    expect(data.object).toBe("response");
    expect(data.id).toMatch(/^resp_/);
    expect(data.status).toBe("completed");
    expect(data.output_text).toBe("Hello there");
    expect(data.output[0]).toMatchObject({ type: "message", role: "assistant", status: "completed", content: [{ type: "output_text", text: "Hello there" }] });
    expect(data.model).toBe(model);
    expect(data.instructions).toBe("Be brief.");
    expect(data.usage).toMatchObject({ input_tokens: 11, output_tokens: 4, total_tokens: 15 });
    expect(response.headers.get("x-switchyard-route")).toBe(route);
    const sent = upstreamOf(rig, kind).requests[0]?.body;
    if (kind === "openai") {
      expect(sent).toEqual({
        model,
        messages: [
          { role: "system", content: "Be brief." },
          { role: "user", content: "Say hello" },
        ],
        max_completion_tokens: 50,
      });
      expect(data.usage?.input_tokens_details.cached_tokens).toBe(3);
      expect(data.usage?.output_tokens_details.reasoning_tokens).toBe(1);
    } else {
      expect(sent).toMatchObject({ model, system: "Be brief.", max_tokens: 50, messages: [{ role: "user", content: [{ type: "text", text: "Say hello" }] }] });
    }
  });

  it("streams the Responses events in order with sequence numbers, and the final response carries usage", async () => {
    const stream = client.responses.stream({ model: route, input: [{ role: "user", content: [{ type: "input_text", text: "Say hello" }] }] });
    const events: Array<{ type: string; sequence_number: number }> = [];
    let deltas = "";
    for await (const event of stream) {
      events.push(event);
      if (event.type === "response.output_text.delta") deltas += event.delta;
    }
    const final = await stream.finalResponse();
    expect(deltas).toBe("Hello there");
    expect(final.output_text).toBe("Hello there");
    expect(final.status).toBe("completed");
    expect(final.usage?.total_tokens).toBe(15);
    const types = events.map((e) => e.type);
    expect(types.slice(0, 5)).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
      "response.output_text.delta",
    ]);
    expect(types.slice(-4)).toEqual(["response.output_text.done", "response.content_part.done", "response.output_item.done", "response.completed"]);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    expect(upstreamOf(rig, kind).requests[0]?.body["stream"]).toBe(true);
  });

  it("round-trips a function call: the call comes back as a function_call item, its output goes upstream as a tool result", async () => {
    const up = upstreamOf(rig, kind);
    up.script = (body) =>
      JSON.stringify(body).includes("18°C")
        ? { text: "It is 18°C in Paris." }
        : { calls: [{ id: "call_w1", name: "get_weather", arguments: '{"city":"Paris"}' }] };
    const first = await client.responses.create({ model: route, input: "Weather in Paris?", tools: [weatherTool], tool_choice: "required" });
    const call = first.output.find((item) => item.type === "function_call");
    expect(call).toMatchObject({ type: "function_call", call_id: "call_w1", name: "get_weather", arguments: '{"city":"Paris"}', status: "completed" });
    const second = await client.responses.create({
      model: route,
      input: [
        { role: "user", content: "Weather in Paris?" },
        { type: "function_call", call_id: "call_w1", name: "get_weather", arguments: '{"city":"Paris"}' },
        { type: "function_call_output", call_id: "call_w1", output: '{"temp":"18°C"}' },
      ],
      tools: [weatherTool],
    });
    expect(second.output_text).toBe("It is 18°C in Paris.");
    const [one, two] = up.requests.map((r) => r.body);
    if (kind === "openai") {
      expect(one).toMatchObject({
        tools: [{ type: "function", function: { name: "get_weather", description: "Weather in a city", parameters: weatherTool.parameters, strict: true } }],
        tool_choice: "required",
      });
      expect(two?.["messages"]).toEqual([
        { role: "user", content: "Weather in Paris?" },
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "call_w1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }],
        },
        { role: "tool", tool_call_id: "call_w1", content: '{"temp":"18°C"}' },
      ]);
    } else {
      expect(one).toMatchObject({ tools: [{ name: "get_weather", input_schema: weatherTool.parameters }], tool_choice: { type: "any" } });
      expect(two?.["messages"]).toEqual([
        { role: "user", content: [{ type: "text", text: "Weather in Paris?" }] },
        { role: "assistant", content: [{ type: "tool_use", id: "call_w1", name: "get_weather", input: { city: "Paris" } }] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "call_w1", content: '{"temp":"18°C"}' }] },
      ]);
    }
  });

  it("streams a function call's arguments as delta and done events", async () => {
    upstreamOf(rig, kind).script = () => ({ text: "Checking.", calls: [{ id: "call_s1", name: "get_weather", arguments: '{"city":"Lyon"}' }] });
    const stream = client.responses.stream({ model: route, input: "Weather in Lyon?", tools: [weatherTool] });
    const types: string[] = [];
    let args = "";
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === "response.function_call_arguments.delta") args += event.delta;
    }
    const final = await stream.finalResponse();
    expect(args).toBe('{"city":"Lyon"}');
    expect(types).toContain("response.function_call_arguments.done");
    expect(final.output.map((item) => item.type)).toEqual(["message", "function_call"]);
    expect(final.output[1]).toMatchObject({ call_id: "call_s1", name: "get_weather", arguments: '{"city":"Lyon"}', status: "completed" });
    expect(final.output_text).toBe("Checking.");
  });

  it("parses structured output with a zod text.format (responses.parse)", async () => {
    const Event = z.object({ name: z.string(), date: z.string(), participants: z.array(z.string()) });
    upstreamOf(rig, kind).script = () => ({ text: JSON.stringify({ name: "Science fair", date: "Friday", participants: ["Alice", "Bob"] }) });
    const parsed = await client.responses.parse({
      model: route,
      input: [
        { role: "system", content: "Extract the event information." },
        { role: "user", content: "Alice and Bob are going to a science fair on Friday." },
      ],
      text: { format: zodTextFormat(Event, "event") },
    });
    expect(parsed.output_parsed).toEqual({ name: "Science fair", date: "Friday", participants: ["Alice", "Bob"] });
    expect(parsed.text?.format).toMatchObject({ type: "json_schema", name: "event" });
    const sent = upstreamOf(rig, kind).requests[0]?.body;
    if (kind === "openai") {
      expect(sent?.["response_format"]).toMatchObject({
        type: "json_schema",
        json_schema: { name: "event", strict: true, schema: { type: "object", required: ["name", "date", "participants"] } },
      });
    } else {
      expect(sent).toMatchObject({ system: "Extract the event information." });
    }
  });

  it("reports a length cut as an incomplete response", async () => {
    upstreamOf(rig, kind).script = () => ({ text: "Once upon a", finish: "length" });
    const data = await client.responses.create({ model: route, input: "Tell a story", max_output_tokens: 3 });
    expect(data.status).toBe("incomplete");
    expect(data.incomplete_details).toEqual({ reason: "max_output_tokens" });
    expect(data.output_text).toBe("Once upon a");
  });
});

describe("a model's refusal over an openai-kind upstream", () => {
  const refusal = "I'm sorry, I can't help with that.";

  it("streams it as a refusal part: content_part.added, refusal.delta…, refusal.done, content_part.done; no output_text", async () => {
    rig.openai.script = () => ({ refusal });
    const stream = client.responses.stream({ model: "via-openai", input: "Help me with something bad" });
    const events: ResponseStreamEvent[] = [];
    let deltas = "";
    for await (const event of stream) {
      events.push(event);
      if (event.type === "response.refusal.delta") deltas += event.delta;
    }
    const final = await stream.finalResponse();
    expect(events.map((e) => e.type)).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
      ...Array<string>(Math.ceil(refusal.length / 5)).fill("response.refusal.delta"),
      "response.refusal.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.completed",
    ]);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    const item = final.output[0];
    const at = { item_id: item?.id, output_index: 0, content_index: 0 };
    expect(events[3]).toMatchObject({ ...at, part: { type: "refusal", refusal: "" } });
    expect(events.filter((e) => e.type === "response.refusal.delta").every((e) => e.item_id === at.item_id && e.content_index === 0)).toBe(true);
    expect(events.find((e) => e.type === "response.refusal.done")).toMatchObject({ ...at, refusal });
    expect(events.find((e) => e.type === "response.content_part.done")).toMatchObject({ ...at, part: { type: "refusal", refusal } });
    expect(deltas).toBe(refusal);
    expect(final.status).toBe("completed");
    expect(final.output).toHaveLength(1);
    expect(item).toMatchObject({ type: "message", role: "assistant", status: "completed", content: [{ type: "refusal", refusal }] });
    expect(final.output_text).toBe("");
    // What the client accumulated is what response.completed said (finalResponse() adds `parsed: null` to each part).
    const completed = events.at(-1);
    expect(final.output).toMatchObject(completed?.type === "response.completed" ? completed.response.output : []);
  });

  it("streams text then a refusal as two parts of one message (create with stream: true)", async () => {
    rig.openai.script = () => ({ text: "Let me think. ", refusal });
    const stream = await client.responses.create({ model: "via-openai", input: "Help me", stream: true });
    const parts: Array<[string, number]> = [];
    let last: ResponseStreamEvent | undefined;
    for await (const event of stream) {
      last = event;
      if ("content_index" in event) parts.push([event.type, event.content_index]);
    }
    const deduped = parts.filter(([type], i) => type !== parts[i - 1]?.[0]);
    expect(deduped).toEqual([
      ["response.content_part.added", 0],
      ["response.output_text.delta", 0],
      ["response.output_text.done", 0],
      ["response.content_part.done", 0],
      ["response.content_part.added", 1],
      ["response.refusal.delta", 1],
      ["response.refusal.done", 1],
      ["response.content_part.done", 1],
    ]);
    expect(last?.type).toBe("response.completed");
    const response = last?.type === "response.completed" ? last.response : undefined;
    expect(response?.output).toEqual([
      expect.objectContaining({
        type: "message",
        content: [
          { type: "output_text", text: "Let me think. ", annotations: [], logprobs: [] },
          { type: "refusal", refusal },
        ],
      }),
    ]);
  });

  it("answers it unstreamed as the same refusal part, and reads it back as the assistant's words", async () => {
    rig.openai.script = () => ({ refusal });
    const data = await client.responses.create({ model: "via-openai", input: "Help me with something bad" });
    expect(data.output).toEqual([expect.objectContaining({ type: "message", status: "completed", content: [{ type: "refusal", refusal }] })]);
    expect(data.output_text).toBe("");
    rig.openai.script = () => ({ text: "Because it could hurt someone." });
    const next = await client.responses.create({
      model: "via-openai",
      input: [{ role: "user", content: "Help me with something bad" }, ...(data.output as ResponseInputItem[]), { role: "user", content: "Why?" }],
    });
    expect(next.output_text).toBe("Because it could hurt someone.");
    expect(rig.openai.requests[1]?.body["messages"]).toEqual([
      { role: "user", content: "Help me with something bad" },
      { role: "assistant", content: refusal },
      { role: "user", content: "Why?" },
    ]);
  });
});

describe("what the endpoint refuses, in OpenAI's error shape", () => {
  const refusal = async (body: Record<string, unknown>): Promise<{ status: number; error: Record<string, unknown> }> => {
    const response = await fetch(`${rig.router.url}/v1/responses`, {
      method: "POST",
      headers: { authorization: `Bearer ${rig.key}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: response.status, error: ((await response.json()) as { error: Record<string, unknown> }).error };
  };

  it("refuses a hosted tool naming it, and sends nothing upstream", async () => {
    const { status, error } = await refusal({ model: "via-openai", input: "news?", tools: [{ type: "web_search" }] });
    expect(status).toBe(400);
    expect(error).toMatchObject({ type: "invalid_request_error", code: "unsupported_parameter", param: "tools[0].type" });
    expect(error["message"]).toContain('"web_search" is a hosted OpenAI tool');
    expect(rig.openai.requests).toHaveLength(0);
  });

  it("refuses previous_response_id and store: true, saying to send the whole conversation", async () => {
    const previous = await refusal({ model: "via-openai", input: "and then?", previous_response_id: "resp_123" });
    expect(previous.status).toBe(400);
    expect(previous.error).toMatchObject({ code: "unsupported_parameter", param: "previous_response_id" });
    expect(previous.error["message"]).toContain("send the whole conversation in `input`");
    expect((await refusal({ model: "via-openai", input: "hi", store: true })).error).toMatchObject({ code: "unsupported_parameter", param: "store" });
    const reference = await refusal({ model: "via-openai", input: [{ type: "item_reference", id: "msg_1" }] });
    expect(reference.error).toMatchObject({ code: "unsupported_parameter", param: "input[0]" });
  });

  it("names the Responses field at fault for a malformed request", async () => {
    const { status, error } = await refusal({ model: "via-openai", input: [{ role: "user", content: [{ type: "input_audio" }] }] });
    expect(status).toBe(400);
    expect(error).toMatchObject({ code: "invalid_request", param: "input[0].content[0].type" });
    const missing = await refusal({ model: "via-openai" });
    expect(missing.error).toMatchObject({ code: "invalid_request", param: "input" });
  });

  it("answers an unknown route and a missing key as openai-node's typed errors", async () => {
    await expect(client.responses.create({ model: "no-such-route", input: "hi" })).rejects.toMatchObject({ status: 404, code: "route_not_found" });
    const anonymous = new OpenAI({ baseURL: `${rig.router.url}/v1`, apiKey: "wrong-key", maxRetries: 0 });
    await expect(anonymous.responses.create({ model: "via-openai", input: "hi" })).rejects.toMatchObject({ status: 401, code: "invalid_api_key" });
  });
});

describe.each(KINDS)("a stream failing mid-way over $kind", ({ route, kind }) => {
  it("ends with response.failed carrying the error", async () => {
    upstreamOf(rig, kind).script = () => ({ text: "Hello there, this is a long answer", cutAfter: 2 });
    const stream = await client.responses.create({ model: route, input: "hi", stream: true });
    const events: Array<{ type: string }> = [];
    for await (const event of stream) events.push(event);
    const last = events.at(-1) as { type: string; response: { status: string; error: { code: string; message: string } } };
    expect(last.type).toBe("response.failed");
    expect(last.response.status).toBe("failed");
    expect(last.response.error.message).toContain("the upstream stream failed after the response started");
    expect(events.map((e) => e.type)).toContain("response.output_text.delta");
  });

  it("responses.stream(): the final (failed) response holds the text the client was shown, its message incomplete", async () => {
    upstreamOf(rig, kind).script = () => ({ text: "Hello there, this is a long answer", cutAfter: 2 });
    const stream = client.responses.stream({ model: route, input: "hi" });
    let shown = "";
    for await (const event of stream) if (event.type === "response.output_text.delta") shown += event.delta;
    const final = await stream.finalResponse();
    expect(shown).toBe("Hello ther");
    expect(final.status).toBe("failed");
    expect(final.output_text).toBe(shown);
    expect(final.output).toMatchObject([{ type: "message", role: "assistant", status: "incomplete", content: [{ type: "output_text", text: shown }] }]);
  });

  it("responses.stream(): a function call cut mid-arguments is in the failed response with the arguments sent", async () => {
    upstreamOf(rig, kind).script = () => ({ calls: [{ id: "call_cut", name: "get_weather", arguments: '{"city":"Lyon"}' }], cutAfter: 2 });
    const stream = client.responses.stream({ model: route, input: "Weather in Lyon?", tools: [weatherTool] });
    let args = "";
    for await (const event of stream) if (event.type === "response.function_call_arguments.delta") args += event.delta;
    const final = await stream.finalResponse();
    expect(args).not.toBe("");
    expect(final.status).toBe("failed");
    expect(final.output).toMatchObject([{ type: "function_call", call_id: "call_cut", name: "get_weather", arguments: args, status: "incomplete" }]);
  });
});

describe("accounting", () => {
  it("records a trace with tokens and cost for a Responses request, plain and streamed, as for chat", async () => {
    const traces: TraceRecord[] = [];
    rig.router.telemetry.addSink({ write: (record) => void traces.push(record), close: async () => undefined });
    const one = await client.responses.create({ model: "via-openai", input: "hi", metadata: { ticket: "T-42" } }).withResponse();
    const two = await client.responses.create({ model: "via-anthropic", input: "hi", stream: true }).withResponse();
    for await (const event of two.data) void event;
    const ids = [one.response, two.response].map((r) => r.headers.get("x-switchyard-request-id"));
    await expect.poll(() => ids.every((id) => traces.some((t) => t.requestId === id))).toBe(true);
    const [plain, streamed] = ids.map((id) => traces.find((t) => t.requestId === id));
    expect(plain).toMatchObject({
      api: "responses",
      // Kept out of the upstream request (OpenAI's Chat Completions refuses it without `store`), recorded for attribution.
      metadata: { ticket: "T-42" },
      route: "via-openai",
      team: "app",
      status: 200,
      outcome: "ok",
      stream: false,
      model: "gpt",
      provider: "oai",
      inputTokens: 11,
      outputTokens: 4,
    });
    // 11 input tokens at $0.15/M and 4 output tokens at $0.6/M.
    expect(plain?.costUsd).toBeCloseTo((11 * 0.15 + 4 * 0.6) / 1e6, 12);
    expect(streamed).toMatchObject({
      route: "via-anthropic",
      team: "app",
      status: 200,
      outcome: "ok",
      stream: true,
      model: "claude",
      inputTokens: 11,
      outputTokens: 4,
    });
    expect(streamed?.costUsd).toBeGreaterThan(0);
  });
});
