/**
 * @module The Vertex AI adapter: Gemini models on Google Cloud (`generateContent`, `streamGenerateContent?alt=sse`)
 * with the pod's Google identity instead of an API key. Vertex takes and answers the Gemini API's bodies, so the calls
 * are the gemini adapter's (its chunk, loaded at the first call, shared with gemini providers) at Vertex's URLs with a
 * bearer token; the token's code (auth.ts: a service account key or the metadata server) is an asset loaded then too.
 */
import { geminiRefusal } from "../gemini/translate.ts";
import { lazyGeminiCalls } from "../gemini/index.ts";
import { loadOnce } from "../lazy.ts";
import { type AdapterFactory, type AdapterInit, type ProviderAdapter, UpstreamError, toUpstreamError } from "../types.ts";
import type { GoogleTokenSource } from "./auth.ts";

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
export function vertexModelsUrl(provider: { project?: string | undefined; region?: string | undefined; baseUrl?: string | undefined }): string {
  const region = provider.region ?? "";
  const origin = (provider.baseUrl ?? vertexEndpoint(region)).replace(/\/+$/, "");
  return `${origin}/v1/projects/${encodeURIComponent(provider.project ?? "")}/locations/${encodeURIComponent(region)}/publishers/google/models/`;
}

/**
 * Create an adapter for Gemini models on Vertex AI in the provider's `project` and `region`. Each call carries
 * `Authorization: Bearer` with the provider's Google access token (auth.ts: from GOOGLE_APPLICATION_CREDENTIALS's key
 * file or the metadata server, cached, refreshed before it expires, dropped on a 401); a failure to get one fails the
 * call as the provider's error naming the variable or the endpoint's code, logged once while it lasts.
 *
 * @example createVertexAdapter({ providerId: "gcp", provider: { kind: "vertex", project: "acme", region: "us-central1", … }, apiKey: undefined, headers: {}, transport, env: process.env })
 */
export const createVertexAdapter: AdapterFactory = (init: AdapterInit): ProviderAdapter => {
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
  const calls = lazyGeminiCalls(init, "vertex", {
    url: (model, method) => new URL(`${models}${encodeURIComponent(model)}:${method}`),
    async headers(stream, signal) {
      const got = await token(signal);
      if (made?.token !== got) {
        const plain = { ...base, authorization: `Bearer ${got}` };
        made = { token: got, plain, stream: { ...plain, accept: "text/event-stream" } };
      }
      return stream ? made.stream : made.plain;
    },
    unauthorized: () => source?.invalidate(),
  });
  return {
    refuses: (body) => geminiRefusal(body, name, "Gemini on Vertex AI"),
    // The token code is loaded first, outside the calls' error handling: a missing asset answers as itself (asset_missing).
    async complete(call) {
      if (misplaced !== undefined) throw misplaced;
      await tokens();
      return (await calls()).complete(call);
    },
    async stream(call) {
      if (misplaced !== undefined) throw misplaced;
      await tokens();
      return (await calls()).stream(call);
    },
    async close(): Promise<void> {},
  };
};
