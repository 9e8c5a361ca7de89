/**
 * `POST /v1/embeddings` with the clients RAG applications use — the official `openai` client and LangChain's
 * `OpenAIEmbeddings` — against a real router over openai-kind fake upstreams that record what they receive: single and
 * batch input, base64, `dimensions`, fallback to a same-dimension model on a 5xx, the team budget charged per input
 * token, and clear 404s for a route of the other kind.
 */
import { OpenAIEmbeddings } from "@langchain/openai";
import OpenAI from "openai";
import type { TraceRecord } from "../../packages/router/src/telemetry/types.ts";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createMemoryStateStores, type MemoryStateStores, type RunningRouter } from "@switchyard/router";
import { fakeVector } from "../helpers/fake-embeddings.ts";
import { type FakeOpenAi, startFakeOpenAi } from "../helpers/fake-openai.ts";
import { releaseOf } from "../helpers/release.ts";
import { chat, startTestRouter } from "../helpers/router.ts";

/** USD per 1M input tokens: $0.001 a token, easy sums. */
const PRICE = 1_000;

let primary: FakeOpenAi;
let backup: FakeOpenAi;
let router: RunningRouter;
let state: MemoryStateStores;
let client: OpenAI;

beforeAll(async () => {
  primary = await startFakeOpenAi();
  backup = await startFakeOpenAi();
  const release = releaseOf({
    providers: {
      up: { kind: "openai", baseUrl: primary.baseUrl, apiKey: { secret: "UP_KEY" } },
      alt: { kind: "openai", baseUrl: backup.baseUrl, apiKey: { secret: "ALT_KEY" } },
      sim: { kind: "mock" },
    },
    models: {
      small: { kind: "embedding", provider: "up", name: "text-embedding-3-small", dimensions: 8, context: 8191, price: { input: PRICE, output: 0 } },
      "small-alt": { kind: "embedding", provider: "alt", name: "text-embedding-3-small-alt", dimensions: 8, context: 8191, price: { input: PRICE, output: 0 } },
      "mock-embed": { kind: "embedding", provider: "sim", name: "mock-embed-1", dimensions: 16, context: 8191, price: { input: 0, output: 0 } },
      mini: { provider: "up", name: "gpt-4o-mini", context: 128_000, price: { input: 0.15, output: 0.6 } },
    },
    routes: {
      search: { kind: "embedding", model: "small", fallback: [{ model: "small-alt" }] },
      "search-mock": { kind: "embedding", model: "mock-embed" },
      "search-ruled": { kind: "embedding", model: "small", when: [{ if: { tag: "tier:alt" }, use: { model: "small-alt" } }] },
      chat: { model: "mini" },
    },
    teams: { app: { keys: [{ secret: "APP_KEY" }], routes: ["search", "search-mock", "search-ruled", "chat"], budget: { usd: 100, per: "month" } } },
  });
  state = createMemoryStateStores();
  router = await startTestRouter(release, { state, env: { UP_KEY: "sk-upstream", ALT_KEY: "sk-alt", APP_KEY: "team-app-key" } });
  client = new OpenAI({ baseURL: `${router.url}/v1`, apiKey: "team-app-key", maxRetries: 0 });
});

afterEach(() => {
  primary.setScript(() => ({ kind: "ok" }));
  primary.requests.length = 0;
  backup.requests.length = 0;
});

afterAll(async () => {
  await router.close();
  await primary.close();
  await backup.close();
});

const spentUsd = async (): Promise<number> => (await state.snapshot(router.active.current.config, Date.now())).budgets["app"]?.spentUsd ?? NaN;
const decode = (base64: string): number[] => {
  const bytes = Buffer.from(base64, "base64");
  return Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readFloatLE(i * 4));
};

describe("the openai client", () => {
  it("a `when` rule on an embedding route reads the caller's x-switchyard-tags", async () => {
    const tagged = await client.embeddings.create({ model: "search-ruled", input: "ruled" }, { headers: { "x-switchyard-tags": "tier:alt" } }).withResponse();
    expect(tagged.response.headers.get("x-switchyard-model")).toBe("small-alt");
    expect(backup.requests).toHaveLength(1);
    const plain = await client.embeddings.create({ model: "search-ruled", input: "ruled" }).withResponse();
    expect(plain.response.headers.get("x-switchyard-model")).toBe("small");
  });

  it("embeds one text: the vector the upstream made, through the route's model, with usage and the x-switchyard headers", async () => {
    const { data, response } = await client.embeddings.create({ model: "search", input: "hello embedded world" }).withResponse();
    expect(data.data).toHaveLength(1);
    // openai-node asks for base64 and decodes it: the floats arrive exactly.
    expect(data.data[0]?.embedding).toEqual(fakeVector("text-embedding-3-small", "hello embedded world", 8));
    expect(data.usage).toEqual({ prompt_tokens: 3, total_tokens: 3 });
    expect(response.headers.get("x-switchyard-route")).toBe("search");
    expect(response.headers.get("x-switchyard-model")).toBe("small");
    expect(response.headers.get("x-switchyard-provider")).toBe("up");
    const [got] = primary.requests;
    expect(got?.path).toBe("/v1/embeddings");
    expect(got?.headers.authorization).toBe("Bearer sk-upstream");
    expect(got?.body).toEqual({ model: "text-embedding-3-small", input: "hello embedded world", encoding_format: "base64" });
  });

  it("embeds a batch in order, as floats, passing `dimensions` and `user` upstream", async () => {
    const input = ["first text", "second", "the third text here"];
    const data = await client.embeddings.create({ model: "search", input, encoding_format: "float", dimensions: 4, user: "u-42" });
    expect(data.data.map((d) => d.index)).toEqual([0, 1, 2]);
    data.data.forEach((d, i) => expect(d.embedding).toEqual(fakeVector("text-embedding-3-small", input[i] as string, 4)));
    expect(data.usage.prompt_tokens).toBe(7);
    expect(primary.requests[0]?.body).toEqual({ model: "text-embedding-3-small", input, encoding_format: "float", dimensions: 4, user: "u-42" });
  });

  it("answers base64 as base64 when the client asks for it", async () => {
    const data = await client.embeddings.create({ model: "search", input: ["a b"], encoding_format: "base64" });
    const embedding = data.data[0]?.embedding as unknown as string;
    expect(typeof embedding).toBe("string");
    expect(decode(embedding)).toEqual(fakeVector("text-embedding-3-small", "a b", 8));
  });

  it("takes token arrays", async () => {
    const data = await client.embeddings.create({
      model: "search",
      input: [
        [1, 2, 3],
        [4, 5],
      ],
      encoding_format: "float",
    });
    expect(data.data).toHaveLength(2);
    expect(data.usage.prompt_tokens).toBe(5);
    expect(primary.requests[0]?.body["input"]).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
  });

  it("falls back to the same-dimension model when the primary answers 5xx", async () => {
    primary.setScript(() => ({ kind: "status", status: 503 }));
    const { data, response } = await client.embeddings.create({ model: "search", input: "fall back please", encoding_format: "float" }).withResponse();
    expect(data.data[0]?.embedding).toEqual(fakeVector("text-embedding-3-small-alt", "fall back please", 8));
    expect(response.headers.get("x-switchyard-model")).toBe("small-alt");
    expect(response.headers.get("x-switchyard-attempts")).toBe("2");
    expect(primary.requests).toHaveLength(1);
    expect(backup.requests[0]?.body).toMatchObject({ model: "text-embedding-3-small-alt", input: "fall back please" });
  });

  it("answers 502 in OpenAI's error shape when every candidate fails", async () => {
    primary.setScript(() => ({ kind: "status", status: 500 }));
    backup.setScript(() => ({ kind: "status", status: 500 }));
    try {
      const error = await client.embeddings.create({ model: "search", input: "x" }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.APIError);
      expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
      expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe("all_candidates_failed");
    } finally {
      backup.setScript(() => ({ kind: "ok" }));
    }
  });

  it("charges the team's budget per input token at the answering model's price", async () => {
    const before = await spentUsd();
    const data = await client.embeddings.create({ model: "search", input: ["one two three", "four five"] });
    expect(data.usage.prompt_tokens).toBe(5);
    expect((await spentUsd()) - before).toBeCloseTo((5 * PRICE) / 1_000_000, 12);
  });

  it("serves an embedding route on a mock provider: unit vectors of the model's dimensions, the same for the same text", async () => {
    const a = await client.embeddings.create({ model: "search-mock", input: ["same", "other"], encoding_format: "float" });
    const b = await client.embeddings.create({ model: "search-mock", input: "same" });
    expect(a.data[0]?.embedding).toHaveLength(16);
    expect(b.data[0]?.embedding).toEqual(a.data[0]?.embedding);
    expect(a.data[1]?.embedding).not.toEqual(a.data[0]?.embedding);
    const norm = Math.hypot(...(a.data[0]?.embedding ?? []));
    expect(norm).toBeCloseTo(1, 5);
  });
});

describe("LangChain OpenAIEmbeddings", () => {
  const embeddings = () => new OpenAIEmbeddings({ model: "search", apiKey: "team-app-key", configuration: { baseURL: `${router.url}/v1` }, maxRetries: 0 });

  it("embedQuery returns the upstream's vector", async () => {
    const vector = await embeddings().embedQuery("what is a switchyard?");
    expect(vector).toEqual(fakeVector("text-embedding-3-small", "what is a switchyard?", 8));
    expect(primary.requests[0]?.body).toMatchObject({ model: "text-embedding-3-small", input: "what is a switchyard?" });
  });

  it("embedDocuments returns one vector per document, in order", async () => {
    const documents = ["doc one", "doc two", "doc three"];
    const vectors = await embeddings().embedDocuments(documents);
    expect(vectors).toEqual(documents.map((d) => fakeVector("text-embedding-3-small", d, 8)));
    expect(primary.requests[0]?.body["input"]).toEqual(documents);
  });
});

describe("routes of the other kind, and bad requests", () => {
  const post = (body: unknown) =>
    fetch(`${router.url}/v1/embeddings`, {
      method: "POST",
      headers: { authorization: "Bearer team-app-key", "content-type": "application/json" },
      body: JSON.stringify(body),
    });

  it("a chat route on /v1/embeddings is a 404 naming where it is served", async () => {
    const response = await post({ model: "chat", input: "x" });
    expect(response.status).toBe(404);
    const body = (await response.json()) as { error: { message: string; code: string; param: string } };
    expect(body.error).toMatchObject({ code: "route_not_found", param: "model" });
    expect(body.error.message).toContain("route `chat` is a chat route: call it on a generation endpoint such as POST /v1/chat/completions");
    expect(primary.requests).toHaveLength(0);
  });

  it("an embedding route on /v1/chat/completions is a 404 pointing at /v1/embeddings", async () => {
    const response = await chat(router, { model: "search", messages: [{ role: "user", content: "hi" }] }, { authorization: "Bearer team-app-key" });
    expect(response.status).toBe(404);
    const body = (await response.json()) as { error: { message: string; code: string } };
    expect(body.error.code).toBe("route_not_found");
    expect(body.error.message).toContain("route `search` is an embedding route: call it on POST /v1/embeddings");
  });

  it("refuses a bad body with a 400 naming the field, and `dimensions` wider than the route's", async () => {
    const missing = await post({ model: "search" });
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error: { param: string } }).error.param).toBe("input");
    const empty = await post({ model: "search", input: ["ok", ""] });
    expect(((await empty.json()) as { error: { param: string; message: string } }).error).toMatchObject({ param: "input[1]" });
    const wide = await post({ model: "search", input: "x", dimensions: 9 });
    expect(wide.status).toBe(400);
    expect(((await wide.json()) as { error: { param: string; message: string } }).error.message).toContain("makes vectors of 8");
    // A token id past a 32-bit integer (1e308 would reach the upstream as "1e+308") is named; so is a prompt, which embeddings do not render.
    const huge = await post({
      model: "search",
      input: [
        [1, 2],
        [3, 1e308],
      ],
    });
    expect(huge.status).toBe(400);
    expect(((await huge.json()) as { error: { param: string; message: string } }).error).toMatchObject({
      param: "input[1][1]",
      message: "`input[1][1]` must be a token id, an integer from 0 to 2147483647, got 1e+308",
    });
    const prompted = await post({ model: "search", input: "x", prompt: { id: "greeting" } });
    expect(prompted.status).toBe(400);
    expect(((await prompted.json()) as { error: { param: string } }).error.param).toBe("prompt");
    const promptHeader = await fetch(`${router.url}/v1/embeddings`, {
      method: "POST",
      headers: { authorization: "Bearer team-app-key", "content-type": "application/json", "x-switchyard-prompt": "greeting" },
      body: JSON.stringify({ model: "search", input: "x" }),
    });
    expect(promptHeader.status).toBe(400);
    expect(((await promptHeader.json()) as { error: { message: string } }).error.message).toContain("`x-switchyard-prompt` header is not read by embeddings");
    const unauthenticated = await fetch(`${router.url}/v1/embeddings`, { method: "POST", body: JSON.stringify({ model: "search", input: "x" }) });
    expect(unauthenticated.status).toBe(401);
    expect(primary.requests).toHaveLength(0);
  });
});

describe("accounting", () => {
  it("counts embedding requests in /metrics by route, like chat requests, and traces them with their API, user and tags", async () => {
    const traces: TraceRecord[] = [];
    router.telemetry.addSink({ write: (record) => void traces.push(record), close: async () => undefined });
    const answer = await client.embeddings
      .create({ model: "search", input: "counted", user: "u-7" }, { headers: { "x-switchyard-tags": "feature:search,env:test" } })
      .withResponse();
    const id = answer.response.headers.get("x-switchyard-request-id");
    await expect
      .poll(() => traces.find((t) => t.requestId === id))
      .toMatchObject({
        api: "embeddings",
        route: "search",
        user: "u-7",
        tags: { feature: "search", env: "test" },
      });
    const text = await (await fetch(`${router.url}/metrics`)).text();
    expect(text).toMatch(/switchyard_requests_total\{[^}]*route="search"[^}]*\} [1-9]/);
  });

  it("takes the team's rate limit: past rpm the next embeddings request is a 429", async () => {
    const limited = await startTestRouter(
      releaseOf({
        providers: { sim: { kind: "mock" } },
        models: { e: { kind: "embedding", provider: "sim", name: "mock-embed", dimensions: 4, context: 8191, price: { input: 1, output: 0 } } },
        routes: { search: { kind: "embedding", model: "e" } },
        teams: { app: { keys: [{ secret: "APP_KEY" }], routes: ["search"], limits: { rpm: 1 } } },
      }),
      { env: { APP_KEY: "team-app-key" } },
    );
    try {
      const limitedClient = new OpenAI({ baseURL: `${limited.url}/v1`, apiKey: "team-app-key", maxRetries: 0 });
      await limitedClient.embeddings.create({ model: "search", input: "first" });
      const error = await limitedClient.embeddings.create({ model: "search", input: "second" }).catch((e: unknown) => e);
      expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(429);
    } finally {
      await limited.close();
    }
  });
});
