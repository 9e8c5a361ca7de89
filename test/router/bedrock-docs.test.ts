/**
 * docs/providers.md's bedrock example runs as written: extracted from the page, compiled like a user's routes.ts, then
 * served (its endpoint pointed at the faithful fake Bedrock) to the official openai client, signed for its region. The
 * page's claim that a bedrock provider without a region is a TypeScript error is checked too.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compile } from "@switchyard/compiler";
import { createRelease } from "@switchyard/ir";
import { FAKE_AWS, type FakeBedrock, startFakeBedrock } from "../helpers/fake-bedrock.ts";
import { startTestRouter } from "../helpers/router.ts";
import { providersExample } from "../helpers/docs-example.ts";

let dir: string;
let bedrock: FakeBedrock;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "switchyard-bedrock-docs-"));
  bedrock = await startFakeBedrock();
});

afterAll(async () => {
  await bedrock.close();
  await rm(dir, { recursive: true, force: true });
});

describe("docs/providers.md: the bedrock example", () => {
  it("compiles, and its release answers the openai client through Converse, signed for the provider's region", async () => {
    const example = await providersExample("bedrock-routes");
    const file = path.join(dir, "routes.ts");
    await writeFile(file, example);
    const result = await compile({ file });
    expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(result.ok).toBe(true);
    const config = result.release?.config;
    if (config === undefined) throw new Error("the example compiled to no release");
    const aws = config.providers["aws"];
    if (aws === undefined) throw new Error("the example has no provider aws");
    expect(aws).toMatchObject({ kind: "bedrock", region: FAKE_AWS.region });
    expect(aws.baseUrl).toBeUndefined();

    // The same release with its endpoint replaced, as a VPC endpoint would (the signing region stays the provider's).
    const release = createRelease({ ...config, providers: { ...config.providers, aws: { ...aws, baseUrl: bedrock.baseUrl } } });
    const router = await startTestRouter(release, {
      env: { APP_KEY: "sk-app", AWS_ACCESS_KEY_ID: FAKE_AWS.accessKeyId, AWS_SECRET_ACCESS_KEY: FAKE_AWS.secretAccessKey },
    });
    try {
      const client = new OpenAI({ baseURL: `${router.url}/v1`, apiKey: "sk-app", maxRetries: 0 });
      const completion = await client.chat.completions.create({ model: "assistant", messages: [{ role: "user", content: "hi" }] });
      expect(completion.choices[0]?.message.content).toBe("Hello from Bedrock");
      expect(bedrock.requests.map((r) => [r.operation, r.modelId])).toEqual([["converse", "us.anthropic.claude-3-5-haiku-20241022-v1:0"]]);
    } finally {
      await router.close();
    }
  });

  it("a bedrock provider without a region is a TypeScript error at the literal", async () => {
    const example = await providersExample("bedrock-routes");
    const without = example.replace('kind: "bedrock", region: "us-east-1",', 'kind: "bedrock",');
    expect(without).not.toBe(example);
    const file = path.join(dir, "no-region.ts");
    await writeFile(file, without);
    const result = await compile({ file });
    expect(result.ok).toBe(false);
    // TypeScript's own error, at the provider's literal (line 6 of the example: `aws: { kind: "bedrock", … }`).
    const errors = result.diagnostics.filter((d) => d.severity === "error").map((d) => ({ code: d.code, line: d.line, message: d.message }));
    expect(errors).toEqual([{ code: "TS2322", line: 6, message: expect.stringMatching(/Property 'region' is missing/) as unknown }]);
  });
});
