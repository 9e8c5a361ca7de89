/**
 * @module The vertex adapter with Claude models (Anthropic's publisher on Vertex AI): router.mjs imports it instead of
 * index.ts's createVertexAdapter only for releases whose vertex providers have a Claude model, so only they carry the
 * anthropic chunk (its calls) and refusals.
 */
import { lazyAnthropicCalls } from "../anthropic/index.ts";
import { anthropicRefusal } from "../anthropic/translate.ts";
import type { AdapterFactory } from "../types.ts";
import { vertexAdapter } from "./index.ts";

/**
 * Create an adapter for Gemini and Claude models on Vertex AI.
 *
 * @example createVertexClaudeAdapter({ providerId: "gcp", provider: { kind: "vertex", project: "acme", region: "us-east5", … }, apiKey: undefined, headers: {}, transport, env: process.env })
 */
export const createVertexClaudeAdapter: AdapterFactory = vertexAdapter({ calls: lazyAnthropicCalls, refusal: anthropicRefusal });
