/**
 * docs/providers.md's vertex example runs as written: extracted from the page, compiled like a user's routes.ts, then
 * served (its endpoint pointed at the fake Vertex AI, its identity a service account key exchanged at a fake Google
 * token endpoint) to the official openai client. The page's claim that a vertex provider without its project is a
 * TypeScript error at the literal is checked too.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compile } from "@switchyard/compiler";
import { createRelease } from "@switchyard/ir";
import { type FakeGoogleTokenEndpoint, startFakeGoogleTokenEndpoint } from "../helpers/fake-google-credentials.ts";
import { type FakeGemini, GEMINI_TEXT } from "../helpers/fake-gemini.ts";
import { FAKE_VERTEX, startFakeVertex } from "../helpers/fake-vertex.ts";
import { startTestRouter } from "../helpers/router.ts";
import { providersExample } from "../helpers/docs-example.ts";

let dir: string;
let vertex: FakeGemini;
let google: FakeGoogleTokenEndpoint;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "switchyard-vertex-docs-"));
  vertex = await startFakeVertex();
  google = await startFakeGoogleTokenEndpoint(3600);
  google.onIssue = (token) => {
    vertex.accessToken = token.accessToken;
  };
});

afterAll(async () => {
  await Promise.all([vertex.close(), google.close()]);
  await rm(dir, { recursive: true, force: true });
});

describe("docs/providers.md: the vertex example", () => {
  it("compiles, and its release answers the openai client through generateContent in the provider's project and location", async () => {
    const example = await providersExample("vertex-routes");
    const file = path.join(dir, "routes.ts");
    await writeFile(file, example);
    const result = await compile({ file });
    expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const config = result.release?.config;
    const gcp = config?.providers["gcp"];
    if (config === undefined || gcp === undefined) throw new Error("the example compiled to no provider gcp");
    expect(gcp).toMatchObject({ kind: "vertex", project: "acme-prod", region: "europe-west4" });
    expect(gcp.baseUrl).toBeUndefined();

    // The same release with its endpoint replaced, as a Private Service Connect endpoint would (the path stays).
    const release = createRelease({ ...config, providers: { ...config.providers, gcp: { ...gcp, baseUrl: vertex.baseUrl } } });
    const keyFile = path.join(dir, "key.json");
    await writeFile(keyFile, google.keyFile());
    const router = await startTestRouter(release, { env: { APP_KEY: "sk-app", GOOGLE_APPLICATION_CREDENTIALS: keyFile } });
    try {
      const client = new OpenAI({ baseURL: `${router.url}/v1`, apiKey: "sk-app", maxRetries: 0 });
      const completion = await client.chat.completions.create({ model: "assistant", messages: [{ role: "user", content: "hi" }] });
      expect(completion.choices[0]?.message.content).toBe(GEMINI_TEXT);
      expect(vertex.requests.map((r) => r.path)).toEqual([
        `/v1/projects/${FAKE_VERTEX.project}/locations/${FAKE_VERTEX.location}/publishers/google/models/gemini-2.5-flash:generateContent`,
      ]);
    } finally {
      await router.close();
    }
  });

  it("a vertex provider without its project is a TypeScript error at the literal", async () => {
    const example = await providersExample("vertex-routes");
    const without = example.replace('kind: "vertex", project: "acme-prod",', 'kind: "vertex",');
    expect(without).not.toBe(example);
    const file = path.join(dir, "no-project.ts");
    await writeFile(file, without);
    const result = await compile({ file });
    expect(result.ok).toBe(false);
    const errors = result.diagnostics.filter((d) => d.severity === "error").map((d) => ({ code: d.code, line: d.line, message: d.message }));
    expect(errors).toEqual([{ code: "TS2322", line: 7, message: expect.stringMatching(/Property 'project' is missing/) as unknown }]);
  });
});
