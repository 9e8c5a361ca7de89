/**
 * The Vercel AI SDK with its default OpenAI provider (`createOpenAI({ baseURL, apiKey })`, `openai(route)` → the
 * Responses API) against the router, over an OpenAI-kind and an Anthropic-kind upstream: generateText, streamText,
 * generateObject, and a tool loop; what the upstream received is asserted too.
 */
import { createOpenAI } from "@ai-sdk/openai";
import { Output, generateObject, generateText, stepCountIs, streamText, tool } from "ai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { KINDS, type ResponsesRig, startResponsesRig, upstreamOf } from "./setup.ts";

let rig: ResponsesRig;
let openai: ReturnType<typeof createOpenAI>;

beforeAll(async () => {
  rig = await startResponsesRig();
  openai = createOpenAI({ baseURL: `${rig.router.url}/v1`, apiKey: rig.key });
});

afterAll(() => rig.close());

beforeEach(() => {
  for (const up of [rig.openai, rig.anthropic]) {
    up.requests.length = 0;
    up.script = () => ({ text: "Hello there" });
  }
});

describe.each(KINDS)("over $kind ($route)", ({ route, kind, model }) => {
  it("generateText answers with text and usage; the system prompt reaches the upstream", async () => {
    const result = await generateText({ model: openai(route), system: "Be brief.", prompt: "Say hello", maxRetries: 0 });
    expect(result.text).toBe("Hello there");
    expect(result.finishReason).toBe("stop");
    expect(result.usage.inputTokens).toBe(11);
    expect(result.usage.outputTokens).toBe(4);
    expect(result.response.modelId).toBe(model);
    const sent = upstreamOf(rig, kind).requests[0]?.body;
    if (kind === "openai") {
      expect(sent?.["messages"]).toEqual([
        { role: "system", content: "Be brief." },
        { role: "user", content: [{ type: "text", text: "Say hello" }] },
      ]);
      expect(result.usage.inputTokenDetails.cacheReadTokens).toBe(3);
    } else {
      expect(sent).toMatchObject({ system: "Be brief.", messages: [{ role: "user", content: [{ type: "text", text: "Say hello" }] }] });
    }
  });

  it("streamText streams the text and finishes with usage", async () => {
    const result = streamText({ model: openai(route), prompt: "Say hello", maxRetries: 0 });
    let text = "";
    for await (const delta of result.textStream) text += delta;
    expect(text).toBe("Hello there");
    expect(await result.finishReason).toBe("stop");
    expect((await result.usage).totalTokens).toBe(15);
    expect(upstreamOf(rig, kind).requests[0]?.body["stream"]).toBe(true);
  });

  it("generateObject returns the parsed object; the schema reaches an OpenAI upstream as response_format", async () => {
    upstreamOf(rig, kind).script = () => ({ text: JSON.stringify({ city: "Paris", population: 2100000 }) });
    const { object } = await generateObject({
      model: openai(route),
      schema: z.object({ city: z.string(), population: z.number() }),
      prompt: "The biggest city of France",
      maxRetries: 0,
    });
    expect(object).toEqual({ city: "Paris", population: 2100000 });
    const sent = upstreamOf(rig, kind).requests[0]?.body;
    if (kind === "openai") {
      expect(sent?.["response_format"]).toMatchObject({
        type: "json_schema",
        json_schema: { strict: true, schema: { type: "object", required: ["city", "population"] } },
      });
    }
  });

  it("generateText with Output.object (generateObject's successor) returns the parsed object", async () => {
    upstreamOf(rig, kind).script = () => ({ text: JSON.stringify({ city: "Lyon", population: 520000 }) });
    const { output } = await generateText({
      model: openai(route),
      output: Output.object({ schema: z.object({ city: z.string(), population: z.number() }) }),
      prompt: "The third city of France",
      maxRetries: 0,
    });
    expect(output).toEqual({ city: "Lyon", population: 520000 });
    if (kind === "openai") expect(upstreamOf(rig, kind).requests[0]?.body["response_format"]).toMatchObject({ type: "json_schema" });
  });

  it("runs a tool loop: the call, the tool's result sent back, the final answer", async () => {
    const up = upstreamOf(rig, kind);
    up.script = (body) =>
      JSON.stringify(body).includes("sunny")
        ? { text: "It is sunny in Paris." }
        : { calls: [{ id: "call_t1", name: "weather", arguments: '{"city":"Paris"}' }] };
    const seen: string[] = [];
    const result = await generateText({
      model: openai(route),
      prompt: "Weather in Paris?",
      tools: {
        weather: tool({
          description: "Weather in a city",
          inputSchema: z.object({ city: z.string() }),
          execute: async ({ city }) => {
            seen.push(city);
            return { city, sky: "sunny" };
          },
        }),
      },
      stopWhen: stepCountIs(3),
      maxRetries: 0,
    });
    expect(seen).toEqual(["Paris"]);
    expect(result.text).toBe("It is sunny in Paris.");
    expect(result.steps).toHaveLength(2);
    const second = up.requests[1]?.body;
    if (kind === "openai") {
      expect(second?.["messages"]).toEqual([
        { role: "user", content: [{ type: "text", text: "Weather in Paris?" }] },
        { role: "assistant", content: null, tool_calls: [{ id: "call_t1", type: "function", function: { name: "weather", arguments: '{"city":"Paris"}' } }] },
        { role: "tool", tool_call_id: "call_t1", content: '{"city":"Paris","sky":"sunny"}' },
      ]);
    } else {
      expect(second?.["messages"]).toEqual([
        { role: "user", content: [{ type: "text", text: "Weather in Paris?" }] },
        { role: "assistant", content: [{ type: "tool_use", id: "call_t1", name: "weather", input: { city: "Paris" } }] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "call_t1", content: '{"city":"Paris","sky":"sunny"}' }] },
      ]);
    }
  });

  it("streams a tool call's input", async () => {
    upstreamOf(rig, kind).script = () => ({ calls: [{ id: "call_t2", name: "weather", arguments: '{"city":"Nice"}' }] });
    const result = streamText({
      model: openai(route),
      prompt: "Weather in Nice?",
      tools: { weather: tool({ description: "Weather in a city", inputSchema: z.object({ city: z.string() }) }) },
      maxRetries: 0,
    });
    const calls = await result.toolCalls;
    expect(calls.map((c) => [c.toolCallId, c.toolName, c.input])).toEqual([["call_t2", "weather", { city: "Nice" }]]);
    expect(await result.finishReason).toBe("tool-calls");
  });

  it("a step after text and a call needs store: false (the router keeps no items for item_reference), and says so", async () => {
    const up = upstreamOf(rig, kind);
    up.script = (body) =>
      JSON.stringify(body).includes("rainy")
        ? { text: "It is rainy." }
        : { text: "Let me check.", calls: [{ id: "call_t3", name: "weather", arguments: '{"city":"Brest"}' }] };
    const tools = { weather: tool({ description: "Weather in a city", inputSchema: z.object({ city: z.string() }), execute: async () => ({ sky: "rainy" }) }) };
    // By default the SDK refers to the earlier text by its item id, which only a server that stored it can resolve.
    const refused = generateText({ model: openai(route), prompt: "Weather in Brest?", tools, stopWhen: stepCountIs(3), maxRetries: 0 });
    await expect(refused).rejects.toThrow(/item_reference; the router keeps no responses.*store = false/);
    up.requests.length = 0;
    const result = await generateText({
      model: openai(route),
      prompt: "Weather in Brest?",
      tools,
      stopWhen: stepCountIs(3),
      providerOptions: { openai: { store: false } },
      maxRetries: 0,
    });
    expect(result.text).toBe("It is rainy.");
    const second = up.requests[1]?.body["messages"] as Array<Record<string, unknown>>;
    expect(JSON.stringify(second)).toContain("Let me check.");
  });
});
