/** @module Every built-in adapter and transport. router.mjs imports adapters one by one instead. */
import { createAnthropicAdapter } from "./anthropic/index.ts";
import { createAzureAdapter } from "./azure/index.ts";
import { createBedrockAdapter } from "./bedrock/index.ts";
import { createGeminiAdapter } from "./gemini/index.ts";
import { createMockAdapter } from "./mock/index.ts";
import { createOpenAiAdapter } from "./openai/index.ts";
import { createVertexAdapter } from "./vertex/index.ts";
import { createVertexClaudeAdapter } from "./vertex/claude.ts";
import type { AdapterRegistry } from "./types.ts";

export {
  createAnthropicAdapter,
  createAzureAdapter,
  createBedrockAdapter,
  createGeminiAdapter,
  createMockAdapter,
  createOpenAiAdapter,
  createVertexAdapter,
  createVertexClaudeAdapter,
};
export { toAnthropicRequest, fromAnthropicResponse, AnthropicStreamTranslator } from "./anthropic/translate.ts";
export { mockCoin, mockReply } from "./mock/answer.ts";
export { parseSse, DEFAULT_MAX_SSE_LINE_BYTES, type SseEvent } from "./sse.ts";
export { upstreamLimits, DEFAULT_MAX_UPSTREAM_BYTES, MAX_UPSTREAM_BYTES_ENV, MAX_SSE_LINE_BYTES_ENV } from "./limits.ts";
export { undiciTransport } from "./transport/undici.ts";
export { nodeHttpTransport } from "./transport/node-http.ts";
export { http1Transport, type Http1TransportOptions } from "./transport/http1.ts";
export * from "./types.ts";
export { redactSecrets } from "./redact.ts";
export { upstreamErrorDetail } from "./http-error.ts";

/** All built-in adapters by provider kind. */
export const builtinAdapters: AdapterRegistry = {
  openai: createOpenAiAdapter,
  anthropic: createAnthropicAdapter,
  mock: createMockAdapter,
  azure: createAzureAdapter,
  gemini: createGeminiAdapter,
  bedrock: createBedrockAdapter,
  vertex: createVertexClaudeAdapter,
};
