/** The official `openai` client, pointed at the router, gets completions and streams from every adapter. */
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningRouter } from "@switchyard/router";
import { type FakeAnthropic, startFakeAnthropic } from "../helpers/fake-anthropic.ts";
import { type FakeOpenAi, startFakeOpenAi } from "../helpers/fake-openai.ts";
import { releaseOf } from "../helpers/release.ts";
import { startTestRouter } from "../helpers/router.ts";

let openaiUp: FakeOpenAi;
let anthropicUp: FakeAnthropic;
let router: RunningRouter;
let client: OpenAI;

beforeAll(async () => {
  openaiUp = await startFakeOpenAi();
  anthropicUp = await startFakeAnthropic();
  const release = releaseOf({
    providers: {
      oai: { kind: "openai", baseUrl: openaiUp.baseUrl, apiKey: { secret: "OAI_KEY" } },
      ant: { kind: "anthropic", baseUrl: anthropicUp.baseUrl, apiKey: { secret: "ANT_KEY" } },
      sim: { kind: "mock" },
    },
    models: {
      gpt: { provider: "oai", name: "gpt-4o-mini", context: 128_000, price: { input: 0.15, output: 0.6 } },
      claude: { provider: "ant", name: "claude-sonnet-4-5", context: 200_000, price: { input: 3, output: 15 } },
      mocky: { provider: "sim", name: "mock-1", context: 8_000, price: { input: 0, output: 0 } },
    },
    routes: { "via-openai": { model: "gpt" }, "via-anthropic": { model: "claude" }, "via-mock": { model: "mocky" } },
    teams: { app: { keys: [{ secret: "APP_KEY" }], routes: ["via-openai", "via-anthropic", "via-mock"] } },
  });
  router = await startTestRouter(release, { env: { OAI_KEY: "sk-upstream-openai", ANT_KEY: "sk-upstream-anthropic", APP_KEY: "team-app-key" } });
  client = new OpenAI({ baseURL: `${router.url}/v1`, apiKey: "team-app-key", maxRetries: 0 });
});

afterAll(async () => {
  await router.close();
  await openaiUp.close();
  await anthropicUp.close();
});

const messages = [{ role: "user" as const, content: "Say hello" }];

describe.each([
  ["via-openai", "gpt", "oai", "Hello from fake"],
  ["via-anthropic", "claude", "ant", "Hello from Claude"],
  ["via-mock", "mocky", "sim", 'Mock reply from mocky on route via-mock: you said "Say hello".'],
])("route %s", (route, model, provider, text) => {
  it("answers a completion with usage and the x-switchyard headers", async () => {
    const { data, response } = await client.chat.completions.create({ model: route, messages }).withResponse();
    expect(data.choices[0]?.message.content).toBe(text);
    expect(data.usage?.total_tokens).toBeGreaterThan(0);
    expect(response.headers.get("x-switchyard-route")).toBe(route);
    expect(response.headers.get("x-switchyard-model")).toBe(model);
    expect(response.headers.get("x-switchyard-provider")).toBe(provider);
    expect(response.headers.get("x-switchyard-attempts")).toBe("1");
    expect(response.headers.get("x-switchyard-config-version")).toMatch(/^[0-9a-f]{64}$/);
    expect(response.headers.get("x-switchyard-request-id")).toBeTruthy();
  });

  it("streams, with usage only when asked for", async () => {
    const plain = await client.chat.completions.create({ model: route, messages, stream: true });
    let streamed = "";
    let sawUsage = false;
    for await (const chunk of plain) {
      streamed += chunk.choices[0]?.delta.content ?? "";
      if (chunk.usage) sawUsage = true;
    }
    expect(streamed).toBe(text);
    expect(sawUsage).toBe(false);

    const withUsage = await client.chat.completions.create({ model: route, messages, stream: true, stream_options: { include_usage: true } });
    let usage: OpenAI.CompletionUsage | undefined | null;
    for await (const chunk of withUsage) if (chunk.usage) usage = chunk.usage;
    expect(usage?.total_tokens).toBeGreaterThan(0);
  });
});

describe("adapters translate requests", () => {
  it("OpenAI-compatible upstream gets the model name, the provider key and include_usage for streams", async () => {
    await client.chat.completions.create({ model: "via-openai", messages, stream: true }).then(async (s) => {
      for await (const _ of s) void _;
    });
    const last = openaiUp.requests.at(-1);
    expect(last?.body["model"]).toBe("gpt-4o-mini");
    expect(last?.body["stream_options"]).toEqual({ include_usage: true });
    expect(last?.headers.authorization).toBe("Bearer sk-upstream-openai");
    expect(last?.path).toBe("/v1/chat/completions");
  });

  it("Anthropic upstream gets x-api-key, anthropic-version, system and max_tokens", async () => {
    await client.chat.completions.create({ model: "via-anthropic", messages: [{ role: "system", content: "Be terse." }, ...messages], stop: ["END"] });
    const last = anthropicUp.requests.at(-1);
    expect(last?.headers["x-api-key"]).toBe("sk-upstream-anthropic");
    expect(last?.headers["anthropic-version"]).toBe("2023-06-01");
    expect(last?.body["system"]).toBe("Be terse.");
    expect(last?.body["max_tokens"]).toBe(4096);
    expect(last?.body["stop_sequences"]).toEqual(["END"]);
  });

  const tools: OpenAI.ChatCompletionTool[] = [
    { type: "function", function: { name: "get_weather", description: "Weather", parameters: { type: "object", properties: { city: { type: "string" } } } } },
  ];

  it("Anthropic tool use comes back as tool_calls (non-streaming)", async () => {
    const res = await client.chat.completions.create({ model: "via-anthropic", messages, tools, tool_choice: "required" });
    const choice = res.choices[0];
    expect(choice?.finish_reason).toBe("tool_calls");
    const call = choice?.message.tool_calls?.[0];
    expect(call?.type === "function" ? call.function : undefined).toEqual({ name: "get_weather", arguments: '{"city":"Paris"}' });
    expect(anthropicUp.requests.at(-1)?.body["tool_choice"]).toEqual({ type: "any" });
  });

  it("Anthropic tool use streams as tool-call deltas the SDK can reassemble", async () => {
    const stream = client.chat.completions.stream({
      model: "via-anthropic",
      messages,
      tools,
      tool_choice: { type: "function", function: { name: "get_weather" } },
    });
    const final = await stream.finalChatCompletion();
    const call = final.choices[0]?.message.tool_calls?.[0];
    expect(call?.type === "function" ? call.function : undefined).toEqual({ name: "get_weather", arguments: '{"city": "Paris"}' });
    expect(final.choices[0]?.finish_reason).toBe("tool_calls");
    expect(final.choices[0]?.message.content).toBe("Let me check.");
  });

  it("GET /v1/models lists the team's routes", async () => {
    const list = await client.models.list();
    expect(list.data.map((m) => m.id).sort()).toEqual(["via-anthropic", "via-mock", "via-openai"]);
  });
});
