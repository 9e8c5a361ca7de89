/** @module router.mjs's upstream client: the lean http1 transport by default (no undici, no node:http agents bundled), end to end with the official openai client. */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleRouter, routerEntrySource } from "../../packages/compiler/src/emit/router-bundle.ts";
import { type FakeOpenAi, startFakeOpenAi } from "../helpers/fake-openai.ts";
import { type RouterProcess, spawnRouter } from "../helpers/process.ts";
import { releaseOf } from "../helpers/release.ts";

let dir: string;
let upstream: FakeOpenAi;
let router: RouterProcess | undefined;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "switchyard-bundle-transport-"));
  upstream = await startFakeOpenAi();
});

afterAll(async () => {
  router?.child.kill("SIGKILL");
  await upstream.close();
  await rm(dir, { recursive: true, force: true });
});

const release = () =>
  releaseOf({
    providers: { up: { kind: "openai", baseUrl: upstream.baseUrl, apiKey: { secret: "UP_KEY" } } },
    models: { m: { provider: "up", name: "up-model", context: 8_000, price: { input: 1, output: 1 } } },
    routes: { chat: { model: "m" } },
    teams: { t: { keys: [{ secret: "TEAM_KEY" }], routes: ["chat"] } },
  });

describe("router.mjs transport", () => {
  it("the bundle entry passes no transport by default (startRouter's http1) and imports the one asked for otherwise", () => {
    const r = release();
    const plain = routerEntrySource(r);
    expect(plain).not.toMatch(/undiciTransport|nodeHttpTransport/);
    expect(plain).toMatch(/await runMain\(\{ release, adapters, validators \}\);/);
    expect(routerEntrySource(r, "node")).toContain("transport: nodeHttpTransport()");
    expect(routerEntrySource(r, "undici")).toContain("transport: undiciTransport()");
  });

  it("runs on the http1 transport from an empty folder: completions and streams through the openai client, keys sent upstream, no undici inside", async () => {
    const file = path.join(dir, "router.mjs");
    await bundleRouter({ release: release(), outFile: file });
    const code = await readFile(file, "utf8");
    expect(/llhttp|undici/i.test(code), "undici is not bundled").toBe(false);
    router = await spawnRouter([file, "--port", "0"], { cwd: dir, env: { UP_KEY: "sk-upstream", TEAM_KEY: "sk-team" } });
    const client = new OpenAI({ baseURL: `${router.url}/v1`, apiKey: "sk-team", maxRetries: 0 });
    for (let i = 0; i < 3; i++) {
      const completion = await client.chat.completions.create({ model: "chat", messages: [{ role: "user", content: `hi ${i}` }] });
      expect(completion.choices[0]?.message.content).toBe("Hello from fake");
    }
    const stream = await client.chat.completions.create({ model: "chat", messages: [{ role: "user", content: "stream" }], stream: true });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    expect(text).toBe("Hello from fake");
    expect(upstream.requests).toHaveLength(4);
    for (const r of upstream.requests) {
      expect(r.headers.authorization).toBe("Bearer sk-upstream");
      expect(r.body["model"]).toBe("up-model");
    }
    expect(upstream.requests[3]?.body["stream"]).toBe(true);
    router.child.kill("SIGTERM");
    expect(await router.exited).toBe(0);
    router = undefined;
  });
});
