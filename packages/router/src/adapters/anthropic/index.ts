/**
 * @module The Anthropic Messages API adapter. Its refusals, checked before any attempt, are here; its calls (request,
 * answer and stream translation) are in calls.ts, imported on the first call: in router.mjs a compressed chunk
 * unpacked then, so a release using anthropic keeps within the 150 KB budget.
 */
import { loadOnce } from "../lazy.ts";
import type { AdapterFactory, AdapterInit, ProviderAdapter } from "../types.ts";
import { anthropicCore } from "./core.ts";
import { anthropicRefusal } from "./translate.ts";

/**
 * Create an adapter for Anthropic's Messages API (`x-api-key`, `anthropic-version: 2023-06-01`).
 *
 * @example createAnthropicAdapter({ providerId: "anthropic", provider, apiKey, headers: {}, transport })
 */
export const createAnthropicAdapter: AdapterFactory = (init: AdapterInit): ProviderAdapter => {
  const calls = loadOnce(`the anthropic adapter of provider \`${init.providerId}\``, () =>
    import("./calls.ts").then(({ createAnthropicCalls }) => createAnthropicCalls(init, anthropicCore)),
  );
  return {
    refuses: (body) => anthropicRefusal(body, init.providerId),
    complete: async (call) => (await calls()).complete(call),
    stream: async (call) => (await calls()).stream(call),
    async close(): Promise<void> {},
  };
};
