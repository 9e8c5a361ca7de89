/** examples/embeddings compiles without problems, and the router built from it serves its chat and embedding routes. */
import path from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compile } from "@switchyard/compiler";
import type { RunningRouter } from "@switchyard/router";
import { repoRoot } from "../compiler/helpers.ts";
import { startTestRouter } from "../helpers/router.ts";

let router: RunningRouter;
let client: OpenAI;

beforeAll(async () => {
  const result = await compile({ file: path.join(repoRoot, "examples", "embeddings", "routes.ts") });
  expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  if (result.release === undefined) throw new Error("examples/embeddings did not compile");
  router = await startTestRouter(result.release, { env: { SWITCHYARD_DEMO_KEY: "demo" } });
  client = new OpenAI({ baseURL: `${router.url}/v1`, apiKey: "demo", maxRetries: 0 });
});

afterAll(async () => {
  await router?.close();
});

describe("examples/embeddings", () => {
  it("embeds on `search` (falling back past the primary's injected failures) and chats on `chat`", async () => {
    for (let i = 0; i < 8; i++) {
      const data = await client.embeddings.create({ model: "search", input: [`document ${i}`, "query"] });
      expect(data.data.map((d) => d.embedding.length)).toEqual([256, 256]);
    }
    const completion = await client.chat.completions.create({ model: "chat", messages: [{ role: "user", content: "hi" }] });
    expect(completion.choices[0]?.message.content).toContain("hi");
  });
});
