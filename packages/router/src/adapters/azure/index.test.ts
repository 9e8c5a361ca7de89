import { describe, expect, it } from "vitest";
import type { Model, Provider } from "@switchyard/ir";
import type { Transport, TransportRequest } from "../types.ts";
import { AZURE_DEFAULT_API_VERSION, azureUrls, createAzureAdapter } from "./index.ts";

const model = (name: string): Model => ({ name }) as Model;

describe("azureUrls", () => {
  it("the deployments path: the model's name is the deployment, api-version defaults to the latest GA", () => {
    const urls = azureUrls({ baseUrl: "https://acme.openai.azure.com/" });
    expect(urls.chat(model("gpt-4o prod")).href).toBe(
      `https://acme.openai.azure.com/openai/deployments/gpt-4o%20prod/chat/completions?api-version=${AZURE_DEFAULT_API_VERSION}`,
    );
    expect(urls.embeddings(model("embed")).href).toBe(`https://acme.openai.azure.com/openai/deployments/embed/embeddings?api-version=2024-10-21`);
    expect(urls.chat(model("a"))).toBe(urls.chat(model("a")));
  });

  it("an explicit api-version, and a baseUrl given with /openai", () => {
    expect(azureUrls({ baseUrl: "https://acme.openai.azure.com/openai", apiVersion: "2025-04-01-preview" }).chat(model("d")).href).toBe(
      "https://acme.openai.azure.com/openai/deployments/d/chat/completions?api-version=2025-04-01-preview",
    );
  });

  it("v1: one path for every model (the body's model names the deployment)", () => {
    for (const baseUrl of ["https://acme.openai.azure.com", "https://acme.openai.azure.com/openai/v1/"]) {
      const urls = azureUrls({ baseUrl, apiVersion: "v1" });
      expect(urls.chat(model("a")).href).toBe("https://acme.openai.azure.com/openai/v1/chat/completions");
      expect(urls.embeddings(model("b")).href).toBe("https://acme.openai.azure.com/openai/v1/embeddings");
    }
  });
});

describe("createAzureAdapter", () => {
  it("sends the api-key header (never a bearer) and the deployment's URL", async () => {
    const seen: TransportRequest[] = [];
    const answer = JSON.stringify({ id: "c", object: "chat.completion", created: 1, model: "gpt-4o", choices: [] });
    const transport: Transport = {
      post: async (request) => {
        seen.push(request);
        return { status: 200, headers: {}, body: (async function* () {})(), text: async () => answer, dump: () => undefined };
      },
      close: async () => undefined,
    };
    const adapter = createAzureAdapter({
      providerId: "az",
      provider: { kind: "azure", baseUrl: "https://acme.openai.azure.com", headers: {} } as unknown as Provider,
      apiKey: "k-123",
      headers: { "x-ms-useragent": "switchyard" },
      transport,
    });
    const call = {
      body: { model: "route", messages: [{ role: "user", content: "hi" }] },
      modelId: "m",
      model: model("prod"),
      route: "route",
      requestId: "r",
      attempt: 1,
      signal: new AbortController().signal,
    };
    const result = await adapter.complete(call as never);
    expect(result.completion.model).toBe("gpt-4o");
    expect(seen[0]?.url.href).toBe("https://acme.openai.azure.com/openai/deployments/prod/chat/completions?api-version=2024-10-21");
    expect(seen[0]?.headers).toEqual({ "content-type": "application/json", "x-ms-useragent": "switchyard", "api-key": "k-123" });
    expect(JSON.parse(seen[0]?.body ?? "")).toEqual({ model: "prod", messages: [{ role: "user", content: "hi" }] });
  });
});
