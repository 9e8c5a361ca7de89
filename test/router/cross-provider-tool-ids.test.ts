/**
 * A tool-calling conversation that begins on one provider and continues on another (the route's fallback), driven by the
 * official `openai` client. Gemini's call ids carry the call's thought signature (hundreds of characters with a real
 * signature), other OpenAI-compatible servers make ids like `functions.Bash:0`. OpenAI refuses tool-call ids longer than
 * 40 characters, Anthropic ids outside `^[a-zA-Z0-9_-]+$`, Bedrock ids outside that or longer than 64 (each fake checks
 * as its API does). The router sends each upstream short ids derived from the ones it would refuse, the call and its
 * result still paired, streamed or not, and the conversation goes back to Gemini with its signature intact.
 */
import { randomBytes } from "node:crypto";
import OpenAI from "openai";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { RunningRouter } from "@switchyard/router";
import { type FakeAnthropic, startFakeAnthropic } from "../helpers/fake-anthropic.ts";
import { FAKE_AWS, type FakeBedrock, startFakeBedrock } from "../helpers/fake-bedrock.ts";
import { type FakeGemini, GEMINI_TEXT, startFakeGemini } from "../helpers/fake-gemini.ts";
import { type FakeOpenAi, startFakeOpenAi } from "../helpers/fake-openai.ts";
import { releaseOf } from "../helpers/release.ts";
import { startTestRouter } from "../helpers/router.ts";

let gemini: FakeGemini;
let openai: FakeOpenAi;
let anthropic: FakeAnthropic;
let bedrock: FakeBedrock;
let router: RunningRouter;
let client: OpenAI;
/** A signature as long as Gemini's real ones (299 bytes: 400 base64 characters, ending in `+`, `/` and `=`). */
const signature = `${randomBytes(297).toString("base64")}+/8=`;

const weather: OpenAI.ChatCompletionTool = {
  type: "function",
  function: { name: "weather", description: "The weather in a city", parameters: { type: "object", properties: { city: { type: "string" } } } },
};

beforeAll(async () => {
  gemini = await startFakeGemini();
  openai = await startFakeOpenAi();
  anthropic = await startFakeAnthropic();
  bedrock = await startFakeBedrock();
  const release = releaseOf({
    providers: {
      google: { kind: "gemini", baseUrl: gemini.baseUrl, apiKey: { secret: "GEMINI_KEY" } },
      oai: { kind: "openai", baseUrl: openai.baseUrl, apiKey: { secret: "OPENAI_KEY" } },
      claude: { kind: "anthropic", baseUrl: anthropic.baseUrl, apiKey: { secret: "ANTHROPIC_KEY" } },
      aws: { kind: "bedrock", region: FAKE_AWS.region, baseUrl: bedrock.baseUrl },
    },
    models: {
      flash: { provider: "google", name: "gemini-2.5-flash", context: 1_000_000, price: { input: 0.3, output: 2.5 }, capabilities: ["tools", "streaming"] },
      mini: { provider: "oai", name: "gpt-4o-mini", context: 128_000, price: { input: 0.15, output: 0.6 }, capabilities: ["tools", "streaming"] },
      sonnet: { provider: "claude", name: "claude-sonnet-4-5", context: 200_000, price: { input: 3, output: 15 }, capabilities: ["tools", "streaming"] },
      nova: { provider: "aws", name: "amazon.nova-pro-v1:0", context: 300_000, price: { input: 0.8, output: 3.2 }, capabilities: ["tools", "streaming"] },
    },
    routes: {
      chat: { model: "flash", fallback: [{ model: "mini" }] },
      direct: { model: "mini" },
      claude: { model: "sonnet" },
      nova: { model: "nova" },
    },
  });
  router = await startTestRouter(release, {
    env: {
      GEMINI_KEY: "gemini-upstream-key",
      OPENAI_KEY: "openai-upstream-key",
      ANTHROPIC_KEY: "anthropic-upstream-key",
      AWS_ACCESS_KEY_ID: FAKE_AWS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: FAKE_AWS.secretAccessKey,
    },
  });
  client = new OpenAI({ baseURL: `${router.url}/v1`, apiKey: "unused", maxRetries: 0 });
});

afterEach(() => {
  gemini.requests.length = 0;
  gemini.reset();
  openai.requests.length = 0;
  anthropic.requests.length = 0;
  bedrock.requests.length = 0;
});

afterAll(async () => {
  await router.close();
  await gemini.close();
  await openai.close();
  await anthropic.close();
  await bedrock.close();
});

/** Gemini answers the first turn with a call whose id carries the long signature; the history that answers it. */
async function firstTurnOnGemini(): Promise<{ history: OpenAI.ChatCompletionMessageParam[]; id: string }> {
  gemini.signature = signature;
  const first = await client.chat.completions.create({
    model: "chat",
    messages: [{ role: "user", content: "Weather in Paris?" }],
    tools: [weather],
    tool_choice: { type: "function", function: { name: "weather" } },
  });
  const calls = first.choices[0]?.message.tool_calls ?? [];
  const id = calls[0]?.id ?? "";
  expect(id.length).toBeGreaterThan(400);
  return {
    id,
    history: [
      { role: "user", content: "Weather in Paris?" },
      { role: "assistant", content: null, tool_calls: calls },
      { role: "tool", tool_call_id: id, content: '{"temp":"18°C"}' },
    ],
  };
}

/** The ids OpenAI received: the assistant's call and the tool result's. */
function idsOpenAiGot(): { call: string; result: string } {
  const messages = openai.requests[0]?.body["messages"] as Array<{ tool_calls?: Array<{ id: string }>; tool_call_id?: string }>;
  return { call: messages[1]?.tool_calls?.[0]?.id ?? "", result: messages[2]?.tool_call_id ?? "" };
}

describe("a Gemini tool call continued on OpenAI", () => {
  it("the fake refuses a long id as OpenAI does (what a history passed through unchanged would meet)", async () => {
    const { history } = await firstTurnOnGemini();
    const direct = await fetch(`${openai.baseUrl}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-4o-mini", messages: history }),
    });
    expect(direct.status).toBe(400);
    expect(((await direct.json()) as { error: { message: string } }).error.message).toMatch(/^Invalid 'messages\[1\]\.tool_calls\[0\]\.id': string too long/);
  });

  it("fallback to OpenAI: 200, the call and its result sent with the same short id", async () => {
    const { history, id } = await firstTurnOnGemini();
    gemini.fault = { kind: "error", status: 503, googleStatus: "UNAVAILABLE" };
    const { data, response } = await client.chat.completions.create({ model: "chat", messages: history, tools: [weather] }).withResponse();
    expect(data.choices[0]?.message.content).toBe("Hello from fake");
    expect(response.headers.get("x-switchyard-model")).toBe("mini");
    const got = idsOpenAiGot();
    expect(got.call).toMatch(/^call_[A-Za-z0-9_-]{35}$/);
    expect(got.result).toBe(got.call);
    // The client's own history is not changed, and the next turn back on Gemini still carries the signature.
    expect(history[2]).toMatchObject({ tool_call_id: id });
    gemini.reset();
    gemini.signature = signature;
    const back = await client.chat.completions.create({ model: "chat", messages: history, tools: [weather] });
    expect(back.choices[0]?.message.content).toBe(GEMINI_TEXT);
    const contents = gemini.requests.at(-1)?.body["contents"] as Array<{ parts: Array<{ thoughtSignature?: string }> }>;
    expect(contents[1]?.parts[0]?.thoughtSignature).toBe(signature);
  });

  it("streamed, and on a route that goes to OpenAI directly: the same short id for the same long one", async () => {
    const { history } = await firstTurnOnGemini();
    const stream = await client.chat.completions.create({ model: "direct", messages: history, tools: [weather], stream: true });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    expect(text).toBe("Hello from fake");
    const streamed = idsOpenAiGot();
    openai.requests.length = 0;
    await client.chat.completions.create({ model: "direct", messages: history, tools: [weather] });
    expect(idsOpenAiGot()).toEqual(streamed);
    expect(streamed.call).toHaveLength(40);
  });

  it("ids of 40 characters or fewer go through as the client sent them", async () => {
    const id = `call_${"x".repeat(35)}`;
    await client.chat.completions.create({
      model: "direct",
      messages: [
        { role: "user", content: "Weather?" },
        { role: "assistant", content: null, tool_calls: [{ id, type: "function", function: { name: "weather", arguments: "{}" } }] },
        { role: "tool", tool_call_id: id, content: "sunny" },
      ],
    });
    expect(idsOpenAiGot()).toEqual({ call: id, result: id });
  });
});

describe("the same history on Anthropic and on Bedrock", () => {
  /** A history whose call was made by an OpenAI-compatible server that names calls `functions.<name>:<n>`. */
  const dotted: OpenAI.ChatCompletionMessageParam[] = [
    { role: "user", content: "List the files." },
    { role: "assistant", content: null, tool_calls: [{ id: "functions.Bash:0", type: "function", function: { name: "bash", arguments: '{"cmd":"ls"}' } }] },
    { role: "tool", tool_call_id: "functions.Bash:0", content: "README.md" },
  ];
  const bash: OpenAI.ChatCompletionTool = {
    type: "function",
    function: { name: "bash", parameters: { type: "object", properties: { cmd: { type: "string" } } } },
  };

  it("Anthropic gets a Gemini call's id, and a `functions.Bash:0` id, as short ids in [A-Za-z0-9_-], paired", async () => {
    const { history } = await firstTurnOnGemini();
    const answer = await client.chat.completions.create({ model: "claude", messages: history, tools: [weather] });
    expect(answer.choices[0]?.message.content).toBe("Hello from Claude");
    await client.chat.completions.create({ model: "claude", messages: dotted, tools: [bash] });
    for (const request of anthropic.requests) {
      const turns = request.body["messages"] as Array<{ content: Array<{ type: string; id?: string; tool_use_id?: string }> }>;
      const use = turns[1]?.content.find((b) => b.type === "tool_use");
      const result = turns[2]?.content.find((b) => b.type === "tool_result");
      expect(use?.id).toMatch(/^call_[A-Za-z0-9_-]{35}$/);
      expect(result?.tool_use_id).toBe(use?.id);
    }
    expect(anthropic.requests).toHaveLength(2);
  });

  it("Bedrock gets them within its 64 characters and its pattern, paired; an id that fits goes as it is", async () => {
    const { history } = await firstTurnOnGemini();
    await client.chat.completions.create({ model: "nova", messages: history, tools: [weather] });
    await client.chat.completions.create({ model: "nova", messages: dotted, tools: [bash] });
    const fits = "toolu_bdrk_01";
    await client.chat.completions.create({
      model: "nova",
      messages: [
        { role: "user", content: "List the files." },
        { role: "assistant", content: null, tool_calls: [{ id: fits, type: "function", function: { name: "bash", arguments: "{}" } }] },
        { role: "tool", tool_call_id: fits, content: "README.md" },
      ],
      tools: [bash],
    });
    const ids = bedrock.requests.map((r) => {
      const turns = r.body["messages"] as Array<{ content: Array<{ toolUse?: { toolUseId: string }; toolResult?: { toolUseId: string } }> }>;
      const use = turns[1]?.content.find((b) => b.toolUse !== undefined)?.toolUse?.toolUseId;
      const result = turns[2]?.content.find((b) => b.toolResult !== undefined)?.toolResult?.toolUseId;
      expect(result).toBe(use);
      return use;
    });
    expect(ids[0]).toMatch(/^call_[A-Za-z0-9_-]{35}$/);
    expect(ids[1]).toMatch(/^call_[A-Za-z0-9_-]{35}$/);
    expect(ids[2]).toBe(fits);
  });
});
