/**
 * The official `openai` client over a vertex-kind provider, through real HTTP on 127.0.0.1: the router signs a service
 * account key's assertion, exchanges it at a fake Google token endpoint (which verifies the signature and claims), and
 * calls the fake Vertex AI at its project and location paths with `Authorization: Bearer` (the fake takes only the
 * newest token): chat, a stream, a tool call and its round trip, and upstream errors in Google's shape mapped into the
 * router's (a 400 passed through, a 429 and an overloaded stream falling back).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import OpenAI from "openai";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { RunningRouter } from "@switchyard/router";
import type { FakeGoogleTokenEndpoint } from "../helpers/fake-google-credentials.ts";
import { type FakeGemini, GEMINI_TEXT } from "../helpers/fake-gemini.ts";
import { FAKE_VERTEX, startFakeVertex, startVertexServiceAccount } from "../helpers/fake-vertex.ts";
import { readChatStream } from "../helpers/chat-stream.ts";
import { releaseOf } from "../helpers/release.ts";
import { startTestRouter } from "../helpers/router.ts";
import { expectGeminiToolRoundTrip } from "../helpers/gemini-tool-round-trip.ts";

let dir: string;
let vertex: FakeGemini;
let google: FakeGoogleTokenEndpoint;
let router: RunningRouter;
let client: OpenAI;

const MODELS = `/v1/projects/${FAKE_VERTEX.project}/locations/${FAKE_VERTEX.location}/publishers/google/models`;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "switchyard-vertex-clients-"));
  vertex = await startFakeVertex();
  let keyFile: string;
  ({ google, keyFile } = await startVertexServiceAccount(dir, vertex));
  const release = releaseOf({
    providers: {
      gcp: { kind: "vertex", project: FAKE_VERTEX.project, region: FAKE_VERTEX.location, baseUrl: vertex.baseUrl, residency: "eu" },
      sim: { kind: "mock", mock: { reply: "mock backup" } },
    },
    models: {
      flash: {
        provider: "gcp",
        name: "gemini-2.5-flash",
        context: 1_048_576,
        price: { input: 0.3, output: 2.5 },
        capabilities: ["tools", "streaming", "json"],
      },
      backup: { provider: "sim", name: "mock-b", context: 200_000, price: { input: 0, output: 0 } },
    },
    routes: { chat: { model: "flash" }, resilient: { model: "flash", fallback: [{ model: "backup" }] } },
  });
  router = await startTestRouter(release, { env: { GOOGLE_APPLICATION_CREDENTIALS: keyFile } });
  client = new OpenAI({ baseURL: `${router.url}/v1`, apiKey: "unused", maxRetries: 0 });
});

afterEach(() => {
  vertex.requests.length = 0;
  vertex.reset();
});

afterAll(async () => {
  await router.close();
  await Promise.all([vertex.close(), google.close()]);
  await rm(dir, { recursive: true, force: true });
});

describe("the openai client over vertex", () => {
  it("chat: generateContent at the project's location with a bearer token from the service account key, usage reported", async () => {
    const completion = await client.chat.completions.create({
      model: "chat",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Hello" },
      ],
      max_tokens: 64,
    });
    expect(completion.choices[0]?.message.content).toBe(GEMINI_TEXT);
    expect(completion.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 });
    const request = vertex.requests[0];
    expect(request?.path).toBe(`${MODELS}/gemini-2.5-flash:generateContent`);
    expect(request?.headers.authorization).toBe(`Bearer ${google.issued[0]?.accessToken}`);
    expect(request?.headers["x-goog-api-key"]).toBeUndefined();
    expect(request?.body).toMatchObject({
      systemInstruction: { parts: [{ text: "Be brief." }] },
      contents: [{ role: "user", parts: [{ text: "Hello" }] }],
      generationConfig: { maxOutputTokens: 64 },
    });
    // One exchange, its assertion signed for Google's scope by the key's service account.
    expect(google.assertions).toEqual([
      expect.objectContaining({
        iss: "switchyard@acme-prod.iam.gserviceaccount.com",
        scope: "https://www.googleapis.com/auth/cloud-platform",
        aud: google.url,
      }),
    ]);
  });

  it("stream: text deltas over streamGenerateContent?alt=sse and a final usage chunk, with the same cached token", async () => {
    const stream = await client.chat.completions.create({
      model: "chat",
      messages: [{ role: "user", content: "Hello" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const { text, finish, usage } = await readChatStream(stream);
    expect(text).toBe(GEMINI_TEXT);
    expect(finish).toBe("stop");
    expect(usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 });
    expect(vertex.requests[0]?.path).toBe(`${MODELS}/gemini-2.5-flash:streamGenerateContent?alt=sse`);
    expect(vertex.requests[0]?.headers.accept).toBe("text/event-stream");
    expect(google.issued).toHaveLength(1);
  });

  it("tools: a forced call comes back as tool_calls, and the round trip sends functionCall (with its signature) and functionResponse", async () => {
    await expectGeminiToolRoundTrip(client, vertex);
  });

  it("an upstream 400 INVALID_ARGUMENT reaches the client in our error shape with Google's message; nothing falls back", async () => {
    vertex.fault = {
      kind: "error",
      status: 400,
      googleStatus: "INVALID_ARGUMENT",
      message: "* GenerateContentRequest.contents[0].parts: contents.parts must not be empty.",
    };
    const error = await client.chat.completions.create({ model: "resilient", messages: [{ role: "user", content: "hi" }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({ status: 400, type: "invalid_request_error" });
    expect((error as Error).message).toContain("contents.parts must not be empty");
    expect(vertex.requests).toHaveLength(1);
  });

  it("a 429 RESOURCE_EXHAUSTED and an overloaded stream fall back to the next model", async () => {
    vertex.fault = {
      kind: "error",
      status: 429,
      googleStatus: "RESOURCE_EXHAUSTED",
      message: "Resource exhausted. Please try again later.",
      retryAfter: "600",
    };
    const { data, response } = await client.chat.completions.create({ model: "resilient", messages: [{ role: "user", content: "hi" }] }).withResponse();
    expect(data.choices[0]?.message.content).toBe("mock backup");
    expect(response.headers.get("x-switchyard-model")).toBe("backup");

    vertex.fault = { kind: "stream-error", code: 503, googleStatus: "UNAVAILABLE", first: true };
    const stream = await client.chat.completions.create({ model: "resilient", messages: [{ role: "user", content: "hi" }], stream: true });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    expect(text).toBe("mock backup");
  });

  it("all attempts failing answers 502 all_candidates_failed naming Google's status", async () => {
    vertex.fault = { kind: "error", status: 500, googleStatus: "INTERNAL", message: "An internal error has occurred." };
    const res = await fetch(`${router.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "chat", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(res.status).toBe(502);
    const body = (await res.json()) as { error: { code: string; message: string; attempts?: Array<{ model: string; errorClass: string; status?: number }> } };
    expect(body.error.code).toBe("all_candidates_failed");
    expect(body.error.attempts?.[0]).toMatchObject({ model: "flash", errorClass: "5xx", status: 500 });
    expect(body.error.message).toContain("INTERNAL");
  });

  it("what Vertex cannot honour is refused before any call, naming the API", async () => {
    const error = await client.chat.completions.create({ model: "chat", n: 2, messages: [{ role: "user", content: "hi" }] }).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 400, code: "unsupported_parameter" });
    expect((error as Error).message).toContain("(Gemini on Vertex AI)");
    expect(vertex.requests).toHaveLength(0);
  });
});
