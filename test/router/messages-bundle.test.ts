/**
 * router.mjs serves `/v1/messages` from its asset beside it: the dialect's code is not in router.mjs but in
 * `switchyard-messages.<hash>.mjs`, the first request imports it, and a RouterError thrown inside it is the core's class
 * (a 400 in Anthropic's shape, not a 500).
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import Anthropic, { type APIError } from "@anthropic-ai/sdk";
import { describe, expect, it } from "vitest";
import { bundleRouter } from "../../packages/compiler/src/emit/router-bundle.ts";
import { spawnRouter } from "../helpers/process.ts";
import { releaseOf } from "../helpers/release.ts";

const release = releaseOf({
  environment: "dev",
  providers: { sim: { kind: "mock" } },
  models: { m: { provider: "sim", name: "mock-1", context: 8_000, price: { input: 1, output: 2 } } },
  routes: { chat: { model: "m" } },
  teams: { demo: { keys: [{ secret: "DEMO_KEY" }], routes: ["chat"] } },
});

describe("router.mjs and the Messages asset", () => {
  it("answers the Anthropic SDK from the asset beside router.mjs, errors in Anthropic's shape", async () => {
    const run = await mkdtemp(path.join(tmpdir(), "switchyard-messages-"));
    try {
      const { bytes, assets } = await bundleRouter({ release, outFile: path.join(run, "router.mjs") });
      const asset = assets.find((a) => /^switchyard-messages\.[0-9a-f]{8}\.mjs$/.test(a.file));
      console.log(`router.mjs (mock only): ${bytes} bytes; the Messages asset: ${Buffer.byteLength(asset?.code ?? "")} bytes`);
      const code = await readFile(path.join(run, "router.mjs"), "utf8");
      expect(code.includes("is not supported: the router's internal request"), "dialect not in router.mjs").toBe(false);
      expect(await readFile(path.join(run, asset?.file ?? "missing"), "utf8")).toContain("is not supported: the router's internal request");
      const router = await spawnRouter(["router.mjs", "--port", "0"], { cwd: run, env: { DEMO_KEY: "demo-key" } });
      try {
        const client = new Anthropic({ baseURL: router.url, apiKey: "demo-key", maxRetries: 0 });
        const message = await client.messages.create({ model: "chat", max_tokens: 32, messages: [{ role: "user", content: "Say hello" }] });
        expect(message.content[0]).toEqual({ type: "text", text: 'Mock reply from m on route chat: you said "Say hello".' });
        const streamed = await client.messages.stream({ model: "chat", max_tokens: 32, messages: [{ role: "user", content: "Again" }] }).finalText();
        expect(streamed).toBe('Mock reply from m on route chat: you said "Again".');
        expect((await client.messages.countTokens({ model: "chat", messages: [{ role: "user", content: "Hi" }] })).input_tokens).toBeGreaterThan(0);
        const refused = await client.messages
          .create({ model: "chat", max_tokens: 32, messages: [{ role: "user", content: "x" }], top_k: 3 } as never)
          .catch((e: unknown) => e);
        expect(refused).toBeInstanceOf(Anthropic.BadRequestError);
        expect((refused as APIError).error).toMatchObject({
          type: "error",
          error: { type: "invalid_request_error", details: { error_code: "invalid_request" } },
        });
      } finally {
        router.child.kill("SIGTERM");
        await router.exited;
      }
    } finally {
      await rm(run, { recursive: true, force: true });
    }
  });
});
