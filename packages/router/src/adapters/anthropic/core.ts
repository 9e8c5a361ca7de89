/** @module What the anthropic calls (calls.ts, a chunk or an asset in router.mjs) take of the router's core: one object for both the anthropic and the vertex kind. */
import { parseUpstreamError, postForStream, upstreamHttpError } from "../http-error.ts";
import { parseSse } from "../sse.ts";
import { UpstreamError, toUpstreamError, unsendable } from "../types.ts";
import type { AnthropicCore } from "./calls.ts";

export const anthropicCore: AnthropicCore = { UpstreamError, toUpstreamError, unsendable, parseSse, postForStream, upstreamHttpError, parseUpstreamError };
