/**
 * @module The Vertex AI adapter: Gemini models on Google Cloud (`generateContent`, `streamGenerateContent?alt=sse`)
 * with the pod's Google identity instead of an API key. Vertex takes and answers the Gemini API's bodies, so the calls
 * are the gemini adapter's (its chunk, loaded at the first call, shared with gemini providers) at Vertex's URLs with a
 * bearer token; the token's code (auth.ts: a service account key or the metadata server) is an asset loaded then too.
 * Claude models (a `name` starting `claude-`) are Anthropic's publisher's (`rawPredict`, `streamRawPredict`): the
 * anthropic adapter's calls with the same token, given by claude.ts to the builds of releases that have such a model.
 */
import type { Model } from "@switchyard/ir";
import type { RouterError } from "../../errors.ts";
import type { ChatBody } from "../../protocol/chat.ts";
import type { AnthropicEndpoint } from "../anthropic/calls.ts";
import { geminiRefusal } from "../gemini/translate.ts";
import { lazyGeminiCalls } from "../gemini/index.ts";
import { loadOnce } from "../lazy.ts";
import { type AdapterFactory, type AdapterInit, type ProviderAdapter, UpstreamError, toUpstreamError } from "../types.ts";
import type { GoogleTokenSource } from "./auth.ts";

/** The `anthropic_version` Claude on Vertex AI takes in the body (instead of the `anthropic-version` header). */
export const VERTEX_ANTHROPIC_VERSION = "vertex-2023-10-16";

/**
 * Whether a vertex model is Anthropic's (publishers/anthropic) rather than Google's: its `name` starts `claude-`.
 *
 * @example isVertexClaude("claude-sonnet-4-5@20250929") // → true
 */
export function isVertexClaude(name: string): boolean {
  return name.startsWith("claude-");
}

/** What a vertex adapter needs to serve Claude models: the anthropic adapter's lazy calls and its refusals (claude.ts). */
export interface VertexClaude {
  calls(init: AdapterInit, endpoint: AnthropicEndpoint): () => Promise<Pick<ProviderAdapter, "complete" | "stream">>;
  refusal(body: ChatBody, provider: string, api: string): RouterError | undefined;
}

/**
 * The origin of Vertex AI's endpoint in `location`: `https://{location}-aiplatform.googleapis.com`, or
 * `https://aiplatform.googleapis.com` for the `global` location.
 *
 * @example vertexEndpoint("europe-west4") // → "https://europe-west4-aiplatform.googleapis.com"
 */
export function vertexEndpoint(location: string): string {
  return location === "global" ? "https://aiplatform.googleapis.com" : `https://${location}-aiplatform.googleapis.com`;
}

/**
 * Where a vertex provider's model methods are: `{origin}/v1/projects/{project}/locations/{region}/publishers/google/models/`,
 * the origin `baseUrl` when set (a Private Service Connect endpoint, or a fake in tests), else vertexEndpoint(region).
 *
 * @example vertexModelsUrl({ project: "acme", region: "us-central1" }) // → "https://us-central1-aiplatform.googleapis.com/v1/projects/acme/locations/us-central1/publishers/google/models/"
 */
export function vertexModelsUrl(
  provider: { project?: string | undefined; region?: string | undefined; baseUrl?: string | undefined },
  publisher = "google",
): string {
  const region = provider.region ?? "";
  const origin = (provider.baseUrl ?? vertexEndpoint(region)).replace(/\/+$/, "");
  return `${origin}/v1/projects/${encodeURIComponent(provider.project ?? "")}/locations/${encodeURIComponent(region)}/publishers/${publisher}/models/`;
}

/**
 * The factory of adapters for models on Vertex AI in the provider's `project` and `region`: Gemini models, and Claude
 * models when `claude` is given. Each call carries `Authorization: Bearer` with the provider's Google access token
 * (auth.ts: from GOOGLE_APPLICATION_CREDENTIALS's key file or the metadata server, cached, refreshed before it expires,
 * dropped on a 401); a failure to get one fails the call as the provider's error naming the variable or the endpoint's
 * code, logged once while it lasts.
 *
 * @example vertexAdapter()({ providerId: "gcp", provider: { kind: "vertex", project: "acme", region: "us-central1", … }, apiKey: undefined, headers: {}, transport, env: process.env })
 */
export function vertexAdapter(claude?: VertexClaude): AdapterFactory {
  return (init) => vertexProvider(init, claude);
}

/** The adapter of vertex provider `init.providerId` (vertexAdapter). */
function vertexProvider(init: AdapterInit, claude: VertexClaude | undefined): ProviderAdapter {
  const name = init.providerId;
  // The compiler and the upload check refuse such a release; one that got here anyway never names another host.
  const region = init.provider.region ?? "";
  const misplaced = /^[a-z][a-z0-9-]{0,62}$/.test(region)
    ? undefined
    : new UpstreamError("provider_4xx", `provider \`${name}\` (vertex): region "${region.slice(0, 64)}" is not a Google Cloud location (us-central1, global)`);
  let source: GoogleTokenSource | undefined;
  const tokens = loadOnce<GoogleTokenSource>(`Google credentials support of provider \`${name}\``, () =>
    import("./auth.ts").then(({ googleTokenSource }) => (source = googleTokenSource({ UpstreamError, toUpstreamError }, name, init.env ?? {}, init.transport))),
  );
  // The token failure last logged: the same one is not logged again until a token is had again.
  let reported: string | undefined;
  const token = async (signal: AbortSignal): Promise<string> => {
    try {
      const got = await (await tokens()).get(signal);
      reported = undefined;
      return got;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof UpstreamError && !signal.aborted && message !== reported) {
        reported = message;
        process.stderr.write(`switchyard router: ${message}\n`);
      }
      throw error;
    }
  };
  const models = vertexModelsUrl(init.provider);
  const base: Record<string, string> = { "content-type": "application/json", ...init.headers };
  // The headers of the token last used, made again only when the token changes.
  let made: { token: string; plain: Record<string, string>; stream: Record<string, string> } | undefined;
  // The bearer headers, shared by both publishers' calls.
  const endpoint = {
    async headers(stream: boolean, signal: AbortSignal): Promise<Record<string, string>> {
      const got = await token(signal);
      if (made?.token !== got) {
        const plain = { ...base, authorization: `Bearer ${got}` };
        made = { token: got, plain, stream: { ...plain, accept: "text/event-stream" } };
      }
      return stream ? made.stream : made.plain;
    },
    unauthorized: () => source?.invalidate(),
  };
  const calls = lazyGeminiCalls(init, "vertex", { url: (model, method) => new URL(`${models}${encodeURIComponent(model)}:${method}`), ...endpoint });
  // Claude models: Anthropic's publisher, the Messages body without `model` and with `anthropic_version`, the same token.
  const publisher = vertexModelsUrl(init.provider, "anthropic");
  const claudeCalls = claude?.calls(init, {
    url: (model, stream) => new URL(`${publisher}${encodeURIComponent(model)}:${stream ? "streamRawPredict" : "rawPredict"}`),
    headers: endpoint.headers,
    unauthorized: endpoint.unauthorized,
    bodyVersion: VERTEX_ANTHROPIC_VERSION,
  });
  /** The calls serving `model`, once the token code is loaded (outside the calls' error handling: a missing asset answers as itself, asset_missing). */
  const callsOf = async (model: Model): Promise<Pick<ProviderAdapter, "complete" | "stream">> => {
    if (misplaced !== undefined) throw misplaced;
    if (isVertexClaude(model.name) && claudeCalls === undefined) {
      throw new UpstreamError(
        "provider_4xx",
        `provider \`${name}\` (vertex): this router build does not carry Claude on Vertex AI (model ${model.name}): build router.mjs from a release that has it`,
      );
    }
    await tokens();
    return isVertexClaude(model.name) && claudeCalls !== undefined ? claudeCalls() : calls();
  };
  return {
    refuses: (body, model) =>
      claude !== undefined && isVertexClaude(model.name) ? claude.refusal(body, name, "Claude on Vertex AI") : geminiRefusal(body, name, "Gemini on Vertex AI"),
    complete: async (call) => (await callsOf(call.model)).complete(call),
    stream: async (call) => (await callsOf(call.model)).stream(call),
    async close(): Promise<void> {},
  };
}

/**
 * Create an adapter for Gemini models on Vertex AI (router.mjs of a release without Claude models on Vertex; claude.ts
 * serves both).
 *
 * @example createVertexAdapter({ providerId: "gcp", provider: { kind: "vertex", project: "acme", region: "us-central1", … }, apiKey: undefined, headers: {}, transport, env: process.env })
 */
export const createVertexAdapter: AdapterFactory = vertexAdapter();
