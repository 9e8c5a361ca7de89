/**
 * router.mjs and the gemini kind: a release using it bundles its adapter (and it serves chat, streams and embeddings
 * from plain node against the fake Gemini API), a release not using it does not carry it. The adapter's refusals are in
 * router.mjs's core, its calls a compressed chunk unpacked by the first call; its cost is held to 12 KB here
 * (test/router/bundle-kinds.test.ts holds each kind's router.mjs to the 150 KB budget).
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleRouter } from "../../packages/compiler/src/emit/router-bundle.ts";
import { type FakeGemini, GEMINI_TEXT, startFakeGemini } from "../helpers/fake-gemini.ts";
import { spawnRouter } from "../helpers/process.ts";
import { releaseOf } from "../helpers/release.ts";

/**
 * Strings only the gemini adapter puts in router.mjs: its refusals' (its calls are a compressed chunk there, unpacked on
 * the first call; the IR's JSON Schema names the kind `gemini` itself).
 */
const MARKERS = /Google's Gemini API/;

let dir: string;
let gemini: FakeGemini;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "switchyard-bundle-gemini-"));
  gemini = await startFakeGemini();
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await gemini.close();
});

describe("router.mjs with the gemini kind", () => {
  it("bundles the gemini adapter only when the release uses it; it costs at most 12 KB", async () => {
    const withGemini = releaseOf({
      providers: { google: { kind: "gemini", baseUrl: gemini.baseUrl, apiKey: { secret: "GEMINI_KEY" } } },
      models: { flash: { provider: "google", name: "gemini-2.5-flash", context: 1_000_000, price: { input: 0.3, output: 2.5 } } },
      routes: { chat: { model: "flash" } },
    });
    const mockOnly = releaseOf({
      providers: { sim: { kind: "mock" } },
      models: { m: { provider: "sim", name: "mock-1", context: 8_000, price: { input: 0, output: 0 } } },
      routes: { chat: { model: "m" } },
    });
    const used = await bundleRouter({ release: withGemini, outFile: path.join(dir, "used", "router.mjs") });
    const unused = await bundleRouter({ release: mockOnly, outFile: path.join(dir, "unused", "router.mjs") });
    expect(MARKERS.test(await readFile(path.join(dir, "used", "router.mjs"), "utf8")), "gemini adapter bundled").toBe(true);
    expect(MARKERS.test(await readFile(path.join(dir, "unused", "router.mjs"), "utf8")), "no gemini adapter").toBe(false);
    expect(unused.bytes).toBeLessThan(150 * 1024);
    expect(used.bytes - unused.bytes).toBeLessThan(12 * 1024);
    console.log(`router.mjs with gemini: ${(used.bytes / 1024).toFixed(1)} KB (mock only: ${(unused.bytes / 1024).toFixed(1)} KB)`);
  });

  it("serves chat, a stream and embeddings over gemini from plain node", async () => {
    const run = await mkdtemp(path.join(tmpdir(), "switchyard-run-gemini-"));
    try {
      const release = releaseOf({
        providers: { google: { kind: "gemini", baseUrl: gemini.baseUrl, apiKey: { secret: "GEMINI_KEY" } } },
        models: {
          flash: { provider: "google", name: "gemini-2.5-flash", context: 1_000_000, price: { input: 0.3, output: 2.5 } },
          embed: { kind: "embedding", provider: "google", name: "gemini-embedding-001", dimensions: 4, context: 2048, price: { input: 0.15, output: 0 } },
        },
        routes: { chat: { model: "flash" }, search: { kind: "embedding", model: "embed" } },
      });
      await bundleRouter({ release, outFile: path.join(run, "router.mjs") });
      const router = await spawnRouter(["router.mjs", "--port", "0"], { cwd: run, env: { GEMINI_KEY: "gemini-key" } });
      try {
        const post = (endpoint: string, body: unknown) =>
          fetch(`${router.url}/v1/${endpoint}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
        const answer = (await (await post("chat/completions", { model: "chat", messages: [{ role: "user", content: "hi" }] })).json()) as {
          choices: Array<{ message: { content: string } }>;
        };
        expect(answer.choices[0]?.message.content).toBe(GEMINI_TEXT);
        const stream = await (await post("chat/completions", { model: "chat", stream: true, messages: [{ role: "user", content: "hi" }] })).text();
        expect(stream).toContain('"content":"Gemini"');
        expect(stream.trimEnd().endsWith("data: [DONE]")).toBe(true);
        const vectors = (await (await post("embeddings", { model: "search", input: "abc", encoding_format: "float" })).json()) as {
          data: Array<{ embedding: number[] }>;
        };
        expect(vectors.data[0]?.embedding).toEqual([3, 0.5, -0.25, 1]);
        expect(gemini.requests.map((r) => r.headers["x-goog-api-key"])).toEqual(["gemini-key", "gemini-key", "gemini-key"]);
      } finally {
        router.child.kill("SIGTERM");
        expect(await router.exited).toBe(0);
      }
    } finally {
      await rm(run, { recursive: true, force: true });
    }
  });
});
