/**
 * router.mjs's 150 KB budget per provider kind: a release using each kind alone (openai, anthropic, azure, gemini,
 * bedrock, vertex, mock), openai with anthropic or mock, and gemini with vertex, builds a router.mjs within it. The anthropic, gemini and mock
 * adapters' calls ride in router.mjs as compressed chunks unpacked on a provider's first call (their refusals stay
 * readable in the core), so their translation is not in router.mjs as plain text; built anthropic and gemini bundles
 * answer a chat and a streamed request from plain `node router.mjs` against the fakes through the official openai client;
 * the anthropic one answers the Anthropic SDK the stop sequence its adapter's chunk marked, read by the Messages asset.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import type { ConfigInput } from "@switchyard/ir";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleRouter } from "../../packages/compiler/src/emit/router-bundle.ts";
import { type FakeAnthropic, startFakeAnthropic } from "../helpers/fake-anthropic.ts";
import { type FakeGemini, GEMINI_TEXT, startFakeGemini } from "../helpers/fake-gemini.ts";
import { spawnRouter } from "../helpers/process.ts";
import { releaseOf } from "../helpers/release.ts";

const BUDGET = 150 * 1024;

let dir: string;
let anthropic: FakeAnthropic;
let gemini: FakeGemini;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "switchyard-bundle-kinds-"));
  anthropic = await startFakeAnthropic();
  gemini = await startFakeGemini();
});

afterAll(async () => {
  await anthropic.close();
  await gemini.close();
  await rm(dir, { recursive: true, force: true });
});

type ProviderInput = ConfigInput["providers"][string];

type Kind = "openai" | "anthropic" | "azure" | "gemini" | "bedrock" | "vertex" | "mock";

/** One provider of each kind, named after it; anthropic and gemini point at the fakes. */
function providerOf(kind: Kind): ProviderInput {
  switch (kind) {
    case "openai":
      return { kind, baseUrl: "http://127.0.0.1:9/v1" };
    case "anthropic":
      return { kind, baseUrl: anthropic.baseUrl, apiKey: { secret: "ANTHROPIC_KEY" } };
    case "azure":
      return { kind, baseUrl: "https://example.openai.azure.com", apiVersion: "2024-10-21" };
    case "gemini":
      return { kind, baseUrl: gemini.baseUrl, apiKey: { secret: "GEMINI_KEY" } };
    case "bedrock":
      return { kind, region: "us-east-1" };
    case "vertex":
      return { kind, project: "acme-prod", region: "us-central1" };
    case "mock":
      return { kind };
  }
}

/** A release whose providers are one of each kind given, its one route on the first. */
function releaseWith(kinds: Kind[]) {
  return releaseOf({
    providers: Object.fromEntries(kinds.map((kind) => [kind, providerOf(kind)])),
    models: Object.fromEntries(kinds.map((kind) => [kind, { provider: kind, name: `${kind}-model`, context: 100_000, price: { input: 1, output: 2 } }])),
    routes: { chat: { model: kinds[0] ?? "mock" } },
  });
}

/** Strings of each lazily loaded adapter's calls (its URLs, headers, stream events), never of its refusals. */
const CALL_MARKERS: Partial<Record<Kind, RegExp>> = {
  anthropic: /anthropic-version|message_stop|x-api-key/,
  gemini: /x-goog-api-key|streamGenerateContent|batchEmbedContents/,
  // Vertex's calls are the gemini chunk's; its token code is an asset beside router.mjs.
  vertex: /x-goog-api-key|streamGenerateContent|metadata-flavor|jwt-bearer/,
  mock: /chatcmpl-mock-|\(mock\) injected/,
};

const SETS: Kind[][] = [
  ["openai"],
  ["anthropic"],
  ["azure"],
  ["gemini"],
  ["bedrock"],
  ["vertex"],
  ["mock"],
  ["openai", "anthropic"],
  ["openai", "mock"],
  ["gemini", "vertex"],
];

describe("router.mjs per provider kind", () => {
  it.each(SETS.map((kinds) => [kinds.join("+"), kinds] as const))("a release with %s builds a router.mjs within 150 KB", async (name, kinds) => {
    const file = path.join(dir, name, "router.mjs");
    const { bytes } = await bundleRouter({ release: releaseWith([...kinds]), outFile: file });
    console.log(`router.mjs with ${name}: ${(bytes / 1024).toFixed(1)} KB`);
    expect(bytes).toBeLessThanOrEqual(BUDGET);
    const code = await readFile(file, "utf8");
    for (const kind of kinds) {
      const marker = CALL_MARKERS[kind];
      if (marker !== undefined) expect(marker.test(code), `${kind}'s calls compressed`).toBe(false);
    }
  });

  it.each([
    ["anthropic", "Hello from Claude"],
    ["gemini", GEMINI_TEXT],
  ] as const)("a %s router.mjs unpacks its adapter on the first call and answers a chat and a stream from plain node", async (kind, text) => {
    const run = path.join(dir, `run-${kind}`);
    await bundleRouter({ release: releaseWith([kind]), outFile: path.join(run, "router.mjs") });
    const router = await spawnRouter(["router.mjs", "--port", "0"], { cwd: run, env: { ANTHROPIC_KEY: "ant-key", GEMINI_KEY: "gemini-key" } });
    try {
      const client = new OpenAI({ baseURL: `${router.url}/v1`, apiKey: "unused", maxRetries: 0 });
      const completion = await client.chat.completions.create({ model: "chat", messages: [{ role: "user", content: "hi" }] });
      expect(completion.choices[0]?.message.content).toBe(text);
      const stream = await client.chat.completions.create({ model: "chat", messages: [{ role: "user", content: "stream" }], stream: true });
      let streamed = "";
      for await (const chunk of stream) streamed += chunk.choices[0]?.delta.content ?? "";
      expect(streamed).toBe(text);
    } finally {
      router.child.kill("SIGTERM");
      expect(await router.exited).toBe(0);
    }
  });

  it("an anthropic router.mjs carries the matched stop sequence from the adapter's chunk to the Messages asset", async () => {
    const run = path.join(dir, "run-stop-sequence");
    await bundleRouter({ release: releaseWith(["anthropic"]), outFile: path.join(run, "router.mjs") });
    const router = await spawnRouter(["router.mjs", "--port", "0"], { cwd: run, env: { ANTHROPIC_KEY: "ant-key" } });
    try {
      const client = new Anthropic({ baseURL: router.url, apiKey: "unused", maxRetries: 0 });
      const request = { model: "chat", max_tokens: 64, stop_sequences: ["from"], messages: [{ role: "user" as const, content: "hi" }] };
      expect(await client.messages.create(request)).toMatchObject({ stop_reason: "stop_sequence", stop_sequence: "from" });
      expect(await client.messages.stream(request).finalMessage()).toMatchObject({ stop_reason: "stop_sequence", stop_sequence: "from" });
    } finally {
      router.child.kill("SIGTERM");
      expect(await router.exited).toBe(0);
    }
  });
});
