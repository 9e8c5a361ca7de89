/**
 * The official clients over the azure kind (issue 22): the `openai` client's chat, stream, tools and embeddings, one
 * Responses and one Messages request, against a fake Azure OpenAI resource that records what it receives. Two providers:
 * `az` on the deployments path with an `api-key` (the default api-version), `azv1` on the v1 path with a Microsoft Entra
 * ID token from a fake token endpoint. Usage with cached and reasoning tokens is priced into traces.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { priceTokens } from "@switchyard/ir";
import type { RunningRouter, TraceRecord } from "@switchyard/router";
import { type FakeAzure, type FakeEntra, startFakeAzure, startFakeEntra, startFakeManagedIdentity } from "../helpers/fake-azure.ts";
import { releaseOf } from "../helpers/release.ts";
import { startTestRouter } from "../helpers/router.ts";

const AZURE_KEY = "azure-resource-key-0123456789abcdef";
const CLIENT_SECRET = "entra-client-secret-value";
const USAGE = {
  prompt_tokens: 10_000,
  completion_tokens: 1_000,
  total_tokens: 11_000,
  prompt_tokens_details: { cached_tokens: 8_000 },
  completion_tokens_details: { reasoning_tokens: 600 },
};
const PRICE = { input: 2.5, output: 10, cachedInput: 1.25 };

let entra: FakeEntra;
let azure: FakeAzure;
let router: RunningRouter;
let client: OpenAI;
const traces: TraceRecord[] = [];

beforeAll(async () => {
  entra = await startFakeEntra({ tenantId: "contoso-tenant", clientId: "router-app", clientSecret: CLIENT_SECRET });
  azure = await startFakeAzure({ deployments: { "gpt4o-prod": "gpt-4o-2024-11-20", "embed-small": "text-embedding-3-small" }, apiKey: AZURE_KEY, entra });
  const release = releaseOf({
    providers: {
      az: { kind: "azure", baseUrl: azure.endpoint, apiKey: { secret: "AZURE_OPENAI_KEY" } },
      azv1: { kind: "azure", baseUrl: `${azure.endpoint}/openai/v1/`, apiVersion: "v1", auth: "entra" },
    },
    models: {
      gpt4o: { provider: "az", name: "gpt4o-prod", context: 128_000, price: PRICE, capabilities: ["tools", "streaming"] },
      "gpt4o-v1": { provider: "azv1", name: "gpt4o-prod", context: 128_000, price: PRICE, capabilities: ["tools", "streaming"] },
      embed: { kind: "embedding", provider: "az", name: "embed-small", dimensions: 8, context: 8191, price: { input: 0.02, output: 0 } },
      "embed-v1": { kind: "embedding", provider: "azv1", name: "embed-small", dimensions: 8, context: 8191, price: { input: 0.02, output: 0 } },
    },
    routes: {
      chat: { model: "gpt4o" },
      "chat-v1": { model: "gpt4o-v1" },
      search: { kind: "embedding", model: "embed" },
      "search-v1": { kind: "embedding", model: "embed-v1" },
    },
    teams: { app: { keys: [{ secret: "APP_KEY" }], routes: ["chat", "chat-v1", "search", "search-v1"] } },
  });
  router = await startTestRouter(release, {
    env: {
      AZURE_OPENAI_KEY: AZURE_KEY,
      APP_KEY: "team-app-key",
      AZURE_TENANT_ID: "contoso-tenant",
      AZURE_CLIENT_ID: "router-app",
      AZURE_CLIENT_SECRET: CLIENT_SECRET,
      AZURE_AUTHORITY_HOST: entra.authorityHost,
    },
    telemetry: { sinks: [{ write: (r) => void traces.push(r), close: async () => undefined }] },
  });
  client = new OpenAI({ baseURL: `${router.url}/v1`, apiKey: "team-app-key", maxRetries: 0 });
});

afterAll(async () => {
  await router.close();
  await azure.close();
  await entra.close();
});

beforeEach(() => {
  azure.setScript(() => ({ kind: "ok" }));
});

const messages = [{ role: "user" as const, content: "Say hello" }];
const last = () => azure.requests.at(-1);

describe.each([
  ["chat", "api-key on the deployments path", "/openai/deployments/gpt4o-prod/chat/completions?api-version=2024-10-21"],
  ["chat-v1", "Entra ID on the v1 path", "/openai/v1/chat/completions"],
])("route %s (%s)", (route, _how, url) => {
  it("answers a completion; the fake saw the right URL, auth and body", async () => {
    const { data, response } = await client.chat.completions.create({ model: route, messages }).withResponse();
    expect(data.choices[0]?.message.content).toBe("Hello from Azure");
    expect(data.choices[0]?.finish_reason).toBe("stop");
    expect(data.model).toBe("gpt-4o-2024-11-20");
    expect(response.headers.get("x-switchyard-provider")).toBe(route === "chat" ? "az" : "azv1");
    const seen = last();
    expect(seen?.url).toBe(url);
    expect(seen?.body).toMatchObject({ model: "gpt4o-prod", messages });
    expect(seen?.body["stream"]).toBeUndefined();
    if (route === "chat") {
      expect(seen?.headers["api-key"]).toBe(AZURE_KEY);
      expect(seen?.headers.authorization).toBeUndefined();
    } else {
      expect(seen?.headers.authorization).toMatch(/^Bearer entra-token-\d+$/);
      expect(seen?.headers["api-key"]).toBeUndefined();
    }
  });

  it("streams: Azure's prompt-filter chunk is not forwarded, usage is reported last", async () => {
    const stream = await client.chat.completions.create({ model: route, messages, stream: true, stream_options: { include_usage: true } });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe("Hello from Azure");
    expect(chunks.every((c) => c.id !== "" && (c.choices.length > 0 || c.usage !== null))).toBe(true);
    expect(chunks.at(-1)?.usage?.total_tokens).toBe(15);
    expect(last()?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it("calls tools, streamed and not", async () => {
    const tools: OpenAI.ChatCompletionTool[] = [
      { type: "function", function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } } },
    ];
    const done = await client.chat.completions.create({ model: route, messages, tools, tool_choice: "required" });
    expect(done.choices[0]?.finish_reason).toBe("tool_calls");
    expect(done.choices[0]?.message.tool_calls?.[0]).toMatchObject({ type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } });
    expect(last()?.body).toMatchObject({ tools, tool_choice: "required" });
    const streamed = await client.chat.completions
      .stream({ model: route, messages, tools, tool_choice: { type: "function", function: { name: "get_weather" } } })
      .finalChatCompletion();
    expect(streamed.choices[0]?.message.tool_calls?.[0]?.function).toEqual({ name: "get_weather", arguments: '{"city":"Paris"}' });
  });
});

describe("embeddings", () => {
  it.each([
    ["search", "/openai/deployments/embed-small/embeddings?api-version=2024-10-21"],
    ["search-v1", "/openai/v1/embeddings"],
  ])("%s embeds through %s", async (route, url) => {
    const answer = await client.embeddings.create({ model: route, input: ["one two", "three"], encoding_format: "float" });
    expect(answer.data.map((d) => d.embedding.length)).toEqual([8, 8]);
    expect(answer.usage.prompt_tokens).toBe(3);
    expect(last()?.url).toBe(url);
    expect(last()?.body).toMatchObject({ input: ["one two", "three"], model: "embed-small" });
  });
});

describe("other dialects over azure", () => {
  it("a Responses request (openai client's responses.create)", async () => {
    const response = await client.responses.create({ model: "chat", input: "Say hello", max_output_tokens: 64 });
    expect(response.status).toBe("completed");
    expect(response.output_text).toBe("Hello from Azure");
    expect(last()?.url).toContain("/openai/deployments/gpt4o-prod/chat/completions");
    expect(last()?.body).toMatchObject({ messages: [{ role: "user", content: "Say hello" }], max_completion_tokens: 64 });
  });

  it("a Responses request whose completion Azure's content filter stopped is incomplete, saying why", async () => {
    azure.setScript(() => ({ kind: "completion-filtered" }));
    const response = await client.responses.create({ model: "chat-v1", input: "Tell me a story" });
    expect(response.status).toBe("incomplete");
    expect(response.incomplete_details?.reason).toBe("content_filter");
  });

  it("a Messages request (@anthropic-ai/sdk), streamed and not", async () => {
    const anthropic = new Anthropic({ baseURL: router.url, apiKey: "team-app-key", maxRetries: 0 });
    const message = await anthropic.messages.create({
      model: "chat-v1",
      max_tokens: 64,
      system: "Be brief.",
      messages: [{ role: "user", content: "Say hello" }],
    });
    expect(message.content).toEqual([{ type: "text", text: "Hello from Azure" }]);
    expect(message.stop_reason).toBe("end_turn");
    expect(last()?.body).toMatchObject({
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Say hello" },
      ],
    });
    const text = await anthropic.messages.stream({ model: "chat", max_tokens: 64, messages: [{ role: "user", content: "Again" }] }).finalText();
    expect(text).toBe("Hello from Azure");
  });
});

describe("usage and Entra tokens", () => {
  it("prices cached and reasoning tokens at the catalog's rates", async () => {
    azure.setScript(() => ({ kind: "ok", usage: USAGE }));
    const { data, response } = await client.chat.completions.create({ model: "chat", messages }).withResponse();
    expect(data.usage).toMatchObject(USAGE);
    const trace = traces.find((t) => t.requestId === response.headers.get("x-switchyard-request-id"));
    const expected = priceTokens(PRICE, { input: 10_000, cachedInput: 8_000, output: 1_000 });
    expect(expected).toBeCloseTo((2_000 * 2.5 + 8_000 * 1.25 + 1_000 * 10) / 1e6, 12);
    expect(trace).toMatchObject({ inputTokens: 10_000, cachedInputTokens: 8_000, outputTokens: 1_000, reasoningTokens: 600 });
    expect(trace?.costUsd).toBeCloseTo(expected, 12);
  });

  it("one token serves many calls; the token request is the client-credentials grant for Cognitive Services", async () => {
    const before = entra.requests.length;
    await Promise.all([1, 2, 3].map(() => client.chat.completions.create({ model: "chat-v1", messages })));
    expect(entra.requests.length - before).toBe(0);
    expect(entra.requests.length).toBe(1);
    const form = entra.requests[0]?.form;
    expect(entra.requests[0]?.url).toBe("/contoso-tenant/oauth2/v2.0/token");
    expect(Object.fromEntries(form ?? [])).toEqual({
      grant_type: "client_credentials",
      client_id: "router-app",
      scope: "https://cognitiveservices.azure.com/.default",
      client_secret: CLIENT_SECRET,
    });
  });

  it("workload identity: the federated token file is the client assertion", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "switchyard-azure-"));
    const federated = await startFakeEntra({ tenantId: "t2", clientId: "wi-app", federatedToken: "eyJhbGciOi.federated.jwt" });
    const resource = await startFakeAzure({ deployments: { d: "gpt-4o" }, entra: federated });
    try {
      await writeFile(path.join(dir, "token"), "eyJhbGciOi.federated.jwt\n");
      const solo = await startTestRouter(
        releaseOf({
          providers: { az: { kind: "azure", baseUrl: resource.endpoint, auth: "entra", apiVersion: "2025-01-01-preview" } },
          models: { m: { provider: "az", name: "d", context: 8_000, price: { input: 1, output: 1 } } },
          routes: { chat: { model: "m" } },
        }),
        {
          env: {
            AZURE_TENANT_ID: "t2",
            AZURE_CLIENT_ID: "wi-app",
            AZURE_FEDERATED_TOKEN_FILE: path.join(dir, "token"),
            AZURE_AUTHORITY_HOST: `${federated.authorityHost}/`,
          },
        },
      );
      try {
        const open = new OpenAI({ baseURL: `${solo.url}/v1`, apiKey: "none", maxRetries: 0 });
        const answer = await open.chat.completions.create({ model: "chat", messages });
        expect(answer.choices[0]?.message.content).toBe("Hello from Azure");
        expect(resource.requests[0]?.url).toBe("/openai/deployments/d/chat/completions?api-version=2025-01-01-preview");
        expect(Object.fromEntries(federated.requests[0]?.form ?? [])).toMatchObject({
          client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
          client_assertion: "eyJhbGciOi.federated.jwt",
        });
      } finally {
        await solo.close();
      }
    } finally {
      await resource.close();
      await federated.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("managed identity: no credentials in the environment → IMDS (AZURE_POD_IDENTITY_AUTHORITY_HOST) or App Service's endpoint; AZURE_CLIENT_ID picks a user-assigned one", async () => {
    const imds = await startFakeManagedIdentity({ via: "imds", clientId: "uami-client" });
    const app = await startFakeManagedIdentity({ via: "app-service", header: "app-service-secret-header" });
    const viaImds = await startFakeAzure({ deployments: { d: "gpt-4o" }, entra: imds });
    const viaApp = await startFakeAzure({ deployments: { d: "gpt-4o" }, entra: app });
    const routerFor = (endpoint: string, env: Record<string, string>) =>
      startTestRouter(
        releaseOf({
          providers: { az: { kind: "azure", baseUrl: endpoint, auth: "entra" } },
          models: { m: { provider: "az", name: "d", context: 8_000, price: { input: 1, output: 1 } } },
          routes: { chat: { model: "m" } },
        }),
        { env },
      );
    try {
      const first = await routerFor(viaImds.endpoint, { AZURE_POD_IDENTITY_AUTHORITY_HOST: imds.endpoint, AZURE_CLIENT_ID: "uami-client" });
      try {
        const open = new OpenAI({ baseURL: `${first.url}/v1`, apiKey: "none", maxRetries: 0 });
        for (let i = 0; i < 2; i++)
          expect((await open.chat.completions.create({ model: "chat", messages })).choices[0]?.message.content).toBe("Hello from Azure");
        const streamed = await open.chat.completions.create({ model: "chat", messages, stream: true });
        let text = "";
        for await (const chunk of streamed) text += chunk.choices[0]?.delta.content ?? "";
        expect(text).toBe("Hello from Azure");
        // One token for all three calls.
        expect(imds.requests).toHaveLength(1);
        expect(imds.requests[0]?.query).toEqual({ "api-version": "2018-02-01", resource: "https://cognitiveservices.azure.com", client_id: "uami-client" });
      } finally {
        await first.close();
      }
      const second = await routerFor(viaApp.endpoint, { IDENTITY_ENDPOINT: app.endpoint, IDENTITY_HEADER: "app-service-secret-header" });
      try {
        const open = new OpenAI({ baseURL: `${second.url}/v1`, apiKey: "none", maxRetries: 0 });
        expect((await open.chat.completions.create({ model: "chat", messages })).choices[0]?.message.content).toBe("Hello from Azure");
        expect(app.requests).toHaveLength(1);
      } finally {
        await second.close();
      }
      // The identity endpoint refuses (a system-assigned identity asked where only a user-assigned one exists): the
      // client gets the router's upstream error, naming what was looked for, never the App Service header.
      const refused = await routerFor(viaImds.endpoint, { AZURE_POD_IDENTITY_AUTHORITY_HOST: imds.endpoint });
      try {
        const open = new OpenAI({ baseURL: `${refused.url}/v1`, apiKey: "none", maxRetries: 0 });
        const error = (await open.chat.completions.create({ model: "chat", messages }).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
        expect(error).toBeInstanceOf(OpenAI.APIError);
        expect(error.status).toBe(502);
        expect(JSON.stringify(error.error)).toContain("refused a token (400, invalid_request: Identity not found)");
      } finally {
        await refused.close();
      }
    } finally {
      await viaImds.close();
      await viaApp.close();
      await imds.close();
      await app.close();
    }
  });
});
