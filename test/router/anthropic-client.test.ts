/**
 * The official Anthropic SDK (`@anthropic-ai/sdk`), pointed at the router's `/v1/messages`, over an anthropic-kind
 * upstream and an openai-kind one: create, stream (text and tool_use with input_json_delta), a tool round trip, a
 * model's refusal, images, system, countTokens and errors, asserting what the client got and what each upstream received.
 */
import Anthropic, { type APIError } from "@anthropic-ai/sdk";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RunningRouter, TraceRecord } from "@switchyard/router";
import { type FakeAnthropic, startFakeAnthropic } from "../helpers/fake-anthropic.ts";
import { type TestServer, listen, readJson } from "../helpers/http-server.ts";
import { releaseOf } from "../helpers/release.ts";
import { startTestRouter } from "../helpers/router.ts";

/** What the openai-kind fake received. */
interface Received {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}

/**
 * An OpenAI-compatible upstream following the Chat Completions wire format: with `tools` and a forced `tool_choice`
 * ("required" or a function) it calls the first (or named) tool with `{"city":"Paris"}`; asked for a lock pick it
 * refuses (`message.refusal`, streamed as `delta.refusal` chunks after "Hmm. "), else it answers "Bonjour"; streams
 * carry tool-call deltas and, when asked, a usage chunk. Usage reports 4 cached prompt tokens.
 */
async function startFakeOpenAiTools(): Promise<TestServer & { baseUrl: string; requests: Received[] }> {
  const requests: Received[] = [];
  const server = await listen(async (req, res) => {
    const body = await readJson(req);
    requests.push({ path: req.url ?? "", headers: req.headers, body });
    const model = String(body["model"]);
    const tools = body["tools"] as Array<{ function: { name: string } }> | undefined;
    const choice = body["tool_choice"] as string | { function: { name: string } } | undefined;
    const forced = tools !== undefined && (choice === "required" || typeof choice === "object");
    const tool = forced ? (typeof choice === "object" ? choice.function.name : tools[0]?.function.name) : undefined;
    const usage = { prompt_tokens: 20, completion_tokens: 6, total_tokens: 26, prompt_tokens_details: { cached_tokens: 4 } };
    const finish = tool !== undefined ? "tool_calls" : "stop";
    const refuses = JSON.stringify(body["messages"]).includes("lock pick");
    if (body["stream"] !== true) {
      const message =
        tool !== undefined
          ? { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: tool, arguments: '{"city":"Paris"}' } }] }
          : refuses
            ? { role: "assistant", content: null, refusal: REFUSAL }
            : { role: "assistant", content: "Bonjour", refusal: null };
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({ id: "chatcmpl-1", object: "chat.completion", created: 1, model, choices: [{ index: 0, message, finish_reason: finish }], usage }),
      );
      return;
    }
    res.writeHead(200, { "content-type": "text/event-stream" });
    const chunk = (delta: Record<string, unknown>, finishReason: string | null = null) =>
      `data: ${JSON.stringify({ id: "chatcmpl-1", object: "chat.completion.chunk", created: 1, model, choices: [{ index: 0, delta, finish_reason: finishReason }] })}\n\n`;
    res.write(chunk({ role: "assistant", content: "" }));
    if (tool !== undefined) {
      res.write(chunk({ tool_calls: [{ index: 0, id: "call_1", type: "function", function: { name: tool, arguments: "" } }] }));
      for (const part of ['{"city"', ':"Par', 'is"}']) res.write(chunk({ tool_calls: [{ index: 0, function: { arguments: part } }] }));
    } else if (refuses) {
      res.write(chunk({ content: "Hmm. " }));
      for (const word of REFUSAL.split(/(?<= )/)) res.write(chunk({ refusal: word }));
    } else for (const word of ["Bon", "jour"]) res.write(chunk({ content: word }));
    res.write(chunk({}, finish));
    if ((body["stream_options"] as { include_usage?: boolean } | undefined)?.include_usage === true) {
      res.write(`data: ${JSON.stringify({ id: "chatcmpl-1", object: "chat.completion.chunk", created: 1, model, choices: [], usage })}\n\n`);
    }
    res.end("data: [DONE]\n\n");
  });
  return { ...server, baseUrl: `${server.url}/v1`, requests };
}

/** What the openai-kind fake refuses with. */
const REFUSAL = "I'm sorry, I can't help with that.";

let openaiUp: Awaited<ReturnType<typeof startFakeOpenAiTools>>;
let anthropicUp: FakeAnthropic;
let router: RunningRouter;
let client: Anthropic;
const traces: TraceRecord[] = [];

beforeAll(async () => {
  openaiUp = await startFakeOpenAiTools();
  anthropicUp = await startFakeAnthropic();
  const release = releaseOf({
    providers: {
      oai: { kind: "openai", baseUrl: openaiUp.baseUrl, apiKey: { secret: "OAI_KEY" } },
      ant: { kind: "anthropic", baseUrl: anthropicUp.baseUrl, apiKey: { secret: "ANT_KEY" } },
    },
    models: {
      gpt: { provider: "oai", name: "gpt-4o-mini", context: 128_000, price: { input: 0.15, output: 0.6 }, capabilities: ["tools", "vision", "streaming"] },
      claude: { provider: "ant", name: "claude-sonnet-4-5", context: 200_000, price: { input: 3, output: 15 }, capabilities: ["tools", "vision", "streaming"] },
    },
    routes: { "via-openai": { model: "gpt" }, "via-anthropic": { model: "claude" }, hidden: { model: "gpt" } },
    teams: {
      app: { keys: [{ secret: "APP_KEY" }], routes: ["via-openai", "via-anthropic"] },
      tight: { keys: [{ secret: "TIGHT_KEY" }], routes: ["via-openai"], limits: { rpm: 1 } },
    },
  });
  router = await startTestRouter(release, {
    env: { OAI_KEY: "sk-upstream-openai", ANT_KEY: "sk-upstream-anthropic", APP_KEY: "team-app-key", TIGHT_KEY: "team-tight-key" },
    telemetry: { sinks: [{ write: (record) => void traces.push(record), close: async () => undefined }] },
  });
  // What Claude Code does with ANTHROPIC_BASE_URL and ANTHROPIC_API_KEY: the SDK appends /v1/messages.
  client = new Anthropic({ baseURL: router.url, apiKey: "team-app-key", maxRetries: 0 });
});

afterAll(async () => {
  await router.close();
  await openaiUp.close();
  await anthropicUp.close();
});

beforeEach(() => {
  openaiUp.requests.length = 0;
  anthropicUp.requests.length = 0;
});

const weather: Anthropic.Tool = {
  name: "weather",
  description: "The weather in a city",
  input_schema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
};

describe("over an openai-kind upstream", () => {
  it("messages.create: system, text and Anthropic's usage (cache reads apart); the upstream gets a chat body", async () => {
    const { data: message, response } = await client.messages
      .create({
        model: "via-openai",
        max_tokens: 64,
        system: [
          { type: "text", text: "Be brief." },
          { type: "text", text: "Answer in French." },
        ],
        messages: [{ role: "user", content: "Hello" }],
        stop_sequences: ["END"],
        metadata: { user_id: "user-7" },
      })
      .withResponse();
    expect(message.type).toBe("message");
    expect(message.id).toMatch(/^msg_/);
    expect(message.content).toEqual([{ type: "text", text: "Bonjour" }]);
    // OpenAI's `finish_reason: "stop"` does not say whether a stop sequence ended the answer.
    expect(message.stop_reason).toBe("end_turn");
    expect(message.stop_sequence).toBeNull();
    expect(message.usage).toEqual({ input_tokens: 16, output_tokens: 6, cache_read_input_tokens: 4, cache_creation_input_tokens: 0 });
    expect(response.headers.get("x-switchyard-route")).toBe("via-openai");
    expect(response.headers.get("x-switchyard-model")).toBe("gpt");

    const [sent] = openaiUp.requests;
    expect(sent?.path).toBe("/v1/chat/completions");
    expect(sent?.headers.authorization).toBe("Bearer sk-upstream-openai");
    expect(sent?.body).toMatchObject({
      model: "gpt-4o-mini",
      max_tokens: 64,
      stop: ["END"],
      user: "user-7",
      messages: [
        { role: "system", content: "Be brief.\n\nAnswer in French." },
        { role: "user", content: "Hello" },
      ],
    });
  });

  it("messages.stream: text deltas and the final message with the upstream's usage", async () => {
    const stream = client.messages.stream({ model: "via-openai", max_tokens: 64, messages: [{ role: "user", content: "Hello" }] });
    const texts: string[] = [];
    stream.on("text", (delta) => texts.push(delta));
    const final = await stream.finalMessage();
    expect(texts.join("")).toBe("Bonjour");
    expect(final.content).toEqual([{ type: "text", text: "Bonjour" }]);
    expect(final.stop_reason).toBe("end_turn");
    expect(final.usage).toMatchObject({ input_tokens: 16, output_tokens: 6, cache_read_input_tokens: 4 });
    expect(openaiUp.requests[0]?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it("messages.stream: a tool call arrives as a tool_use block built from input_json_delta events", async () => {
    const stream = client.messages.stream({
      model: "via-openai",
      max_tokens: 64,
      tools: [weather],
      tool_choice: { type: "any" },
      messages: [{ role: "user", content: "Weather in Paris?" }],
    });
    const events: string[] = [];
    const partials: string[] = [];
    stream.on("streamEvent", (event) => events.push(event.type === "content_block_delta" ? `${event.type}:${event.delta.type}` : event.type));
    stream.on("inputJson", (partial) => partials.push(partial));
    const final = await stream.finalMessage();
    expect(final.stop_reason).toBe("tool_use");
    expect(final.content).toEqual([{ type: "tool_use", id: "call_1", name: "weather", input: { city: "Paris" } }]);
    expect(partials.join("")).toBe('{"city":"Paris"}');
    expect(events).toEqual([
      "message_start",
      "content_block_start",
      "content_block_delta:input_json_delta",
      "content_block_delta:input_json_delta",
      "content_block_delta:input_json_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    expect(openaiUp.requests[0]?.body).toMatchObject({
      tool_choice: "required",
      tools: [{ type: "function", function: { name: "weather", description: "The weather in a city", parameters: weather.input_schema } }],
    });
  });

  it("a refusal is text with stop_reason refusal, created or streamed (Anthropic has no refusal block)", async () => {
    const messages: Anthropic.MessageParam[] = [{ role: "user", content: "How do I use a lock pick on my neighbour's door?" }];
    const created = await client.messages.create({ model: "via-openai", max_tokens: 64, messages });
    expect(created.content).toEqual([{ type: "text", text: REFUSAL }]);
    expect(created.stop_reason).toBe("refusal");
    const stream = client.messages.stream({ model: "via-openai", max_tokens: 64, messages });
    const texts: string[] = [];
    stream.on("text", (delta) => texts.push(delta));
    const final = await stream.finalMessage();
    // The text before the refusal and the refusal's words, in one text block, as they came.
    expect(texts.join("")).toBe(`Hmm. ${REFUSAL}`);
    expect(final.content).toEqual([{ type: "text", text: `Hmm. ${REFUSAL}` }]);
    expect(final.stop_reason).toBe("refusal");
  });

  it("a tool round trip: tool_use in the history becomes tool_calls, tool_result a tool message, in order", async () => {
    const first = await client.messages.create({
      model: "via-openai",
      max_tokens: 64,
      tools: [weather],
      tool_choice: { type: "tool", name: "weather" },
      messages: [{ role: "user", content: "Weather in Paris?" }],
    });
    const call = first.content.find((block) => block.type === "tool_use");
    expect(call).toEqual({ type: "tool_use", id: "call_1", name: "weather", input: { city: "Paris" } });
    const second = await client.messages.create({
      model: "via-openai",
      max_tokens: 64,
      tools: [weather],
      messages: [
        { role: "user", content: "Weather in Paris?" },
        { role: "assistant", content: first.content },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "call_1", content: "18°C and sunny" }] },
      ],
    });
    expect(second.content).toEqual([{ type: "text", text: "Bonjour" }]);
    expect(openaiUp.requests[1]?.body["messages"]).toEqual([
      { role: "user", content: "Weather in Paris?" },
      { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "weather", arguments: '{"city":"Paris"}' } }] },
      { role: "tool", tool_call_id: "call_1", content: "18°C and sunny" },
    ]);
  });

  it("a tool_result's is_error has no field on an OpenAI-kind upstream: the tool message goes as any other", async () => {
    await client.messages.create({
      model: "via-openai",
      max_tokens: 64,
      messages: [
        { role: "user", content: "Weather in Paris?" },
        { role: "assistant", content: [{ type: "tool_use", id: "call_9", name: "weather", input: { city: "Paris" } }] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "call_9", content: "timed out", is_error: true }] },
      ],
    });
    expect((openaiUp.requests[0]?.body["messages"] as unknown[])[2]).toEqual({ role: "tool", tool_call_id: "call_9", content: "timed out" });
  });

  it("images: base64 and url sources reach the upstream as image_url parts", async () => {
    await client.messages.create({
      model: "via-openai",
      max_tokens: 64,
      messages: [
        {
          role: "user",
          content: [
            { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" } },
            { type: "image", source: { type: "url", url: "https://example.com/cat.jpg" } },
            { type: "text", text: "What are these?" },
          ],
        },
      ],
    });
    expect(openaiUp.requests[0]?.body["messages"]).toEqual([
      {
        role: "user",
        content: [
          { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
          { type: "image_url", image_url: { url: "https://example.com/cat.jpg" } },
          { type: "text", text: "What are these?" },
        ],
      },
    ]);
  });
});

describe("over an anthropic-kind upstream", () => {
  it("messages.create: text, system and the upstream's Messages request", async () => {
    const message = await client.messages.create({
      model: "via-anthropic",
      max_tokens: 128,
      system: "Be brief.",
      temperature: 0.2,
      messages: [{ role: "user", content: "Say hello" }],
    } as Anthropic.MessageCreateParamsNonStreaming);
    expect(message.content).toEqual([{ type: "text", text: "Hello from Claude" }]);
    expect(message.model).toBe("claude-sonnet-4-5");
    expect(message.usage).toEqual({ input_tokens: 12, output_tokens: 5, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 });
    const [sent] = anthropicUp.requests;
    expect(sent?.headers["x-api-key"]).toBe("sk-upstream-anthropic");
    expect(sent?.body).toMatchObject({
      model: "claude-sonnet-4-5",
      max_tokens: 128,
      system: "Be brief.",
      temperature: 0.2,
      messages: [{ role: "user", content: [{ type: "text", text: "Say hello" }] }],
    });
  });

  it("messages.stream: text, then a tool_use block from input_json_delta events", async () => {
    const stream = client.messages.stream({
      model: "via-anthropic",
      max_tokens: 64,
      tools: [weather],
      tool_choice: { type: "any" },
      messages: [{ role: "user", content: "Weather in Paris?" }],
    });
    const final = await stream.finalMessage();
    expect(final.content).toEqual([
      { type: "text", text: "Let me check." },
      { type: "tool_use", id: "toolu_01", name: "weather", input: { city: "Paris" } },
    ]);
    expect(final.stop_reason).toBe("tool_use");
    expect(final.usage).toMatchObject({ input_tokens: 12, output_tokens: 5 });
    expect(anthropicUp.requests[0]?.body).toMatchObject({
      stream: true,
      tool_choice: { type: "any" },
      tools: [{ name: "weather", input_schema: weather.input_schema }],
    });
  });

  it("a stop sequence that ended the answer comes back as stop_reason stop_sequence with the sequence, created and streamed", async () => {
    const request = { model: "via-anthropic", max_tokens: 64, stop_sequences: ["END", "from"], messages: [{ role: "user" as const, content: "Say hello" }] };
    const created = await client.messages.create(request);
    expect(created.content).toEqual([{ type: "text", text: "Hello " }]);
    expect(created).toMatchObject({ stop_reason: "stop_sequence", stop_sequence: "from" });
    expect(anthropicUp.requests[0]?.body["stop_sequences"]).toEqual(["END", "from"]);

    const stream = client.messages.stream(request);
    const deltas: unknown[] = [];
    stream.on("streamEvent", (event) => {
      if (event.type === "message_delta") deltas.push(event.delta);
    });
    const final = await stream.finalMessage();
    expect(deltas).toEqual([{ stop_reason: "stop_sequence", stop_sequence: "from" }]);
    expect(final).toMatchObject({ content: [{ type: "text", text: "Hello " }], stop_reason: "stop_sequence", stop_sequence: "from" });

    // Without one in the text, the answer ends its turn.
    const whole = await client.messages.create({ ...request, stop_sequences: ["END"] });
    expect(whole).toMatchObject({ stop_reason: "end_turn", stop_sequence: null });
  });

  it("a chat client gets the same stop as finish_reason stop, with nothing added to its answer", async () => {
    const response = await fetch(`${router.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: "Bearer team-app-key", "content-type": "application/json" },
      body: JSON.stringify({ model: "via-anthropic", stop: ["from"], messages: [{ role: "user", content: "Say hello" }] }),
    });
    const body = (await response.json()) as { choices: unknown[] };
    expect(body.choices).toEqual([{ index: 0, message: { role: "assistant", content: "Hello " }, finish_reason: "stop", logprobs: null }]);
  });

  it("a tool round trip keeps tool_use and tool_result blocks paired", async () => {
    await client.messages.create({
      model: "via-anthropic",
      max_tokens: 64,
      tools: [weather],
      messages: [
        { role: "user", content: "Weather in Paris?" },
        { role: "assistant", content: [{ type: "tool_use", id: "toolu_01", name: "weather", input: { city: "Paris" } }] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_01", content: "18°C" }] },
      ],
    });
    expect(anthropicUp.requests[0]?.body["messages"]).toEqual([
      { role: "user", content: [{ type: "text", text: "Weather in Paris?" }] },
      { role: "assistant", content: [{ type: "tool_use", id: "toolu_01", name: "weather", input: { city: "Paris" } }] },
      { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_01", content: "18°C" }] },
    ]);
  });

  it("a tool_result with is_error: true reaches Anthropic with is_error: true", async () => {
    await client.messages.create({
      model: "via-anthropic",
      max_tokens: 64,
      tools: [weather],
      messages: [
        { role: "user", content: "Weather in Paris?" },
        { role: "assistant", content: [{ type: "tool_use", id: "toolu_02", name: "weather", input: { city: "Paris" } }] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_02", content: "weather service timed out", is_error: true }] },
      ],
    });
    expect((anthropicUp.requests[0]?.body["messages"] as unknown[])[2]).toEqual({
      role: "user",
      content: [{ type: "tool_result", tool_use_id: "toolu_02", content: "weather service timed out", is_error: true }],
    });
  });

  it("an is_error that is not a boolean is refused at its path", async () => {
    const error = (await client.messages
      .create({
        model: "via-anthropic",
        max_tokens: 64,
        messages: [
          { role: "user", content: "Weather?" },
          { role: "assistant", content: [{ type: "tool_use", id: "toolu_03", name: "weather", input: {} }] },
          { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_03", content: "x", is_error: "yes" as never }] },
        ],
      })
      .catch((e: unknown) => e)) as APIError;
    expect(error.status).toBe(400);
    expect(error.message).toContain("messages[2].content[0].is_error");
    expect(anthropicUp.requests).toHaveLength(0);
  });

  it("images reach the upstream as image blocks again", async () => {
    await client.messages.create({
      model: "via-anthropic",
      max_tokens: 64,
      messages: [
        {
          role: "user",
          content: [
            { type: "image", source: { type: "base64", media_type: "image/jpeg", data: "/9j/4AAQ" } },
            { type: "text", text: "What is it?" },
          ],
        },
      ],
    });
    expect(anthropicUp.requests[0]?.body["messages"]).toEqual([
      {
        role: "user",
        content: [
          { type: "image", source: { type: "base64", media_type: "image/jpeg", data: "/9j/4AAQ" } },
          { type: "text", text: "What is it?" },
        ],
      },
    ]);
  });
});

describe("a stream failing mid-way", () => {
  it("ends with an error event after its 200, which the SDK raises", async () => {
    anthropicUp.streamError = true;
    try {
      const stream = client.messages.stream({ model: "via-anthropic", max_tokens: 64, messages: [{ role: "user", content: "Hello" }] });
      const events: string[] = [];
      stream.on("streamEvent", (event) => events.push(event.type));
      const error = await stream.finalMessage().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Anthropic.APIError);
      expect((error as APIError).type).toBe("api_error");
      expect((error as APIError).apiMessage).toMatch(/^the upstream stream failed after the response started: .*overloaded_error/);
      expect(events[0]).toBe("message_start");
    } finally {
      anthropicUp.streamError = false;
    }
  });
});

describe("countTokens", () => {
  it("answers the router's estimate without calling an upstream", async () => {
    const small = await client.messages.countTokens({ model: "via-anthropic", messages: [{ role: "user", content: "Hello" }] });
    const large = await client.messages.countTokens({
      model: "via-openai",
      system: "x".repeat(400),
      tools: [weather],
      messages: [{ role: "user", content: "Hello" }],
    });
    expect(small.input_tokens).toBeGreaterThan(0);
    expect(large.input_tokens).toBeGreaterThan(small.input_tokens + 100);
    expect(openaiUp.requests).toHaveLength(0);
    expect(anthropicUp.requests).toHaveLength(0);
  });

  it("checks the key and the route as /v1/messages does", async () => {
    await expect(client.messages.countTokens({ model: "nope", messages: [{ role: "user", content: "Hello" }] })).rejects.toBeInstanceOf(
      Anthropic.NotFoundError,
    );
    await expect(client.messages.countTokens({ model: "hidden", messages: [{ role: "user", content: "Hello" }] })).rejects.toBeInstanceOf(
      Anthropic.PermissionDeniedError,
    );
    const stranger = new Anthropic({ baseURL: router.url, apiKey: "wrong", maxRetries: 0 });
    await expect(stranger.messages.countTokens({ model: "via-openai", messages: [{ role: "user", content: "Hello" }] })).rejects.toBeInstanceOf(
      Anthropic.AuthenticationError,
    );
  });
});

describe("errors in Anthropic's shape", () => {
  const hello: Anthropic.MessageParam[] = [{ role: "user", content: "Hello" }];

  it("a bad key is a 401 the SDK raises as AuthenticationError", async () => {
    const stranger = new Anthropic({ baseURL: router.url, apiKey: "wrong", maxRetries: 0 });
    const error = await stranger.messages.create({ model: "via-openai", max_tokens: 8, messages: hello }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
    expect((error as APIError).status).toBe(401);
    expect((error as APIError).error).toEqual({
      type: "error",
      error: { type: "authentication_error", message: "the API key is not valid for this router", details: { error_code: "invalid_api_key" } },
    });
  });

  it("no key at all names the header to send", async () => {
    const response = await fetch(`${router.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "anthropic-version": "2023-06-01" },
      body: JSON.stringify({ model: "via-openai", max_tokens: 8, messages: hello }),
    });
    expect(response.status).toBe(401);
    const body = (await response.json()) as { type: string; error: { type: string; message: string } };
    expect(body.type).toBe("error");
    expect(body.error.type).toBe("authentication_error");
    expect(body.error.message).toContain("x-api-key");
  });

  it("an unknown route is a NotFoundError; a refused parameter a BadRequestError naming it; nothing reaches an upstream", async () => {
    const missing = await client.messages.create({ model: "no-such-route", max_tokens: 8, messages: hello }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(Anthropic.NotFoundError);
    expect((missing as APIError).type).toBe("not_found_error");

    const topK = await client.messages.create({ model: "via-openai", max_tokens: 8, messages: hello, top_k: 5 } as never).catch((e: unknown) => e);
    expect(topK).toBeInstanceOf(Anthropic.BadRequestError);
    expect((topK as APIError).apiMessage).toMatch(/^`top_k` is not supported/);

    const server = await client.messages
      .create({ model: "via-openai", max_tokens: 8, messages: hello, tools: [{ type: "web_search_20250305", name: "web_search" }] } as never)
      .catch((e: unknown) => e);
    expect(server).toBeInstanceOf(Anthropic.BadRequestError);
    expect((server as APIError).apiMessage).toContain("web_search_20250305 (tools[0])");

    const noMax = await fetch(`${router.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": "team-app-key" },
      body: JSON.stringify({ model: "via-openai", messages: hello }),
    });
    expect(noMax.status).toBe(400);
    expect(((await noMax.json()) as { error: { message: string } }).error.message).toMatch(/^`max_tokens` is required/);
    expect(openaiUp.requests).toHaveLength(0);
  });
});

describe("governance and traces", () => {
  it("rate limits and traces apply as on chat completions: the team's rpm refuses the second call as a RateLimitError", async () => {
    const tight = new Anthropic({ baseURL: router.url, apiKey: "team-tight-key", maxRetries: 0 });
    const hello: Anthropic.MessageParam[] = [{ role: "user", content: "Hello" }];
    const { response } = await tight.messages.create({ model: "via-openai", max_tokens: 8, messages: hello }).withResponse();
    const limited = await tight.messages.create({ model: "via-openai", max_tokens: 8, messages: hello }).catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(Anthropic.RateLimitError);
    expect((limited as APIError).type).toBe("rate_limit_error");
    expect(openaiUp.requests).toHaveLength(1);
    const id = response.headers.get("x-switchyard-request-id");
    const trace = traces.find((t) => t.requestId === id);
    expect(trace).toMatchObject({ team: "tight", route: "via-openai", status: 200, model: "gpt", inputTokens: 20, outputTokens: 6 });
    expect(trace?.costUsd).toBeGreaterThan(0);
    expect(traces.at(-1)).toMatchObject({ team: "tight", route: "via-openai", status: 429, errorCode: "rate_limited" });
  });
});
