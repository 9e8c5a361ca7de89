/**
 * @module The Anthropic Messages API adapter. Its refusals, checked before any attempt, are here; its calls (request,
 * answer and stream translation) are in calls.ts, imported on the first call: in router.mjs a compressed chunk
 * unpacked then, so a release using anthropic keeps within the 150 KB budget.
 */
import { parseUpstreamError, postForStream, upstreamHttpError } from "../http-error.ts";
import { loadOnce } from "../lazy.ts";
import { parseSse } from "../sse.ts";
import { type AdapterFactory, type AdapterInit, type ProviderAdapter, UpstreamError, toUpstreamError, unsendable } from "../types.ts";
import type { AnthropicEndpoint } from "./calls.ts";
import { anthropicRefusal } from "./translate.ts";

/**
 * The Anthropic calls of provider `init.providerId`, their code (calls.ts) imported at the first call: in router.mjs the
 * anthropic chunk, which the vertex kind loads too for Claude models (with its own `endpoint`), so a release with both
 * carries it once.
 */
export function lazyAnthropicCalls(init: AdapterInit, what: string, endpoint?: AnthropicEndpoint): () => Promise<Pick<ProviderAdapter, "complete" | "stream">> {
  return loadOnce(`the ${what} adapter of provider \`${init.providerId}\``, () =>
    import("./calls.ts").then(({ createAnthropicCalls }) =>
      createAnthropicCalls(init, { UpstreamError, toUpstreamError, unsendable, parseSse, postForStream, upstreamHttpError, parseUpstreamError }, endpoint),
    ),
  );
}

/**
 * Create an adapter for Anthropic's Messages API (`x-api-key`, `anthropic-version: 2023-06-01`).
 *
 * @example createAnthropicAdapter({ providerId: "anthropic", provider, apiKey, headers: {}, transport })
 */
export const createAnthropicAdapter: AdapterFactory = (init: AdapterInit): ProviderAdapter => {
  const calls = lazyAnthropicCalls(init, "anthropic");
  return {
    refuses: (body) => anthropicRefusal(body, init.providerId),
    complete: async (call) => (await calls()).complete(call),
    stream: async (call) => (await calls()).stream(call),
    async close(): Promise<void> {},
  };
};
