/**
 * @module The Anthropic Messages API adapter's calls: requests, answers, tool calls, usage and streams translated. Loaded
 * by the adapter's first call (index.ts): in router.mjs a compressed chunk unpacked then. The core's error class and
 * helpers come in as `AnthropicCore` (one copy of each, for `instanceof`).
 */
import type { parseUpstreamError, postForStream, upstreamHttpError } from "../http-error.ts";
import type { parseSse } from "../sse.ts";
import type { AdapterCall, AdapterInit, CompletionResult, ProviderAdapter, StreamEvent, UpstreamError, toUpstreamError, unsendable } from "../types.ts";
import {
  type AnthropicResponse,
  type AnthropicStreamEvent,
  AnthropicStreamTranslator,
  fromAnthropicResponse,
  structuredToolName,
  toAnthropicRequest,
} from "./translate.ts";

/** What the calls use of the router's core. */
export interface AnthropicCore {
  UpstreamError: typeof UpstreamError;
  toUpstreamError: typeof toUpstreamError;
  unsendable: typeof unsendable;
  parseSse: typeof parseSse;
  postForStream: typeof postForStream;
  upstreamHttpError: typeof upstreamHttpError;
  parseUpstreamError: typeof parseUpstreamError;
}

/** Default base URL; the adapter appends `/messages` (so a custom baseUrl includes the `/v1`). */
export const ANTHROPIC_DEFAULT_BASE_URL = "https://api.anthropic.com/v1";
export const ANTHROPIC_VERSION = "2023-06-01";

/**
 * Where and how the calls reach Anthropic's Messages API: its own (`{baseUrl}/messages`, `x-api-key`,
 * `anthropic-version`), or Claude on Vertex AI (adapters/vertex: `…/publishers/anthropic/models/{model}:rawPredict`, a
 * Google bearer token, the version in the body and no `model` there).
 */
export interface AnthropicEndpoint {
  /** The URL of a call to model `model` (a stream's may differ: Vertex's `:streamRawPredict`). */
  url(model: string, stream: boolean): URL;
  /** The headers of a call (a stream's accept `text/event-stream`): fixed ones, or a token's got (and refreshed) per call. */
  headers(stream: boolean, signal: AbortSignal): Record<string, string> | Promise<Record<string, string>>;
  /** The upstream answered 401: the credential is stale (the next call gets a new one). */
  unauthorized?(): void;
  /** Set: the body's `anthropic_version`, and the body names no `model` (the URL does). */
  bodyVersion?: string;
}

/** Anthropic's own endpoint: `{baseUrl}/messages`, `x-api-key` and `anthropic-version: 2023-06-01`. */
function apiKeyEndpoint(init: AdapterInit): AnthropicEndpoint {
  const base = (init.provider.baseUrl ?? ANTHROPIC_DEFAULT_BASE_URL).replace(/\/+$/, "");
  const url = new URL(`${base}/messages`);
  const headers: Record<string, string> = { "content-type": "application/json", "anthropic-version": ANTHROPIC_VERSION, ...init.headers };
  if (init.apiKey !== undefined) headers["x-api-key"] = init.apiKey;
  const streamHeaders = { ...headers, accept: "text/event-stream" };
  return { url: () => url, headers: (stream) => (stream ? streamHeaders : headers) };
}

/** Map an Anthropic `error.type` from a stream's `error` event to a failure class (as classifyStatus maps its HTTP status). */
function streamErrorClass(type: string): UpstreamError["errorClass"] {
  if (type === "rate_limit_error") return "429";
  if (type === "invalid_request_error" || type === "request_too_large") return "4xx";
  if (type === "authentication_error" || type === "permission_error" || type === "not_found_error" || type === "billing_error") return "provider_4xx";
  return "5xx"; // overloaded_error, api_error, and any type Anthropic adds
}

/**
 * The calls of an adapter for Anthropic's Messages API (`x-api-key`, `anthropic-version: 2023-06-01`).
 *
 * @example createAnthropicCalls(init, { UpstreamError, toUpstreamError, unsendable, parseSse, postForStream, upstreamHttpError, parseUpstreamError })
 */
export function createAnthropicCalls(
  init: AdapterInit,
  core: AnthropicCore,
  endpoint: AnthropicEndpoint = apiKeyEndpoint(init),
): Pick<ProviderAdapter, "complete" | "stream"> {
  const { UpstreamError, toUpstreamError, unsendable } = core;
  const name = init.providerId;
  const version = endpoint.bodyVersion;

  /** The Messages body of `call`: on Vertex without `model` and with `anthropic_version` first. */
  const requestBody = (call: AdapterCall, stream: boolean): string => {
    try {
      const request = toAnthropicRequest(call.body, call.model, stream);
      if (version === undefined) return JSON.stringify(request);
      const { model: _model, ...rest } = request;
      return JSON.stringify({ anthropic_version: version, ...rest });
    } catch (error) {
      throw unsendable(name, error);
    }
  };
  /** The URL and headers of `call`'s request. */
  const target = async (call: AdapterCall, stream: boolean) => ({
    url: endpoint.url(call.model.name, stream),
    headers: await endpoint.headers(stream, call.signal),
  });

  return {
    async complete(call: AdapterCall): Promise<CompletionResult> {
      const body = requestBody(call, false);
      try {
        const response = await init.transport.post({ ...(await target(call, false)), body, signal: call.signal });
        if (response.status === 401) endpoint.unauthorized?.();
        if (response.status < 200 || response.status >= 300) throw await core.upstreamHttpError(response, name);
        const raw = await response.text();
        let parsed: AnthropicResponse;
        try {
          parsed = JSON.parse(raw) as AnthropicResponse;
        } catch {
          throw new UpstreamError("invalid_response", `${name}'s response is not valid JSON`);
        }
        if (typeof parsed !== "object" || parsed === null || !Array.isArray(parsed.content)) {
          throw new UpstreamError("invalid_response", `${name}'s response has no \`content\``);
        }
        const completion = fromAnthropicResponse(parsed, Math.floor(Date.now() / 1000), structuredToolName(call.body));
        return { text: JSON.stringify(completion), completion, usage: completion.usage };
      } catch (error) {
        throw toUpstreamError(error, call.signal);
      }
    },

    async stream(call: AdapterCall): Promise<AsyncIterable<StreamEvent>> {
      const body = requestBody(call, true);
      let request;
      try {
        request = { ...(await target(call, true)), body, signal: call.signal };
      } catch (error) {
        throw toUpstreamError(error, call.signal);
      }
      return events(
        core,
        await core.postForStream(init.transport, request, name, () => endpoint.unauthorized?.()),
        name,
        call.signal,
        init.transport.limits?.maxSseLineBytes,
        structuredToolName(call.body),
      );
    },
  };
}

async function* events(
  core: AnthropicCore,
  body: AsyncIterable<Uint8Array>,
  name: string,
  signal: AbortSignal,
  maxLine: number | undefined,
  structured: string | undefined,
): AsyncGenerator<StreamEvent> {
  const { UpstreamError, toUpstreamError } = core;
  const translator = new AnthropicStreamTranslator(Math.floor(Date.now() / 1000), structured);
  try {
    for await (const sse of core.parseSse(body, maxLine)) {
      if (translator.finished) continue;
      let event: AnthropicStreamEvent;
      try {
        event = JSON.parse(sse.data) as AnthropicStreamEvent;
      } catch {
        throw new UpstreamError("invalid_response", `an event from ${name} is not valid JSON`);
      }
      let chunks;
      try {
        chunks = translator.next(event);
      } catch (error) {
        const type = (error as { anthropicType?: string }).anthropicType ?? "api_error";
        const detail = core.parseUpstreamError(sse.data);
        throw new UpstreamError(streamErrorClass(type), `${name} reported ${type} mid-stream: ${(error as Error).message.slice(0, 200)}`, {
          ...(type === "overloaded_error" ? { status: 529 } : {}),
          ...(detail !== undefined ? { detail } : {}),
        });
      }
      for (const chunk of chunks) yield { chunk };
    }
  } catch (error) {
    throw toUpstreamError(error, signal);
  }
  if (!translator.finished) throw new UpstreamError("stream_interrupted", `${name}'s stream ended before message_stop`);
}
