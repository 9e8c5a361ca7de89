/**
 * @module router.mjs and the response cache (issue 22): the cache's code is a compressed chunk unpacked on the first
 * request to a route with a `cache`, so a release's router.mjs stays within 150 KB with or without one; from an empty
 * folder with plain node a repeated request is a hit, plain and streamed, and a route without a cache says nothing.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleRouter, unpackChunkText } from "../../packages/compiler/src/emit/router-bundle.ts";
import { type RouterProcess, spawnRouter } from "../helpers/process.ts";
import { releaseOf } from "../helpers/release.ts";

const release = releaseOf({
  environment: "dev",
  providers: { sim: { kind: "mock" } },
  models: { m: { provider: "sim", name: "mock-1", context: 8_000, price: { input: 1, output: 2 } } },
  routes: { faq: { model: "m", cache: { ttlMs: 600_000, scope: "team" } }, chat: { model: "m" } },
  teams: { demo: { keys: [{ secret: "DEMO_KEY" }], routes: ["faq", "chat"] } },
});

/** A string only the cache's own code holds (the reason a hit records as its answer's). */
const CACHE_MARKER = '"cache hit"';

let dir: string;
let code: string;
let bytes: number;
let router: RouterProcess;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "switchyard-bundle-cache-"));
  const file = path.join(dir, "router.mjs");
  bytes = (await bundleRouter({ release, outFile: file })).bytes;
  code = await readFile(file, "utf8");
  router = await spawnRouter(["router.mjs", "--port", "0"], { cwd: dir, env: { DEMO_KEY: "demo-key" } });
});

afterAll(async () => {
  router?.child.kill("SIGTERM");
  await router?.exited;
  await rm(dir, { recursive: true, force: true });
});

const post = (body: unknown) =>
  fetch(`${router.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: "Bearer demo-key", "content-type": "application/json" },
    body: JSON.stringify(body),
  });
const ask = (route: string, extra: Record<string, unknown> = {}) => ({
  model: route,
  messages: [{ role: "user", content: "opening hours?" }],
  temperature: 0,
  ...extra,
});

describe("router.mjs with a cached route", () => {
  it("stays within 150 KB and carries the cache as a compressed chunk, not as plain code", async () => {
    expect(bytes).toBeLessThan(150 * 1024);
    expect(code.includes(CACHE_MARKER), "the cache's code is not in router.mjs's plain text").toBe(false);
    const chunks = await Promise.all([...code.matchAll(/"([#-[\]-x]{1000,})",(\d+)\)/g)].map((m) => unpackChunkText(m[1] ?? "", Number(m[2]))));
    expect(chunks.filter((chunk) => chunk.includes(CACHE_MARKER) && chunk.includes("switchyard-cache.mjs"))).toHaveLength(1);
  });

  it("answers a repeated request from the cache, plain and streamed; a route without a cache says nothing", async () => {
    const first = await post(ask("faq"));
    expect(first.status).toBe(200);
    expect(first.headers.get("x-switchyard-cache")).toBe("miss");
    const answer = ((await first.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]?.message.content;

    const second = await post(ask("faq"));
    expect(second.headers.get("x-switchyard-cache")).toBe("hit");
    expect(((await second.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]?.message.content).toBe(answer);

    const streamed = await post(ask("faq", { stream: true }));
    expect(streamed.headers.get("x-switchyard-cache")).toBe("hit");
    expect(streamed.headers.get("content-type")).toContain("text/event-stream");
    const text = await streamed.text();
    const content = text
      .split("\n")
      .filter((line) => line.startsWith("data: {"))
      .map((line) => (JSON.parse(line.slice(6)) as { choices: Array<{ delta: { content?: string } }> }).choices[0]?.delta.content ?? "")
      .join("");
    expect(content).toBe(answer);
    expect(text.trimEnd().endsWith("data: [DONE]")).toBe(true);

    const plain = await post(ask("chat"));
    expect(plain.status).toBe(200);
    expect(plain.headers.get("x-switchyard-cache")).toBeNull();
  });
});
