/**
 * router.mjs with a vertex provider: the adapter is bundled only when a release uses vertex; its calls are the gemini
 * chunk's (carried once with a gemini provider beside it), its Google token code an asset beside router.mjs, which
 * stays within 150 KB. Built, it runs from an empty folder with plain node against the fake Vertex AI and a fake
 * metadata server (GKE Workload Identity), plain and streamed, through the official openai client; without the asset,
 * a vertex call answers 503 `asset_missing` naming the file and nothing reaches Vertex. A release with a Claude model on
 * vertex (and only such a release) carries the anthropic refusals and, as an asset, the anthropic adapter's calls, still
 * within 150 KB beside an openai provider, and its built router.mjs serves that model at Anthropic's publisher
 * (rawPredict, streamRawPredict) with the metadata server's token; without that asset, the Claude model answers 503
 * `asset_missing`.
 */
import { copyFile, mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleRouter } from "../../packages/compiler/src/emit/router-bundle.ts";
import type { FakeAnthropic } from "../helpers/fake-anthropic.ts";
import { type FakeMetadataServer, startFakeMetadataServer } from "../helpers/fake-google-credentials.ts";
import { type FakeGemini, GEMINI_TEXT } from "../helpers/fake-gemini.ts";
import { FAKE_VERTEX, startFakeVertex, startFakeVertexClaude } from "../helpers/fake-vertex.ts";
import { type RouterProcess, spawnRouter } from "../helpers/process.ts";
import { releaseOf } from "../helpers/release.ts";
import type { Release } from "@switchyard/ir";

let dir: string;
let vertex: FakeGemini;
let claude: FakeAnthropic;
let metadata: FakeMetadataServer;
let router: RouterProcess | undefined;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "switchyard-bundle-vertex-"));
  vertex = await startFakeVertex();
  claude = await startFakeVertexClaude();
  metadata = await startFakeMetadataServer(3600);
  metadata.onIssue = (token) => {
    vertex.accessToken = token.accessToken;
    claude.accessToken = token.accessToken;
  };
});

afterAll(async () => {
  router?.child.kill("SIGKILL");
  await Promise.all([vertex.close(), claude.close(), metadata.close()]);
  await rm(dir, { recursive: true, force: true });
});

const withVertex = (gemini = false) =>
  releaseOf({
    providers: {
      gcp: { kind: "vertex", project: FAKE_VERTEX.project, region: FAKE_VERTEX.location, baseUrl: vertex.baseUrl },
      ...(gemini ? { studio: { kind: "gemini", apiKey: { secret: "GEMINI_KEY" } } } : {}),
    },
    models: {
      flash: { provider: "gcp", name: "gemini-2.5-flash", context: 1_048_576, price: { input: 0.3, output: 2.5 } },
      ...(gemini ? { studioFlash: { provider: "studio", name: "gemini-2.5-flash", context: 1_048_576, price: { input: 0.3, output: 2.5 } } } : {}),
    },
    routes: { chat: { model: "flash" } },
  });

const withoutVertex = releaseOf({
  providers: { studio: { kind: "gemini", apiKey: { secret: "GEMINI_KEY" } } },
  models: { flash: { provider: "studio", name: "gemini-2.5-flash", context: 1_048_576, price: { input: 0.3, output: 2.5 } } },
  routes: { chat: { model: "flash" } },
});

/** A vertex provider (at the fake Claude on Vertex) with a Gemini and a Claude model. */
const withClaude = (openai = false) =>
  releaseOf({
    providers: {
      gcp: { kind: "vertex", project: FAKE_VERTEX.project, region: FAKE_VERTEX.location, baseUrl: claude.baseUrl },
      ...(openai ? { openai: { kind: "openai", apiKey: { secret: "OPENAI_KEY" } } } : {}),
    },
    models: {
      flash: { provider: "gcp", name: "gemini-2.5-flash", context: 1_048_576, price: { input: 0.3, output: 2.5 } },
      sonnet: { provider: "gcp", name: "claude-sonnet-4-5@20250929", context: 200_000, price: { input: 3, output: 15 } },
    },
    routes: { chat: { model: "sonnet" } },
  });

const claudeAsset = /^switchyard-vertex-claude\.[0-9a-f]{8}\.mjs$/;

/** The anthropic refusals' API name: in router.mjs only with the anthropic adapter or Claude on vertex (claude.ts). */
const anthropicMarker = "Anthropic's Messages API";

/** The adapter's part in router.mjs itself: its refusals, checked before any attempt. */
const refusalMarker = "Gemini on Vertex AI";
/** Strings only the token code brings: the metadata server's header and the jwt-bearer grant. */
const authMarkers = (code: string) => ({ metadata: code.includes("metadata-flavor"), jwt: code.includes("grant-type:jwt-bearer") });
const authAsset = /^switchyard-vertex-auth\.[0-9a-f]{8}\.mjs$/;

describe("router.mjs with vertex", () => {
  it("carries the vertex adapter only for a release that uses it, its token code as an asset beside it, within 150 KB", async () => {
    const file = path.join(dir, "with", "router.mjs");
    const { bytes, assets } = await bundleRouter({ release: withVertex(), outFile: file });
    expect(bytes).toBeLessThanOrEqual(150 * 1024);
    const code = await readFile(file, "utf8");
    expect(code.includes(refusalMarker)).toBe(true);
    expect(authMarkers(code)).toEqual({ metadata: false, jwt: false });
    const asset = assets.find((a) => authAsset.test(a.file));
    expect(authMarkers(asset?.code ?? "")).toEqual({ metadata: true, jwt: true });

    const other = path.join(dir, "without", "router.mjs");
    const without = await bundleRouter({ release: withoutVertex, outFile: other });
    expect((await readFile(other, "utf8")).includes(refusalMarker)).toBe(false);
    expect(without.assets.map((a) => a.file).filter((name) => name.includes("vertex"))).toEqual([]);

    // With a gemini provider beside it, the gemini calls are carried once: vertex adds only its own few KB.
    const both = await bundleRouter({ release: withVertex(true), outFile: path.join(dir, "both", "router.mjs") });
    expect(both.bytes - without.bytes).toBeLessThan(4 * 1024);
    console.log(
      `router.mjs with vertex: ${(bytes / 1024).toFixed(1)} KB + ${asset?.file} ${((asset?.code.length ?? 0) / 1024).toFixed(1)} KB (gemini only: ${(without.bytes / 1024).toFixed(1)} KB, both: ${(both.bytes / 1024).toFixed(1)} KB)`,
    );
  });

  it("runs from an empty folder with plain node: the metadata server's token, generateContent and a stream through the openai client", async () => {
    const run = path.join(dir, "run");
    await bundleRouter({ release: withVertex(), outFile: path.join(run, "router.mjs") });
    router = await spawnRouter(["router.mjs", "--port", "0"], { cwd: run, env: { GCE_METADATA_HOST: metadata.host } });
    const client = new OpenAI({ baseURL: `${router.url}/v1`, apiKey: "unused", maxRetries: 0 });
    const completion = await client.chat.completions.create({ model: "chat", messages: [{ role: "user", content: "hi" }] });
    expect(completion.choices[0]?.message.content).toBe(GEMINI_TEXT);
    const stream = await client.chat.completions.create({ model: "chat", messages: [{ role: "user", content: "stream" }], stream: true });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    expect(text).toBe(GEMINI_TEXT);
    const models = `/v1/projects/${FAKE_VERTEX.project}/locations/${FAKE_VERTEX.location}/publishers/google/models/gemini-2.5-flash`;
    expect(vertex.requests.map((r) => [r.path, r.headers.authorization])).toEqual([
      [`${models}:generateContent`, `Bearer ${metadata.issued[0]?.accessToken}`],
      [`${models}:streamGenerateContent?alt=sse`, `Bearer ${metadata.issued[0]?.accessToken}`],
    ]);
    expect(metadata.requests).toEqual([{ path: "/computeMetadata/v1/instance/service-accounts/default/token", flavor: "Google" }]);
    router.child.kill("SIGTERM");
    expect(await router.exited).toBe(0);
    router = undefined;
  });

  it("without its asset beside router.mjs, a vertex call answers 503 asset_missing naming the file, and nothing reaches Vertex", async () => {
    await expectAssetMissing("alone", withVertex(), authAsset, vertex);
  });

  it("carries the anthropic calls only for a release with a Claude model on vertex, within 150 KB, and serves it at Anthropic's publisher", async () => {
    const gemini = await bundleRouter({ release: withVertex(), outFile: path.join(dir, "gemini-only", "router.mjs") });
    expect((await readFile(path.join(dir, "gemini-only", "router.mjs"), "utf8")).includes(anthropicMarker)).toBe(false);
    expect(gemini.assets.some((a) => claudeAsset.test(a.file))).toBe(false);
    const run = path.join(dir, "claude");
    const { bytes, assets } = await bundleRouter({ release: withClaude(), outFile: path.join(run, "router.mjs") });
    expect(bytes).toBeLessThanOrEqual(150 * 1024);
    expect((await readFile(path.join(run, "router.mjs"), "utf8")).includes(anthropicMarker)).toBe(true);
    // The calls are an asset (Anthropic's stream events are its text); router.mjs adds the refusals only.
    expect(assets.find((a) => claudeAsset.test(a.file))?.code).toContain("message_stop");
    expect(bytes - gemini.bytes).toBeLessThan(5 * 1024);
    // Beside an openai provider too, router.mjs keeps within its budget.
    const withOpenAi = await bundleRouter({ release: withClaude(true), outFile: path.join(dir, "claude-openai", "router.mjs") });
    expect(withOpenAi.bytes).toBeLessThanOrEqual(150 * 1024);
    console.log(
      `router.mjs with Claude on vertex: ${(bytes / 1024).toFixed(1)} KB (gemini only: ${(gemini.bytes / 1024).toFixed(1)} KB, with openai: ${(withOpenAi.bytes / 1024).toFixed(1)} KB)`,
    );

    router = await spawnRouter(["router.mjs", "--port", "0"], { cwd: run, env: { GCE_METADATA_HOST: metadata.host } });
    const client = new OpenAI({ baseURL: `${router.url}/v1`, apiKey: "unused", maxRetries: 0 });
    const completion = await client.chat.completions.create({ model: "chat", messages: [{ role: "user", content: "hi" }], max_tokens: 32 });
    expect(completion.choices[0]?.message.content).toBe("Hello from Claude");
    const stream = await client.chat.completions.create({ model: "chat", messages: [{ role: "user", content: "stream" }], stream: true });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    expect(text).toBe("Hello from Claude");
    const model = `/v1/projects/${FAKE_VERTEX.project}/locations/${FAKE_VERTEX.location}/publishers/anthropic/models/claude-sonnet-4-5%4020250929`;
    expect(claude.requests.map((r) => [r.path, r.headers.authorization, r.body["anthropic_version"], "model" in r.body])).toEqual([
      [`${model}:rawPredict`, `Bearer ${metadata.issued.at(-1)?.accessToken}`, "vertex-2023-10-16", false],
      [`${model}:streamRawPredict`, `Bearer ${metadata.issued.at(-1)?.accessToken}`, "vertex-2023-10-16", false],
    ]);
    router.child.kill("SIGTERM");
    expect(await router.exited).toBe(0);
    router = undefined;
  });

  it("without the Claude asset, a call to the Claude model answers 503 asset_missing naming it, and nothing reaches Vertex", async () => {
    await expectAssetMissing("claude-alone", withClaude(), claudeAsset, claude);
  });
});

/**
 * Build `release`, run its router.mjs from folder `name` with every asset but the one `missing` matches, and check that
 * a chat call answers 503 asset_missing naming that file and reaches no upstream (`upstream`'s requests unchanged).
 */
async function expectAssetMissing(name: string, release: Release, missing: RegExp, upstream: { requests: unknown[] }): Promise<void> {
  const built = path.join(dir, `${name}-build`);
  const run = path.join(dir, name);
  const { assets } = await bundleRouter({ release, outFile: path.join(built, "router.mjs") });
  await mkdir(run, { recursive: true });
  const kept = assets.map((a) => a.file).filter((file) => !missing.test(file));
  for (const file of ["router.mjs", ...kept]) await copyFile(path.join(built, file), path.join(run, file));
  const asset = assets.find((a) => missing.test(a.file))?.file ?? "none";
  const before = upstream.requests.length;
  router = await spawnRouter(["router.mjs", "--port", "0"], { cwd: run, env: { GCE_METADATA_HOST: metadata.host } });
  const answer = await fetch(`${router.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "chat", messages: [{ role: "user", content: "hi" }] }),
  });
  expect(answer.status).toBe(503);
  const { error } = (await answer.json()) as { error: { code: string; message: string } };
  expect(error.code).toBe("asset_missing");
  expect(error.message).toContain(asset);
  expect(upstream.requests.length).toBe(before);
  router.child.kill("SIGTERM");
  expect(await router.exited).toBe(0);
  router = undefined;
}
