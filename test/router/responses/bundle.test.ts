/** router.mjs serves `/v1/responses` from its asset beside it: the dialect's code is not in router.mjs, and its errors are the core's. */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, it } from "vitest";
import { bundleRouter } from "../../../packages/compiler/src/emit/router-bundle.ts";
import { spawnRouter } from "../../helpers/process.ts";
import { releaseOf } from "../../helpers/release.ts";

const release = releaseOf({
  environment: "dev",
  providers: { sim: { kind: "mock" } },
  models: { mocky: { provider: "sim", name: "mock-1", context: 8_000, price: { input: 1, output: 2 } } },
  routes: { chat: { model: "mocky" } },
  teams: { demo: { keys: [{ secret: "DEMO_KEY" }], routes: ["chat"] } },
});

it("serves plain and streamed Responses requests from the asset beside router.mjs, and refusals in OpenAI's shape", async () => {
  const run = await mkdtemp(path.join(tmpdir(), "switchyard-responses-"));
  try {
    const { assets } = await bundleRouter({ release, outFile: path.join(run, "router.mjs") });
    // The dialect's text is in its asset (`switchyard-responses.<hash>.mjs`), not in router.mjs.
    expect((await readFile(path.join(run, "router.mjs"), "utf8")).includes("response.output_text.delta"), "responses dialect not in router.mjs").toBe(false);
    const asset = assets.find((a) => /^switchyard-responses\.[0-9a-f]{8}\.mjs$/.test(a.file));
    expect(await readFile(path.join(run, asset?.file ?? "missing"), "utf8")).toContain("response.output_text.delta");
    const router = await spawnRouter(["router.mjs", "--port", "0"], { cwd: run, env: { DEMO_KEY: "demo-key" } });
    try {
      const post = (body: unknown) =>
        fetch(`${router.url}/v1/responses`, {
          method: "POST",
          headers: { authorization: "Bearer demo-key", "content-type": "application/json" },
          body: JSON.stringify(body),
        });
      const plain = await post({ model: "chat", input: "hello" });
      expect(plain.status).toBe(200);
      const body = (await plain.json()) as { object: string; output: Array<{ content: Array<{ text: string }> }> };
      expect(body.object).toBe("response");
      expect(body.output[0]?.content[0]?.text).toContain('you said "hello"');
      const streamed = await post({ model: "chat", input: "hello", stream: true });
      expect(streamed.headers.get("content-type")).toContain("text/event-stream");
      const text = await streamed.text();
      expect(text.startsWith("event: response.created\n")).toBe(true);
      expect(text).toContain("event: response.completed\n");
      // A RouterError made in the chunk is the core's class: 400 in OpenAI's shape, not 500.
      const refused = await post({ model: "chat", input: "x", tools: [{ type: "web_search" }] });
      expect(refused.status).toBe(400);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("unsupported_parameter");
    } finally {
      router.child.kill("SIGTERM");
      await router.exited;
    }
  } finally {
    await rm(run, { recursive: true, force: true });
  }
});
