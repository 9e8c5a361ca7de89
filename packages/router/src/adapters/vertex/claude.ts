/**
 * @module The vertex adapter with Claude models (Anthropic's publisher on Vertex AI): router.mjs imports it instead of
 * index.ts's createVertexAdapter only for releases whose vertex providers have a Claude model, so only they carry the
 * anthropic refusals and the anthropic adapter's calls (calls.ts: in router.mjs an asset beside it, imported by the
 * first call to a Claude model, which keeps router.mjs within its 150 KB budget beside other kinds).
 */
import { anthropicCore } from "../anthropic/core.ts";
import { anthropicRefusal } from "../anthropic/translate.ts";
import { loadOnce } from "../lazy.ts";
import type { AdapterFactory } from "../types.ts";
import { vertexAdapter } from "./index.ts";

/**
 * Create an adapter for Gemini and Claude models on Vertex AI.
 *
 * @example createVertexClaudeAdapter({ providerId: "gcp", provider: { kind: "vertex", project: "acme", region: "us-east5", … }, apiKey: undefined, headers: {}, transport, env: process.env })
 */
export const createVertexClaudeAdapter: AdapterFactory = vertexAdapter({
  calls: (init, endpoint) =>
    loadOnce(`Claude on Vertex AI of provider \`${init.providerId}\``, () =>
      import("../anthropic/calls.ts").then(({ createAnthropicCalls }) => createAnthropicCalls(init, anthropicCore, endpoint)),
    ),
  refusal: anthropicRefusal,
});
