/**
 * @module The embedded mock provider: deterministic replies, configurable latency and failure injection, no network.
 * Its answers are in answer.ts, imported on the first call: in router.mjs a compressed chunk unpacked then.
 */
import { loadOnce } from "../lazy.ts";
import { type AdapterFactory, type AdapterInit, type ProviderAdapter, UpstreamError, classifyStatus } from "../types.ts";

/**
 * Create the mock adapter (see createMockCalls in answer.ts for what it answers).
 *
 * @example createMockAdapter({ providerId: "sim", provider: { kind: "mock" }, apiKey: undefined, headers: {}, transport })
 */
export const createMockAdapter: AdapterFactory = (init: AdapterInit): ProviderAdapter => {
  const calls = loadOnce(`the mock adapter of provider \`${init.providerId}\``, () =>
    import("./answer.ts").then(({ createMockCalls }) => createMockCalls(init, { UpstreamError, classifyStatus })),
  );
  return {
    complete: async (call) => (await calls()).complete(call),
    stream: async (call) => (await calls()).stream(call),
    embed: async (call) => (await calls()).embed(call),
    async close(): Promise<void> {},
  };
};
