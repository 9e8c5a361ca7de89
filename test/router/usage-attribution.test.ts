/**
 * @module Usage and attribution over real HTTP (issue 20, items 7 and 8): prompt-cache reads and writes and reasoning
 * tokens reported to the client as the upstream sent them, priced at the catalog's `cachedInput` / `cacheWrite`, settled
 * into the team's budget and written to traces and the JSONL file; `user`, `metadata` and `x-switchyard-tags` in traces,
 * JSONL and `switchyard report --by tag`, never in metrics; `GET /v1/models/{id}`; the default body limit.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Io, runCli } from "@switchyard/cli";
import { DEFAULT_MAX_BODY_BYTES } from "@switchyard/ir";
import { createMemoryStateStores, type RunningRouter, type TraceRecord } from "@switchyard/router";
import { type FakeAnthropic, startFakeAnthropic } from "../helpers/fake-anthropic.ts";
import { type FakeOpenAi, startFakeOpenAi } from "../helpers/fake-openai.ts";
import { releaseOf } from "../helpers/release.ts";
import { chat, startTestRouter } from "../helpers/router.ts";

const hi = [{ role: "user" as const, content: "What did the contract say?" }];

describe("cached input and reasoning tokens: reported, priced, settled, traced", () => {
  let anthropic: FakeAnthropic;
  let openai: FakeOpenAi;
  let router: RunningRouter;
  const traces: TraceRecord[] = [];
  const state = createMemoryStateStores();

  /** Anthropic's answer of the issue: most of a long prompt read from the cache, a little written to it. */
  const ANTHROPIC_USAGE = { input_tokens: 8_000, cache_read_input_tokens: 40_000, cache_creation_input_tokens: 2_000, output_tokens: 2_000 };
  // 8k uncached × $3 + 40k cached × $0.30 + 2k written × $3.75 + 2k out × $15, per 1M tokens.
  const ANTHROPIC_COST = (8_000 * 3 + 40_000 * 0.3 + 2_000 * 3.75 + 2_000 * 15) / 1e6;
  /** What every prompt token at the input price came to: the overstatement the issue reported. */
  const ANTHROPIC_OLD_COST = (50_000 * 3 + 2_000 * 15) / 1e6;
  const OPENAI_USAGE = {
    prompt_tokens: 10_000,
    completion_tokens: 1_000,
    total_tokens: 11_000,
    prompt_tokens_details: { cached_tokens: 8_000, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 600, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
  const OPENAI_COST = (2_000 * 2 + 8_000 * 0.5 + 1_000 * 8) / 1e6;

  beforeAll(async () => {
    anthropic = await startFakeAnthropic();
    anthropic.usage = ANTHROPIC_USAGE;
    openai = await startFakeOpenAi(() => ({ kind: "ok", usage: OPENAI_USAGE }));
    router = await startTestRouter(
      releaseOf({
        providers: {
          ant: { kind: "anthropic", baseUrl: anthropic.baseUrl, apiKey: { secret: "ANT_KEY" } },
          oai: { kind: "openai", baseUrl: openai.baseUrl },
          sim: { kind: "mock", mock: { cachedTokens: 10 } },
        },
        models: {
          claude: { provider: "ant", name: "claude-x", context: 200_000, price: { input: 3, output: 15, cachedInput: 0.3, cacheWrite: 3.75 } },
          gpt: { provider: "oai", name: "gpt-x", context: 200_000, price: { input: 2, output: 8, cachedInput: 0.5 } },
          mocked: { provider: "sim", name: "mock-1", context: 8_000, price: { input: 1_000, output: 0 } },
        },
        routes: { claude: { model: "claude" }, gpt: { model: "gpt" }, mocked: { model: "mocked" } },
        teams: { support: { keys: [{ secret: "TEAM_KEY" }], routes: ["claude", "gpt", "mocked"], budget: { usd: 100, per: "month", mode: "hard" } } },
      }),
      { env: { ANT_KEY: "k", TEAM_KEY: "sk-team" }, state, telemetry: { sinks: [{ write: (r) => void traces.push(r), close: async () => undefined }] } },
    );
  });

  afterAll(async () => {
    await router.close();
    await anthropic.close();
    await openai.close();
  });

  const client = () => new OpenAI({ baseURL: `${router.url}/v1`, apiKey: "sk-team", maxRetries: 0 });
  const spent = async () => (await state.snapshot(router.active.current.config, Date.now())).budgets["support"]?.spentUsd ?? Number.NaN;
  const traceOf = (id: string | null) => traces.find((t) => t.requestId === id);

  it("an Anthropic answer with a large cache_read_input_tokens: the client sees the cached tokens, the budget and the trace the true cost", async () => {
    const before = await spent();
    const { data, response } = await client().chat.completions.create({ model: "claude", messages: hi }).withResponse();
    expect(data.usage).toEqual({
      prompt_tokens: 50_000,
      completion_tokens: 2_000,
      total_tokens: 52_000,
      prompt_tokens_details: { cached_tokens: 40_000, cache_write_tokens: 2_000 },
    });
    expect(ANTHROPIC_OLD_COST / ANTHROPIC_COST).toBeCloseTo(2.45, 2);
    expect((await spent()) - before).toBeCloseTo(ANTHROPIC_COST, 9);
    const trace = traceOf(response.headers.get("x-switchyard-request-id"));
    expect(trace).toMatchObject({ inputTokens: 50_000, cachedInputTokens: 40_000, cacheWriteTokens: 2_000, outputTokens: 2_000, costUsd: ANTHROPIC_COST });
    expect(anthropic.requests.at(-1)?.body["model"]).toBe("claude-x");
  });

  it("streamed: message_start's cache counts survive message_delta's nulls into the usage chunk, the budget and the trace", async () => {
    const before = await spent();
    const { data: stream, response } = await client()
      .chat.completions.create({ model: "claude", messages: hi, stream: true, stream_options: { include_usage: true } })
      .withResponse();
    let usage: unknown;
    for await (const chunk of stream) if (chunk.usage != null) usage = chunk.usage;
    expect(usage).toEqual({
      prompt_tokens: 50_000,
      completion_tokens: 2_000,
      total_tokens: 52_000,
      prompt_tokens_details: { cached_tokens: 40_000, cache_write_tokens: 2_000 },
    });
    expect((await spent()) - before).toBeCloseTo(ANTHROPIC_COST, 9);
    expect(traceOf(response.headers.get("x-switchyard-request-id"))).toMatchObject({
      cachedInputTokens: 40_000,
      cacheWriteTokens: 2_000,
      costUsd: ANTHROPIC_COST,
    });
  });

  it("OpenAI's cached_tokens and reasoning_tokens reach the client as OpenAI sent them, and price the answer", async () => {
    const before = await spent();
    const { data, response } = await client().chat.completions.create({ model: "gpt", messages: hi }).withResponse();
    expect(data.usage).toEqual(OPENAI_USAGE);
    expect((await spent()) - before).toBeCloseTo(OPENAI_COST, 9);
    expect(traceOf(response.headers.get("x-switchyard-request-id"))).toMatchObject({
      inputTokens: 10_000,
      cachedInputTokens: 8_000,
      reasoningTokens: 600,
      costUsd: OPENAI_COST,
    });
    expect(traceOf(response.headers.get("x-switchyard-request-id"))?.cacheWriteTokens).toBeUndefined();

    const { data: stream } = await client()
      .chat.completions.create({ model: "gpt", messages: hi, stream: true, stream_options: { include_usage: true } })
      .withResponse();
    let usage: unknown;
    for await (const chunk of stream) if (chunk.usage != null) usage = chunk.usage;
    expect(usage).toEqual(OPENAI_USAGE);
    expect(openai.requests.at(-1)?.body["stream_options"]).toEqual({ include_usage: true });
  });

  it("the mock reports its configured cached tokens; without a cachedInput price they cost the input price", async () => {
    const { data, response } = await client().chat.completions.create({ model: "mocked", messages: hi }).withResponse();
    expect(data.usage?.prompt_tokens_details?.cached_tokens).toBe(10);
    const trace = traceOf(response.headers.get("x-switchyard-request-id"));
    expect(trace?.cachedInputTokens).toBe(10);
    expect(trace?.costUsd).toBeCloseTo(((data.usage?.prompt_tokens ?? 0) * 1_000) / 1e6, 9);
  });
});

describe("attribution: user, metadata and x-switchyard-tags", () => {
  let router: RunningRouter;
  let dir: string;
  let jsonl: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "sy-attribution-"));
    jsonl = path.join(dir, "traces.jsonl");
    router = await startTestRouter(
      releaseOf({
        providers: { sim: { kind: "mock" } },
        models: { m: { provider: "sim", name: "mock-1", context: 8_000, price: { input: 1_000, output: 1_000 } } },
        routes: { faq: { model: "m" }, legal: { model: "m" } },
        teams: { support: { keys: [{ secret: "TEAM_KEY" }], routes: ["faq"] } },
        telemetry: { jsonl: { path: jsonl } },
      }),
      { env: { TEAM_KEY: "sk-team" } },
    );
  });

  afterAll(async () => {
    await router.close();
    await rm(dir, { recursive: true, force: true });
  });

  const client = (tags?: string) =>
    new OpenAI({
      baseURL: `${router.url}/v1`,
      apiKey: "sk-team",
      maxRetries: 0,
      ...(tags === undefined ? {} : { defaultHeaders: { "x-switchyard-tags": tags } }),
    });

  it("reach the JSONL file and `switchyard report --by tag`; bad tags and metadata are 400s naming them; metrics never carry them", async () => {
    await client("feature:search, tenant:acme").chat.completions.create({ model: "faq", messages: hi, user: "user-42", metadata: { ticket: "T-1" } });
    await client("feature:search")
      .chat.completions.create({ model: "faq", messages: hi, stream: true })
      .then(async (s) => {
        for await (const _ of s);
      });
    await client("feature:summary").chat.completions.create({ model: "faq", messages: hi });
    await client().chat.completions.create({ model: "faq", messages: hi });

    const auth = { authorization: "Bearer sk-team" };
    for (const [tags, problem] of [
      [Array.from({ length: 11 }, (_, i) => `k${i}:v`).join(","), "holds 11 tags; at most 10 are allowed"],
      ["feature", 'tag "feature" is not `key:value`'],
      ["feature:has space", 'tag "feature:has space" is not `key:value`'],
      [`feature:${"x".repeat(60)}`, "is longer than 64 characters"],
      ["a:1,a:2", "names the tag key `a` twice"],
    ] as const) {
      const res = await chat(router, { model: "faq", messages: hi }, { ...auth, "x-switchyard-tags": tags });
      expect(res.status, tags).toBe(400);
      const { error } = (await res.json()) as { error: { message: string; code: string; param: string } };
      expect(error.code).toBe("invalid_request");
      expect(error.param).toBe("x-switchyard-tags");
      expect(error.message).toContain("the x-switchyard-tags header");
      expect(error.message).toContain(problem);
    }
    const badMetadata = await chat(router, { model: "faq", messages: hi, metadata: { ticket: 7 } }, auth);
    expect(badMetadata.status).toBe(400);
    expect(((await badMetadata.json()) as { error: { param: string } }).error.param).toBe("metadata.ticket");

    const metrics = await (await fetch(`${router.url}/metrics`)).text();
    expect(metrics).toContain("switchyard_requests_total");
    for (const value of ["acme", "search", "tenant", "user-42", "T-1"]) expect(metrics).not.toContain(value);

    await router.close(); // flushes the JSONL sink
    const records = (await readFile(jsonl, "utf8"))
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as TraceRecord);
    expect(records[0]).toMatchObject({ user: "user-42", metadata: { ticket: "T-1" }, tags: { feature: "search", tenant: "acme" } });
    expect(records[1]?.tags).toEqual({ feature: "search" });
    expect(records[3]?.tags).toBeUndefined();

    let stdout = "";
    const io: Io = { stdout: (t) => void (stdout += t), stderr: () => undefined, cwd: dir, env: { NO_COLOR: "1" } };
    expect(await runCli({ argv: ["report", "traces.jsonl", "--by", "tag", "--format", "json"], io })).toBe(0);
    const spend = (JSON.parse(stdout) as { by: { tag: { spend: { key: string; requests: number; errors: number }[] } } }).by.tag.spend;
    expect(Object.fromEntries(spend.map((r) => [r.key, [r.requests, r.errors]]))).toEqual({
      "feature:search": [2, 0],
      "tenant:acme": [1, 0],
      "feature:summary": [1, 0],
      // the untagged answer and the six refusals: a request whose tags were refused carries none
      "(no tag)": [7, 6],
    });
  });
});

describe("GET /v1/models/{id}", () => {
  let router: RunningRouter;
  beforeAll(async () => {
    router = await startTestRouter(
      releaseOf({
        providers: { sim: { kind: "mock" } },
        models: { m: { provider: "sim", name: "mock-1", context: 8_000, price: { input: 0, output: 0 } } },
        routes: { faq: { model: "m" }, legal: { model: "m" } },
        teams: { support: { keys: [{ secret: "TEAM_KEY" }], routes: ["faq"] } },
      }),
      { env: { TEAM_KEY: "sk-team" } },
    );
  });
  afterAll(() => router.close());

  it("answers a route of the caller's team as OpenAI's model object, and 404 in OpenAI's shape for any other", async () => {
    const client = new OpenAI({ baseURL: `${router.url}/v1`, apiKey: "sk-team", maxRetries: 0 });
    expect(await client.models.retrieve("faq")).toEqual({ id: "faq", object: "model", created: 0, owned_by: "switchyard" });
    for (const id of ["legal", "nope"]) {
      const error = await client.models.retrieve(id).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.NotFoundError);
      expect((error as InstanceType<typeof OpenAI.NotFoundError>).error).toEqual({
        message: `the model \`${id}\` does not exist or you do not have access to it (GET /v1/models lists yours)`,
        type: "not_found_error",
        code: "route_not_found",
        param: "model",
      });
    }
    const anonymous = await fetch(`${router.url}/v1/models/faq`);
    expect(anonymous.status).toBe(401);
    const post = await fetch(`${router.url}/v1/models/faq`, { method: "POST", headers: { authorization: "Bearer sk-team" } });
    expect(post.status).toBe(405);
  });
});

describe("the default body limit", () => {
  let router: RunningRouter;
  beforeAll(async () => {
    router = await startTestRouter(
      releaseOf({
        providers: { sim: { kind: "mock" } },
        models: { m: { provider: "sim", name: "mock-1", context: 8_000_000, price: { input: 0, output: 0 } } },
        routes: { vision: { model: "m" } },
      }),
    );
  });
  afterAll(() => router.close());

  /** A 3.6 MB photo as a base64 data URL in a chat message: ~4.8 MB of JSON. */
  const photoBody = () =>
    JSON.stringify({
      model: "vision",
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "What is in this photo?" },
            { type: "image_url", image_url: { url: `data:image/jpeg;base64,${Buffer.alloc(3_600_000, 7).toString("base64")}` } },
          ],
        },
      ],
    });

  it("takes a phone photo as base64 on both HTTP paths (Content-Length: the fast path; chunked: node:http)", async () => {
    expect(DEFAULT_MAX_BODY_BYTES).toBe(32 * 1024 * 1024);
    const body = photoBody();
    expect(body.length).toBeGreaterThan(4_800_000);
    const plain = await chat(router, body);
    expect(plain.status).toBe(200);
    await plain.text();
    const chunked = await fetch(`${router.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: new Blob([body]).stream(),
      duplex: "half",
    } as RequestInit);
    expect(chunked.status).toBe(200);
    await chunked.text();
  });

  it("refuses a body declared past the default with 413, before reading it", async () => {
    const url = new URL(router.url);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(url.port), url.hostname, () => {
        socket.write(
          `POST /v1/chat/completions HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nContent-Length: ${DEFAULT_MAX_BODY_BYTES + 1}\r\n\r\n{"model":`,
        );
      });
      let text = "";
      socket.on("data", (d: Buffer) => (text += d.toString()));
      socket.on("close", () => resolve(text));
      socket.on("error", reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer).toContain(`"code":"body_too_large"`);
    expect(answer).toContain(`the request body exceeds the limit of ${DEFAULT_MAX_BODY_BYTES} bytes`);
  });
});
