/**
 * Official clients over a bedrock-kind upstream (the faithful fake: SigV4 verified, Converse bodies checked): the openai
 * client's chat (plain, stream, tools, a tool round trip, images), one Responses request and one Anthropic Messages
 * request, asserting what each client got, what Bedrock received, and the priced usage (cache reads and writes) in traces.
 */
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { priceTokens } from "@switchyard/ir";
import type { RunningRouter, TraceRecord } from "@switchyard/router";
import { FAKE_AWS, type FakeBedrock, startFakeBedrock } from "../helpers/fake-bedrock.ts";
import { releaseOf } from "../helpers/release.ts";
import { startTestRouter } from "../helpers/router.ts";

const MODEL_ID = "anthropic.claude-3-5-haiku-20241022-v1:0";
const price = { input: 0.8, output: 4, cachedInput: 0.08, cacheWrite: 1 };
const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

let bedrock: FakeBedrock;
let router: RunningRouter;
let openai: OpenAI;
const traces: TraceRecord[] = [];

beforeAll(async () => {
  bedrock = await startFakeBedrock();
  const release = releaseOf({
    providers: { aws: { kind: "bedrock", region: FAKE_AWS.region, baseUrl: bedrock.baseUrl } },
    models: {
      haiku: { provider: "aws", name: MODEL_ID, context: 200_000, price, capabilities: ["tools", "vision", "streaming"] },
      nova: { provider: "aws", name: "amazon.nova-lite-v1:0", context: 300_000, price: { input: 0.06, output: 0.24 }, capabilities: ["streaming"] },
    },
    routes: { assistant: { model: "haiku" }, nova: { model: "nova" } },
    teams: { app: { keys: [{ secret: "APP_KEY" }], routes: ["assistant", "nova"] } },
  });
  router = await startTestRouter(release, {
    env: { APP_KEY: "team-app-key", AWS_ACCESS_KEY_ID: FAKE_AWS.accessKeyId, AWS_SECRET_ACCESS_KEY: FAKE_AWS.secretAccessKey },
    telemetry: { sinks: [{ write: (record) => void traces.push(record), close: async () => undefined }] },
  });
  openai = new OpenAI({ baseURL: `${router.url}/v1`, apiKey: "team-app-key", maxRetries: 0 });
});

afterAll(async () => {
  await router.close();
  await bedrock.close();
});

beforeEach(() => {
  bedrock.reset();
  traces.length = 0;
});

const weather: OpenAI.Chat.Completions.ChatCompletionTool = {
  type: "function",
  function: {
    name: "weather",
    description: "The weather in a city",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  },
};

/** The trace of the last request (sinks are written after the answer). */
async function lastTrace(): Promise<TraceRecord> {
  for (let i = 0; i < 100 && traces.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  const trace = traces.at(-1);
  if (trace === undefined) throw new Error("no trace written");
  return trace;
}

describe("the openai client over bedrock", () => {
  it("chat.completions.create: system and sampling reach Converse; usage with cache reads and writes is reported and priced", async () => {
    bedrock.usage = { inputTokens: 10, outputTokens: 5, cacheReadInputTokens: 800, cacheWriteInputTokens: 100 };
    const completion = await openai.chat.completions.create({
      model: "assistant",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "hi" },
      ],
      max_tokens: 50,
      temperature: 0.3,
      stop: ["END"],
    });
    expect(completion.choices[0]?.message.content).toBe("Hello from Bedrock");
    expect(completion.choices[0]?.finish_reason).toBe("stop");
    expect(completion.usage).toMatchObject({ prompt_tokens: 910, completion_tokens: 5, total_tokens: 915, prompt_tokens_details: { cached_tokens: 800 } });
    const [received] = bedrock.requests;
    expect(received?.operation).toBe("converse");
    expect(received?.modelId).toBe(MODEL_ID);
    expect(received?.path).toBe(`/model/${encodeURIComponent(MODEL_ID)}/converse`);
    expect(received?.body).toEqual({
      messages: [{ role: "user", content: [{ text: "hi" }] }],
      system: [{ text: "Be brief." }],
      inferenceConfig: { maxTokens: 50, temperature: 0.3, stopSequences: ["END"] },
      // Which sequence stopped the model is its own answer's field, returned only when asked for.
      additionalModelResponseFieldPaths: ["/stop_sequence"],
    });
    expect(received?.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIAFAKEBEDROCK00001\/\d{8}\/us-east-1\/bedrock\/aws4_request/);
    const trace = await lastTrace();
    expect(trace).toMatchObject({ provider: "aws", inputTokens: 910, outputTokens: 5, cachedInputTokens: 800, cacheWriteTokens: 100 });
    expect(trace.costUsd).toBeCloseTo(priceTokens(price, { input: 910, cachedInput: 800, cacheWrite: 100, output: 5 }), 12);
  });

  it("a stream arrives word by word from event-stream frames, with usage when asked", async () => {
    const stream = await openai.chat.completions.create({
      model: "assistant",
      messages: [{ role: "user", content: "stream please" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const deltas: string[] = [];
    let usage: OpenAI.CompletionUsage | undefined | null;
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      const c = chunk.choices[0];
      if (c?.delta.content) deltas.push(c.delta.content);
      if (c?.finish_reason) finish = c.finish_reason;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(deltas).toEqual(["Hello ", "from ", "Bedrock"]);
    expect(finish).toBe("stop");
    expect(usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 });
    expect(bedrock.requests[0]?.operation).toBe("converse-stream");
    expect(bedrock.requests[0]?.headers.accept).toBe("application/vnd.amazon.eventstream");
  });

  it("tools: a forced call comes back as tool_calls, plain and streamed; the round trip sends toolUse and toolResult", async () => {
    const first = await openai.chat.completions.create({
      model: "assistant",
      messages: [{ role: "user", content: "weather in Paris?" }],
      tools: [weather],
      tool_choice: "required",
    });
    const call = first.choices[0]?.message.tool_calls?.[0];
    expect(first.choices[0]?.finish_reason).toBe("tool_calls");
    expect(call).toMatchObject({ id: "tooluse_01", type: "function", function: { name: "weather", arguments: '{"city":"Paris"}' } });
    expect(bedrock.requests[0]?.body["toolConfig"]).toEqual({
      tools: [{ toolSpec: { name: "weather", description: "The weather in a city", inputSchema: { json: weather.function.parameters } } }],
      toolChoice: { any: {} },
    });

    const stream = await openai.chat.completions.create({
      model: "assistant",
      messages: [{ role: "user", content: "weather in Paris?" }],
      tools: [weather],
      tool_choice: { type: "function", function: { name: "weather" } },
      stream: true,
    });
    let args = "";
    let name = "";
    for await (const chunk of stream) {
      const tc = chunk.choices[0]?.delta.tool_calls?.[0];
      if (tc?.function?.name) name = tc.function.name;
      args += tc?.function?.arguments ?? "";
    }
    expect([name, JSON.parse(args)]).toEqual(["weather", { city: "Paris" }]);

    const answer = await openai.chat.completions.create({
      model: "assistant",
      messages: [
        { role: "user", content: "weather in Paris?" },
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "tooluse_01", type: "function", function: { name: "weather", arguments: '{"city":"Paris"}' } }],
        },
        { role: "tool", tool_call_id: "tooluse_01", content: "sunny, 21°C" },
      ],
      tools: [weather],
    });
    expect(answer.choices[0]?.message.content).toBe("Hello from Bedrock");
    expect(bedrock.requests[2]?.body["messages"]).toEqual([
      { role: "user", content: [{ text: "weather in Paris?" }] },
      { role: "assistant", content: [{ toolUse: { toolUseId: "tooluse_01", name: "weather", input: { city: "Paris" } } }] },
      { role: "user", content: [{ toolResult: { toolUseId: "tooluse_01", content: [{ text: "sunny, 21°C" }] } }] },
    ]);
  });

  it("an image as a data: URL reaches Converse as bytes; an http image URL is refused naming the field", async () => {
    await openai.chat.completions.create({
      model: "assistant",
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "what is this?" },
            { type: "image_url", image_url: { url: `data:image/png;base64,${PNG}` } },
          ],
        },
      ],
    });
    expect(bedrock.requests[0]?.body["messages"]).toEqual([
      { role: "user", content: [{ text: "what is this?" }, { image: { format: "png", source: { bytes: PNG } } }] },
    ]);
    const refused = await openai.chat.completions
      .create({ model: "assistant", messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "https://example.com/cat.png" } }] }] })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OpenAI.BadRequestError);
    expect((refused as InstanceType<typeof OpenAI.BadRequestError>).message).toContain("data: URL");
    expect(bedrock.requests).toHaveLength(1);
  });

  it("responses.create: instructions and input reach Converse; the answer is a Responses output", async () => {
    const response = await openai.responses.create({ model: "assistant", instructions: "Be brief.", input: "hi there", max_output_tokens: 40 });
    expect(response.output_text).toBe("Hello from Bedrock");
    expect(response.usage).toMatchObject({ input_tokens: 12, output_tokens: 5 });
    expect(bedrock.requests[0]?.body).toMatchObject({
      system: [{ text: "Be brief." }],
      messages: [{ role: "user", content: [{ text: "hi there" }] }],
      inferenceConfig: { maxTokens: 40 },
    });
    expect((await lastTrace()).api).toBe("responses");
  });
});

describe("the Anthropic SDK over bedrock", () => {
  it("messages.stream: system and text reach Converse; text deltas and usage come back in Messages' shape", async () => {
    const anthropic = new Anthropic({ baseURL: router.url, apiKey: "team-app-key", maxRetries: 0 });
    const stream = anthropic.messages.stream({ model: "assistant", max_tokens: 64, system: "Be brief.", messages: [{ role: "user", content: "hi" }] });
    let text = "";
    stream.on("text", (delta) => {
      text += delta;
    });
    const message = await stream.finalMessage();
    expect(text).toBe("Hello from Bedrock");
    expect(message.stop_reason).toBe("end_turn");
    expect(message.usage.output_tokens).toBe(5);
    expect(bedrock.requests[0]?.operation).toBe("converse-stream");
    expect(bedrock.requests[0]?.body).toMatchObject({
      system: [{ text: "Be brief." }],
      messages: [{ role: "user", content: [{ text: "hi" }] }],
      inferenceConfig: { maxTokens: 64 },
    });
  });

  it("an Anthropic model's matched stop sequence comes back as stop_reason stop_sequence with the sequence, created and streamed", async () => {
    const anthropic = new Anthropic({ baseURL: router.url, apiKey: "team-app-key", maxRetries: 0 });
    const request = { model: "assistant", max_tokens: 64, stop_sequences: ["from", "END"], messages: [{ role: "user" as const, content: "hi" }] };
    const created = await anthropic.messages.create(request);
    expect(created).toMatchObject({ content: [{ type: "text", text: "Hello " }], stop_reason: "stop_sequence", stop_sequence: "from" });
    const final = await anthropic.messages.stream(request).finalMessage();
    expect(final).toMatchObject({ content: [{ type: "text", text: "Hello " }], stop_reason: "stop_sequence", stop_sequence: "from" });
    expect(bedrock.requests.map((r) => [r.operation, r.body["additionalModelResponseFieldPaths"]])).toEqual([
      ["converse", ["/stop_sequence"]],
      ["converse-stream", ["/stop_sequence"]],
    ]);
  });

  it("another model's Converse says only that a stop sequence ended it: end_turn, stop_sequence null", async () => {
    const anthropic = new Anthropic({ baseURL: router.url, apiKey: "team-app-key", maxRetries: 0 });
    const created = await anthropic.messages.create({ model: "nova", max_tokens: 64, stop_sequences: ["from"], messages: [{ role: "user", content: "hi" }] });
    expect(created).toMatchObject({ content: [{ type: "text", text: "Hello " }], stop_reason: "end_turn", stop_sequence: null });
  });
});
