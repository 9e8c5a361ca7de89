/**
 * docs/providers.md's azure example runs as written (issue 22): the routes.ts block is taken from the page, its
 * resource endpoints pointed at a fake Azure OpenAI resource (and Entra ID at a fake token endpoint), compiled, and
 * served: chat over the Entra ID provider's v1 path, falling back to the api-key provider's deployments path when Entra
 * ID refuses, embeddings on the deployments path with the default api-version.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compile } from "@switchyard/compiler";
import type { RunningRouter } from "@switchyard/router";
import { type FakeAzure, type FakeEntra, startFakeAzure, startFakeEntra } from "../helpers/fake-azure.ts";
import { startTestRouter } from "../helpers/router.ts";
import { providersExample } from "../helpers/docs-example.ts";

const ENDPOINTS = ["https://acme-eastus.openai.azure.com", "https://acme-sweden.openai.azure.com"];

let scratch: string;
let entra: FakeEntra;
let azure: FakeAzure;
let router: RunningRouter;
let client: OpenAI;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), "switchyard-azure-docs-"));
  entra = await startFakeEntra({ tenantId: "contoso", clientId: "router-app", clientSecret: "entra-secret" });
  azure = await startFakeAzure({ deployments: { "gpt4o-prod": "gpt-4o-2024-11-20", "embed-small": "text-embedding-3-small" }, apiKey: "azure-key", entra });
  let source = await providersExample("azure-routes");
  for (const endpoint of ENDPOINTS) {
    expect(source, `the example names ${endpoint}`).toContain(endpoint);
    source = source.replaceAll(endpoint, azure.endpoint);
  }
  await writeFile(path.join(scratch, "routes.ts"), source);
  const result = await compile({ file: path.join(scratch, "routes.ts") });
  expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  if (result.release === undefined) throw new Error("the azure example did not compile");
  expect(result.release.config.providers).toMatchObject({
    azure: { kind: "azure", apiKey: { secret: "AZURE_OPENAI_API_KEY" } },
    azureEu: { kind: "azure", apiVersion: "v1", auth: "entra" },
  });
  router = await startTestRouter(result.release, {
    env: {
      AZURE_OPENAI_API_KEY: "azure-key",
      AZURE_TENANT_ID: "contoso",
      AZURE_CLIENT_ID: "router-app",
      AZURE_CLIENT_SECRET: "entra-secret",
      AZURE_AUTHORITY_HOST: entra.authorityHost,
    },
  });
  client = new OpenAI({ baseURL: `${router.url}/v1`, apiKey: "none", maxRetries: 0 });
});

afterAll(async () => {
  await router?.close();
  await azure?.close();
  await entra?.close();
  await rm(scratch, { recursive: true, force: true });
});

describe("docs/providers.md: the azure example", () => {
  const messages = [{ role: "user" as const, content: "hi" }];

  it("falls back to the api-key provider's deployments path while Entra ID refuses a token", async () => {
    entra.setScript(() => ({ kind: "status", status: 401 }));
    const { data, response } = await client.chat.completions.create({ model: "chat", messages }).withResponse();
    expect(data.choices[0]?.message.content).toBe("Hello from Azure");
    expect(response.headers.get("x-switchyard-model")).toBe("gpt-4o-us");
    const seen = azure.requests.at(-1);
    expect(seen?.url).toBe("/openai/deployments/gpt4o-prod/chat/completions?api-version=2024-10-21");
    expect(seen?.headers["api-key"]).toBe("azure-key");
    expect(entra.requests.at(-1)?.form.get("scope")).toBe("https://cognitiveservices.azure.com/.default");
  });

  it("chats over the Entra ID provider's v1 path, the deployment as `model`, once Entra ID grants a token", async () => {
    entra.setScript(() => ({ kind: "ok" }));
    const { data, response } = await client.chat.completions.create({ model: "chat", messages }).withResponse();
    expect(data.choices[0]?.message.content).toBe("Hello from Azure");
    expect(response.headers.get("x-switchyard-model")).toBe("gpt-4o-eu");
    const seen = azure.requests.at(-1);
    expect(seen?.url).toBe("/openai/v1/chat/completions");
    expect(seen?.body["model"]).toBe("gpt4o-prod");
    expect(seen?.headers.authorization).toMatch(/^Bearer entra-token-/);
    expect(seen?.headers["api-key"]).toBeUndefined();
  });

  it("embeds on the deployments path with the default api-version and the api-key", async () => {
    const vectors = await client.embeddings.create({ model: "search", input: ["a document", "a query"] });
    expect(vectors.data).toHaveLength(2);
    const seen = azure.requests.at(-1);
    expect(seen?.url).toBe("/openai/deployments/embed-small/embeddings?api-version=2024-10-21");
    expect(seen?.headers["api-key"]).toBe("azure-key");
  });
});
