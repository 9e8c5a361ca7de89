/**
 * Fidelity on anthropic-kind routes, over real sockets with the official `openai` client: structured output through a
 * forced tool (plain and streamed), what Anthropic cannot honour refused or routed around, system messages kept in
 * place — asserting what the fake Anthropic upstream received as well as what the client got.
 */
import OpenAI from "openai";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type RunningRouter, createMemoryStateStores } from "@switchyard/router";
import { type FakeAnthropic, startFakeAnthropic } from "../helpers/fake-anthropic.ts";
import { type FakeOpenAi, startFakeOpenAi } from "../helpers/fake-openai.ts";
import { releaseOf } from "../helpers/release.ts";
import { chat, startTestRouter } from "../helpers/router.ts";

let anthropic: FakeAnthropic;
let openaiUp: FakeOpenAi;
let router: RunningRouter;
let client: OpenAI;
const state = createMemoryStateStores();

beforeAll(async () => {
  anthropic = await startFakeAnthropic();
  openaiUp = await startFakeOpenAi();
  router = await startTestRouter(
    releaseOf({
      providers: {
        ant: { kind: "anthropic", baseUrl: anthropic.baseUrl, apiKey: { secret: "ANT_KEY" } },
        oai: { kind: "openai", baseUrl: openaiUp.baseUrl },
      },
      models: {
        claude: { provider: "ant", name: "claude-x", context: 200_000, price: { input: 3, output: 15 } },
        gpt: { provider: "oai", name: "gpt-x", context: 128_000, price: { input: 1, output: 1 } },
      },
      routes: { claude: { model: "claude" }, "claude-then-gpt": { model: "claude", fallback: [{ model: "gpt" }] } },
    }),
    { env: { ANT_KEY: "k" }, state },
  );
  client = new OpenAI({ baseURL: `${router.url}/v1`, apiKey: "none", maxRetries: 0 });
});

afterEach(() => {
  anthropic.requests.length = 0;
  openaiUp.requests.length = 0;
});

afterAll(async () => {
  await router.close();
  await anthropic.close();
  await openaiUp.close();
});

const lastSent = (): Record<string, unknown> => {
  const body = anthropic.requests.at(-1)?.body;
  if (body === undefined) throw new Error("the upstream received nothing");
  return body;
};
const schema = { type: "object", properties: { city: { type: "string" } }, required: ["city"], additionalProperties: false };
const jsonSchema = { type: "json_schema" as const, json_schema: { name: "place", strict: true, schema } };

describe("response_format on an anthropic-kind route", () => {
  it("json_schema: a forced tool upstream, JSON content and finish_reason stop for the client", async () => {
    const completion = await client.chat.completions.create({ model: "claude", messages: [{ role: "user", content: "Where?" }], response_format: jsonSchema });
    expect(lastSent()["tools"]).toEqual([{ name: "place", description: expect.any(String) as unknown, input_schema: schema }]);
    expect(lastSent()["tool_choice"]).toEqual({ type: "tool", name: "place" });
    expect(completion.choices[0]?.message.content).toBe('{"city":"Paris"}');
    expect(completion.choices[0]?.message.tool_calls).toBeUndefined();
    expect(completion.choices[0]?.finish_reason).toBe("stop");
  });

  it("json_schema streamed: input_json_delta arrives as content deltas", async () => {
    const stream = await client.chat.completions.create({
      model: "claude",
      messages: [{ role: "user", content: "Where?" }],
      response_format: jsonSchema,
      stream: true,
    });
    let content = "";
    let finish: string | null = null;
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      expect(choice?.delta.tool_calls).toBeUndefined();
      content += choice?.delta.content ?? "";
      finish = choice?.finish_reason ?? finish;
    }
    expect(lastSent()["stream"]).toBe(true);
    expect(lastSent()["tool_choice"]).toEqual({ type: "tool", name: "place" });
    expect(JSON.parse(content)).toEqual({ city: "Paris" });
    expect(finish).toBe("stop");
  });

  it("the official client's parse() reads the structured answer", async () => {
    const parsed = await client.chat.completions.parse({ model: "claude", messages: [{ role: "user", content: "Where?" }], response_format: jsonSchema });
    expect(parsed.choices[0]?.message.parsed).toEqual({ city: "Paris" });
  });

  it("json_object: a `json_response` tool taking any object", async () => {
    const completion = await client.chat.completions.create({
      model: "claude",
      messages: [{ role: "user", content: "JSON please" }],
      response_format: { type: "json_object" },
    });
    expect(lastSent()["tool_choice"]).toEqual({ type: "tool", name: "json_response" });
    expect(JSON.parse(completion.choices[0]?.message.content ?? "")).toEqual({ city: "Paris" });
  });
});

describe("what Anthropic cannot honour", () => {
  it.each<[string, Record<string, unknown>, string]>([
    ["n > 1", { n: 2 }, "n"],
    ["logprobs", { logprobs: true, top_logprobs: 2 }, "logprobs"],
    ["response_format beside tools", { response_format: { type: "json_object" }, tools: [{ type: "function", function: { name: "f" } }] }, "response_format"],
    [
      "an empty user turn",
      {
        messages: [
          { role: "user", content: "" },
          { role: "assistant", content: "a" },
          { role: "user", content: "b" },
        ],
      },
      "messages[0].content",
    ],
  ])("%s: 400 unsupported_parameter naming it, nothing sent, nothing booked", async (_name, patch, param) => {
    const res = await chat(router, { model: "claude", messages: [{ role: "user", content: "hi" }], ...patch });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: Record<string, unknown> };
    expect(body.error).toMatchObject({ code: "unsupported_parameter", type: "invalid_request_error", param });
    expect(body.error["message"]).toContain("provider `ant`");
    expect(res.headers.get("x-switchyard-attempts")).toBe("0");
    expect(anthropic.requests).toHaveLength(0);
    expect(state.health.breakerSnapshot(Date.now())["claude"]?.consecutiveFailures ?? 0).toBe(0);
  });

  it("the official client raises it as a BadRequestError it does not retry", async () => {
    const retrying = new OpenAI({ baseURL: `${router.url}/v1`, apiKey: "none", maxRetries: 2 });
    const error = await retrying.chat.completions.create({ model: "claude", messages: [{ role: "user", content: "hi" }], n: 3 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).code).toBe("unsupported_parameter");
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).param).toBe("n");
  });

  it("skips the anthropic candidate when another can honour the request", async () => {
    const res = await chat(router, { model: "claude-then-gpt", messages: [{ role: "user", content: "hi" }], n: 2 });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-switchyard-model")).toBe("gpt");
    expect(res.headers.get("x-switchyard-attempts")).toBe("1");
    expect(anthropic.requests).toHaveLength(0);
    expect(openaiUp.requests.at(-1)?.body["n"]).toBe(2);
  });
});

describe("system messages on an anthropic-kind route", () => {
  it("joins leading ones with a blank line and keeps a later one at its place", async () => {
    const res = await chat(router, {
      model: "claude",
      messages: [
        {
          role: "system",
          content: [
            { type: "text", text: "Be brief." },
            { type: "text", text: "Be kind." },
          ],
        },
        { role: "developer", content: "Use metric units." },
        { role: "user", content: "hi" },
        { role: "assistant", content: "hello" },
        { role: "system", content: "Now answer in French." },
        { role: "user", content: "weather?" },
      ],
    });
    expect(res.status).toBe(200);
    expect(lastSent()["system"]).toBe("Be brief.\n\nBe kind.\n\nUse metric units.");
    expect(lastSent()["messages"]).toEqual([
      { role: "user", content: [{ type: "text", text: "hi" }] },
      { role: "assistant", content: [{ type: "text", text: "hello" }] },
      {
        role: "user",
        content: [
          { type: "text", text: "<system-instructions>\nNow answer in French.\n</system-instructions>" },
          { type: "text", text: "weather?" },
        ],
      },
    ]);
  });
});
