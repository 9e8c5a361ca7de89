/**
 * @module The Google Gemini API adapter. Its refusals, checked before any attempt, are here; its calls (request, answer,
 * stream and embeddings translation) are in calls.ts, imported on the first call: in router.mjs a compressed chunk
 * unpacked then, so a release using gemini keeps within the 150 KB budget.
 */
import { estimateTextTokens } from "../../core/tokens.ts";
import { RouterError } from "../../errors.ts";
import { vectorToBase64 } from "../../protocol/embeddings.ts";
import { loadOnce } from "../lazy.ts";
import { parseSse } from "../sse.ts";
import {
  type AdapterFactory,
  type AdapterInit,
  type ProviderAdapter,
  UpstreamError,
  classifyStatus,
  parseRetryAfter,
  toUpstreamError,
  unsendable,
} from "../types.ts";
import type { GeminiCalls, GeminiEndpoint } from "./calls.ts";
import { geminiRefusal } from "./translate.ts";

/**
 * The Gemini calls of provider `init.providerId`, their code (calls.ts) imported at the first call: in router.mjs the
 * gemini chunk, which the vertex kind loads too (with its own `endpoint`), so a release with both carries it once.
 */
export function lazyGeminiCalls(init: AdapterInit, what: string, endpoint?: GeminiEndpoint): () => Promise<GeminiCalls> {
  return loadOnce(`the ${what} adapter of provider \`${init.providerId}\``, () =>
    import("./calls.ts").then(({ createGeminiCalls }) =>
      createGeminiCalls(
        init,
        {
          RouterError,
          UpstreamError,
          toUpstreamError,
          unsendable,
          classifyStatus,
          parseRetryAfter,
          parseSse,
          estimateTextTokens,
          vectorToBase64,
        },
        endpoint,
      ),
    ),
  );
}

/**
 * Create an adapter for Google's Gemini API with an API key (`x-goog-api-key`). The model's `name` is Gemini's model
 * id (`gemini-2.5-flash`); `baseUrl` defaults to the Gemini Developer API's `/v1beta`.
 *
 * @example createGeminiAdapter({ providerId: "gemini", provider, apiKey, headers: {}, transport })
 */
export const createGeminiAdapter: AdapterFactory = (init: AdapterInit): ProviderAdapter => {
  const calls = lazyGeminiCalls(init, "gemini");
  return {
    refuses: (body) => geminiRefusal(body, init.providerId),
    complete: async (call) => (await calls()).complete(call),
    stream: async (call) => (await calls()).stream(call),
    embed: async (call) => (await calls()).embed(call),
    async close(): Promise<void> {},
  };
};
