/**
 * router.mjs and the azure kind (issue 22): a release with an azure provider bundles the azure adapter (and the
 * OpenAI-compatible code it shares) with its Entra ID sign-in as an asset beside router.mjs, a release without one
 * carries neither, router.mjs stays within 150 KB, and the bundle answers over Azure's deployments path with an api-key
 * and over the v1 path with an Entra ID token, run with plain node; without the Entra asset only Entra providers fail.
 */
import { mkdtemp, readFile, readdir, rm, unlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleRouter } from "../../packages/compiler/src/emit/router-bundle.ts";
import { type FakeAzure, type FakeEntra, startFakeAzure, startFakeEntra } from "../helpers/fake-azure.ts";
import { spawnRouter } from "../helpers/process.ts";
import { releaseOf } from "../helpers/release.ts";

/** Strings only the azure adapter holds: the deployments path and api-version; the Entra ID scope. */
const AZURE_MARKERS = /\/openai\/deployments\/|api-version=/;
const ENTRA_MARKER = "https://cognitiveservices.azure.com/.default";
const ENTRA_ASSET = /^switchyard-entra\.[0-9a-f]{8}\.mjs$/;

let dir: string;
let entra: FakeEntra;
let azure: FakeAzure;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "switchyard-bundle-azure-"));
  entra = await startFakeEntra({ tenantId: "tenant", clientId: "app", clientSecret: "entra-secret" });
  azure = await startFakeAzure({ deployments: { prod: "gpt-4o-2024-11-20" }, apiKey: "azure-key", entra });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await azure.close();
  await entra.close();
});

const withAzure = () =>
  releaseOf({
    environment: "dev",
    providers: {
      az: { kind: "azure", baseUrl: azure.endpoint, apiKey: { secret: "AZURE_OPENAI_KEY" } },
      azv1: { kind: "azure", baseUrl: azure.endpoint, apiVersion: "v1", auth: "entra" },
    },
    models: {
      gpt: { provider: "az", name: "prod", context: 128_000, price: { input: 2.5, output: 10 } },
      "gpt-v1": { provider: "azv1", name: "prod", context: 128_000, price: { input: 2.5, output: 10 } },
    },
    routes: { chat: { model: "gpt" }, "chat-v1": { model: "gpt-v1" }, "chat-v1-fallback": { model: "gpt-v1", fallback: [{ model: "gpt" }] } },
  });

const mockOnly = releaseOf({
  environment: "dev",
  providers: { sim: { kind: "mock" } },
  models: { m: { provider: "sim", name: "mock-1", context: 8_000, price: { input: 1, output: 2 } } },
  routes: { chat: { model: "m" } },
});

describe("router.mjs with the azure kind", () => {
  it("bundles the azure adapter only when the release uses it, Entra ID sign-in beside it, within 150 KB", async () => {
    const { bytes, assets } = await bundleRouter({ release: withAzure(), outFile: path.join(dir, "azure", "router.mjs") });
    const code = await readFile(path.join(dir, "azure", "router.mjs"), "utf8");
    expect(AZURE_MARKERS.test(code), "azure adapter bundled").toBe(true);
    expect(code.includes(ENTRA_MARKER), "Entra ID code not in router.mjs").toBe(false);
    const entraAsset = assets.find((asset) => ENTRA_ASSET.test(asset.file));
    expect(entraAsset?.code.includes(ENTRA_MARKER), "Entra ID code in its asset").toBe(true);
    expect(bytes).toBeLessThan(150 * 1024);

    const mock = await bundleRouter({ release: mockOnly, outFile: path.join(dir, "mock", "router.mjs") });
    const mockCode = await readFile(path.join(dir, "mock", "router.mjs"), "utf8");
    expect(AZURE_MARKERS.test(mockCode) || mockCode.includes(ENTRA_MARKER), "no azure adapter").toBe(false);
    expect(
      mock.assets.some((asset) => ENTRA_ASSET.test(asset.file)),
      "no Entra asset",
    ).toBe(false);
    console.log(`router.mjs (azure): ${(bytes / 1024).toFixed(1)} KB; Entra asset ${((entraAsset?.code.length ?? 0) / 1024).toFixed(1)} KB`);
  });

  it("answers from plain node: api-key on the deployments path, an Entra ID token on the v1 path, streamed and not", async () => {
    const run = path.join(dir, "run");
    await bundleRouter({ release: withAzure(), outFile: path.join(run, "router.mjs") });
    const router = await spawnRouter(["router.mjs", "--port", "0"], {
      cwd: run,
      env: {
        AZURE_OPENAI_KEY: "azure-key",
        AZURE_TENANT_ID: "tenant",
        AZURE_CLIENT_ID: "app",
        AZURE_CLIENT_SECRET: "entra-secret",
        AZURE_AUTHORITY_HOST: entra.authorityHost,
      },
    });
    try {
      const client = new OpenAI({ baseURL: `${router.url}/v1`, apiKey: "none", maxRetries: 0 });
      const messages = [{ role: "user" as const, content: "hi" }];
      for (const model of ["chat", "chat-v1"]) {
        const answer = await client.chat.completions.create({ model, messages });
        expect(answer.choices[0]?.message.content).toBe("Hello from Azure");
        let streamed = "";
        for await (const chunk of await client.chat.completions.create({ model, messages, stream: true })) streamed += chunk.choices[0]?.delta.content ?? "";
        expect(streamed).toBe("Hello from Azure");
      }
      expect(azure.requests.map((r) => r.url)).toEqual([
        "/openai/deployments/prod/chat/completions?api-version=2024-10-21",
        "/openai/deployments/prod/chat/completions?api-version=2024-10-21",
        "/openai/v1/chat/completions",
        "/openai/v1/chat/completions",
      ]);
      expect(azure.requests.at(-1)?.headers.authorization).toBe("Bearer entra-token-0");
      expect(entra.requests).toHaveLength(1);
    } finally {
      router.child.kill("SIGTERM");
      await router.exited;
    }
  });

  it("without the Entra asset beside it, an Entra provider fails clearly and falls back; api-key providers serve", async () => {
    const run = path.join(dir, "no-entra-asset");
    await bundleRouter({ release: withAzure(), outFile: path.join(run, "router.mjs") });
    for (const file of await readdir(run)) if (ENTRA_ASSET.test(file)) await unlink(path.join(run, file));
    const router = await spawnRouter(["router.mjs", "--port", "0"], {
      cwd: run,
      env: { AZURE_OPENAI_KEY: "azure-key", AZURE_TENANT_ID: "tenant", AZURE_CLIENT_ID: "app", AZURE_CLIENT_SECRET: "entra-secret" },
    });
    try {
      const client = new OpenAI({ baseURL: `${router.url}/v1`, apiKey: "none", maxRetries: 0 });
      const messages = [{ role: "user" as const, content: "hi" }];
      const failed = await client.chat.completions.create({ model: "chat-v1", messages }).catch((error: unknown) => error);
      expect(failed).toBeInstanceOf(OpenAI.APIError);
      expect((failed as InstanceType<typeof OpenAI.APIError>).message).toMatch(
        /azv1.*Entra ID.*switchyard-entra\.[0-9a-f]{8}\.mjs is missing beside router\.mjs/,
      );
      expect((failed as InstanceType<typeof OpenAI.APIError>).message).not.toContain("entra-secret");
      const fallback = await client.chat.completions.create({ model: "chat-v1-fallback", messages });
      expect(fallback.choices[0]?.message.content).toBe("Hello from Azure");
      expect((await client.chat.completions.create({ model: "chat", messages })).choices[0]?.message.content).toBe("Hello from Azure");
    } finally {
      router.child.kill("SIGTERM");
      await router.exited;
    }
  });
});
