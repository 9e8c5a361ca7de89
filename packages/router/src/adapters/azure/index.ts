/**
 * @module The Azure OpenAI adapter: OpenAI's wire format (the openai adapter's code, openAiCompatibleAdapter) sent to a
 * deployment's URL with `api-version`, or to the v1 path, authenticated by an `api-key` header or a Microsoft Entra ID
 * token (entra.ts).
 */
import type { Model, Provider } from "@switchyard/ir";
import { openAiCompatibleAdapter } from "../openai/index.ts";
import { type AdapterFactory, type AdapterInit, type ProviderAdapter, type Transport, UpstreamError, toUpstreamError } from "../types.ts";
import type { EntraTokenSource } from "./entra.ts";

/** The api-version sent when the provider sets none: the latest GA of Azure OpenAI's data-plane inference API. */
export const AZURE_DEFAULT_API_VERSION = "2024-10-21";

/** The `POST` targets of one azure provider, by operation and model. */
export interface AzureUrls {
  chat(model: Model): URL;
  embeddings(model: Model): URL;
}

/**
 * Where an azure provider's requests go. `baseUrl` is the resource endpoint (`https://acme.openai.azure.com`; a trailing
 * `/openai` or `/openai/v1` is tolerated). With `apiVersion: "v1"` every model shares `{baseUrl}/openai/v1/…` and the
 * body's `model` names the deployment; otherwise each model's `name` is its deployment:
 * `{baseUrl}/openai/deployments/{name}/…?api-version={apiVersion}`.
 *
 * @example azureUrls({ kind: "azure", baseUrl: "https://acme.openai.azure.com" } as Provider).chat({ name: "gpt4o" } as Model).href
 * // → "https://acme.openai.azure.com/openai/deployments/gpt4o/chat/completions?api-version=2024-10-21"
 */
export function azureUrls(provider: Pick<Provider, "baseUrl" | "apiVersion">): AzureUrls {
  const endpoint = (provider.baseUrl ?? "").replace(/\/+$/, "").replace(/\/openai(\/v1)?$/, "");
  if (provider.apiVersion === "v1") {
    const chat = new URL(`${endpoint}/openai/v1/chat/completions`);
    const embeddings = new URL(`${endpoint}/openai/v1/embeddings`);
    return { chat: () => chat, embeddings: () => embeddings };
  }
  const query = `?api-version=${encodeURIComponent(provider.apiVersion ?? AZURE_DEFAULT_API_VERSION)}`;
  // One URL per deployment and operation, made at its first call.
  const made = new Map<string, URL>();
  const at = (model: Model, operation: string): URL => {
    const key = `${operation}\n${model.name}`;
    let url = made.get(key);
    if (url === undefined) {
      url = new URL(`${endpoint}/openai/deployments/${encodeURIComponent(model.name)}/${operation}${query}`);
      made.set(key, url);
    }
    return url;
  };
  return { chat: (model) => at(model, "chat/completions"), embeddings: (model) => at(model, "embeddings") };
}

/**
 * The provider's Entra ID token source, its code (entra.ts) imported at the first token request: in router.mjs an asset
 * beside it (ENTRA_CHUNK in packages/compiler/src/emit/router-bundle.ts), so releases authenticating with api keys only
 * do not carry it in the 150 KB budget. An asset that cannot be loaded fails the call as the deployment's fault
 * (`provider_4xx`: fallback applies) and is tried again on the next call.
 */
function lazyEntraTokenSource(init: Pick<AdapterInit, "providerId" | "provider" | "env" | "transport">): EntraTokenSource {
  let loading: Promise<EntraTokenSource> | undefined;
  let loaded: EntraTokenSource | undefined;
  const load = (): Promise<EntraTokenSource> =>
    (loading ??= import("./entra.ts").then(
      (m) =>
        (loaded = m.entraTokenSource({ UpstreamError, toUpstreamError }, init.providerId, init.env ?? {}, init.transport, {
          scope: m.entraScope(init.provider.baseUrl),
        })),
      (error: unknown) => {
        loading = undefined;
        throw new UpstreamError(
          "provider_4xx",
          `provider \`${init.providerId}\`: cannot load Microsoft Entra ID support: ${error instanceof Error ? error.message : String(error)}`,
        );
      },
    ));
  return {
    get: async (signal) => (loaded ?? (await load())).get(signal),
    invalidate: () => loaded?.invalidate(),
  };
}

/**
 * Create an adapter for an Azure OpenAI resource. With `auth: "entra"` each call carries `Authorization: Bearer` with the
 * provider's Entra ID token (fetched from the AZURE_* variables, cached, refreshed before expiry, dropped on a 401);
 * otherwise the `api-key` header from `apiKey`.
 *
 * @example createAzureAdapter({ providerId: "azure", provider: { kind: "azure", baseUrl, apiKey }, apiKey, headers: {}, transport })
 */
export const createAzureAdapter: AdapterFactory = (init: AdapterInit): ProviderAdapter => {
  const urls = azureUrls(init.provider);
  const base: Record<string, string> = { "content-type": "application/json", ...init.headers };
  const withStream = (headers: Record<string, string>) => ({ ...headers, accept: "text/event-stream" });
  if (init.provider.auth !== "entra") {
    if (init.apiKey !== undefined) base["api-key"] = init.apiKey;
    const streamHeaders = withStream(base);
    return openAiCompatibleAdapter(init.providerId, init.transport, {
      chatUrl: urls.chat,
      embeddingsUrl: urls.embeddings,
      headers: (stream) => (stream ? streamHeaders : base),
    });
  }
  const tokens = lazyEntraTokenSource(init);
  // The headers of the token last used, made again only when the token changes.
  let made: { token: string; headers: Record<string, string>; stream: Record<string, string> } | undefined;
  return openAiCompatibleAdapter(init.providerId, init.transport, {
    chatUrl: urls.chat,
    embeddingsUrl: urls.embeddings,
    async headers(stream, signal) {
      const token = await tokens.get(signal);
      if (made?.token !== token) {
        const headers = { ...base, authorization: `Bearer ${token}` };
        made = { token, headers, stream: withStream(headers) };
      }
      return stream ? made.stream : made.headers;
    },
    unauthorized: () => tokens.invalidate(),
  });
};
