/**
 * @module The Google Gemini API adapter's calls (`generateContent`, `streamGenerateContent?alt=sse`,
 * `batchEmbedContents`, `x-goog-api-key`): requests, answers, streams, embeddings and Google's errors translated.
 * Loaded by the adapter's first call (index.ts): in router.mjs a compressed chunk unpacked then. The core's classes and
 * helpers come in as `GeminiCore` (one copy of each, for `instanceof`). Vertex AI serves the same bodies at its own URLs
 * with a Google OAuth2 token (adapters/vertex): it passes a `GeminiEndpoint` instead of the API key's.
 */
import type { RouterError } from "../../errors.ts";
import type { estimateTextTokens } from "../../core/tokens.ts";
import type { EmbeddingsResponse, vectorToBase64 } from "../../protocol/embeddings.ts";
import type { parseSse } from "../sse.ts";
import type {
  AdapterCall,
  AdapterInit,
  CompletionResult,
  EmbedCall,
  ProviderAdapter,
  StreamEvent,
  TransportResponse,
  UpstreamError,
  classifyStatus,
  parseRetryAfter,
  toUpstreamError,
  unsendable,
} from "../types.ts";
import {
  type GeminiResponse,
  type GoogleError,
  GeminiStreamTranslator,
  failedFinish,
  fromGeminiResponse,
  readGoogleError,
  toGeminiEmbedRequest,
  toGeminiRequest,
} from "./translate.ts";

/** What the calls use of the router's core. */
export interface GeminiCore {
  RouterError: typeof RouterError;
  UpstreamError: typeof UpstreamError;
  toUpstreamError: typeof toUpstreamError;
  unsendable: typeof unsendable;
  classifyStatus: typeof classifyStatus;
  parseRetryAfter: typeof parseRetryAfter;
  parseSse: typeof parseSse;
  estimateTextTokens: typeof estimateTextTokens;
  vectorToBase64: typeof vectorToBase64;
}

/** Default base URL (the Gemini Developer API); the adapter appends `/models/{name}:generateContent`. */
export const GEMINI_DEFAULT_BASE_URL = "https://generativelanguage.googleapis.com/v1beta";

/** A Gemini provider's calls. */
export type GeminiCalls = Required<Pick<ProviderAdapter, "complete" | "stream" | "embed">>;

/** Where a model's methods are and who calls them: the Gemini API's with `x-goog-api-key` by default, Vertex AI's with a bearer token. */
export interface GeminiEndpoint {
  /** The URL of `method` (`generateContent`, `streamGenerateContent`, `batchEmbedContents`) on model `model`. */
  url(model: string, method: string): URL;
  /** The headers of a call (a stream's accept `text/event-stream`): fixed ones, or a token's got (and refreshed) per call. */
  headers(stream: boolean, signal: AbortSignal): Record<string, string> | Promise<Record<string, string>>;
  /** The upstream answered 401: the credential is stale (the next call gets a new one). */
  unauthorized?(): void;
}

/** The Gemini API's endpoint: `{baseUrl}/models/{name}:{method}`, the key in `x-goog-api-key` (never in the URL). */
function apiKeyEndpoint(init: AdapterInit): GeminiEndpoint {
  const base = (init.provider.baseUrl ?? GEMINI_DEFAULT_BASE_URL).replace(/\/+$/, "");
  const headers: Record<string, string> = { "content-type": "application/json", ...init.headers };
  if (init.apiKey !== undefined) headers["x-goog-api-key"] = init.apiKey;
  const streamHeaders = { ...headers, accept: "text/event-stream" };
  return {
    url: (model, method) => new URL(`${base}/models/${encodeURIComponent(model)}:${method}`),
    headers: (stream) => (stream ? streamHeaders : headers),
  };
}

function parseJson<T>(core: GeminiCore, text: string, what: string): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new core.UpstreamError("invalid_response", `${what} is not valid JSON`);
  }
}

/** An UpstreamError from Google's error (an HTTP answer's body or a stream's error event). */
function googleError(
  core: GeminiCore,
  status: number,
  error: GoogleError | undefined,
  provider: string,
  retryAfterMs: number | undefined,
  midStream = false,
): UpstreamError {
  const read = readGoogleError(status, core.classifyStatus, error);
  const wait = retryAfterMs ?? read.retryAfterMs;
  return new core.UpstreamError(
    read.errorClass,
    `${provider} ${midStream ? "reported" : "answered"} ${status}${midStream ? " mid-stream" : ""}${read.summary === "" ? "" : `: ${read.summary}`}`,
    {
      status,
      ...(wait !== undefined ? { retryAfterMs: wait } : {}),
      ...(read.detail !== undefined ? { detail: read.detail } : {}),
    },
  );
}

/** A non-2xx answer as an UpstreamError; a 401/403 body is never read nor echoed. */
async function httpError(core: GeminiCore, response: TransportResponse, provider: string): Promise<UpstreamError> {
  let error: GoogleError | undefined;
  if (response.status !== 401 && response.status !== 403) {
    try {
      const body = JSON.parse(await response.text()) as { error?: unknown };
      if (typeof body?.error === "object" && body.error !== null) error = body.error as GoogleError;
    } catch {
      error = undefined;
    }
  } else response.dump();
  return googleError(core, response.status, error, provider, core.parseRetryAfter(response.headers["retry-after"]));
}

/**
 * The calls of an adapter for Google's Gemini API: with an API key (`x-goog-api-key`) at `baseUrl`, or at `endpoint`'s
 * URLs with its headers (Vertex AI's, with a bearer token).
 *
 * @example createGeminiCalls(init, core) // core: GeminiCore, the router's own classes and helpers
 */
export function createGeminiCalls(init: AdapterInit, core: GeminiCore, endpoint: GeminiEndpoint = apiKeyEndpoint(init)): GeminiCalls {
  const { UpstreamError, toUpstreamError, unsendable } = core;
  const name = init.providerId;

  /** POST `body` to `method` of `call`'s model with the endpoint's headers; a non-2xx answer throws as an UpstreamError (a 401 first tells the endpoint). */
  const post = async (call: AdapterCall | EmbedCall, method: string, body: string, stream = false): Promise<TransportResponse> => {
    const url = endpoint.url(call.model.name, method);
    if (stream) url.searchParams.set("alt", "sse");
    const response = await init.transport.post({ url, headers: await endpoint.headers(stream, call.signal), body, signal: call.signal });
    if (response.status === 401) endpoint.unauthorized?.();
    if (response.status < 200 || response.status >= 300) throw await httpError(core, response, name);
    return response;
  };

  const requestBody = (call: AdapterCall): string => {
    try {
      return JSON.stringify(toGeminiRequest(call.body));
    } catch (error) {
      throw unsendable(name, error);
    }
  };

  return {
    async complete(call: AdapterCall): Promise<CompletionResult> {
      const body = requestBody(call);
      try {
        const response = await post(call, "generateContent", body);
        const parsed = parseJson<GeminiResponse>(core, await response.text(), `${name}'s response`);
        if (typeof parsed !== "object" || parsed === null || (!Array.isArray(parsed.candidates) && parsed.promptFeedback?.blockReason === undefined)) {
          throw new UpstreamError("invalid_response", `${name}'s response has no \`candidates\``);
        }
        const reason = parsed.candidates?.[0]?.finishReason;
        if (failedFinish(reason)) throw new UpstreamError("invalid_response", `${name}'s model failed to answer (finishReason ${reason})`);
        const completion = fromGeminiResponse(parsed, Math.floor(Date.now() / 1000), call.model.name);
        return { text: JSON.stringify(completion), completion, usage: completion.usage };
      } catch (error) {
        throw toUpstreamError(error, call.signal);
      }
    },

    async stream(call: AdapterCall): Promise<AsyncIterable<StreamEvent>> {
      const body = requestBody(call);
      let response: TransportResponse;
      try {
        response = await post(call, "streamGenerateContent", body, true);
      } catch (error) {
        throw toUpstreamError(error, call.signal);
      }
      return events(core, response.body, name, call, init.transport.limits?.maxSseLineBytes);
    },

    /**
     * `POST /models/{name}:batchEmbedContents`, one request per input; Gemini reports no token usage there, so the
     * inputs' estimated tokens are reported (and priced). Token-array inputs are refused: Gemini embeds text only.
     */
    async embed(call: EmbedCall): Promise<EmbeddingsResponse> {
      const input = call.embeddings.input;
      if (typeof input !== "string" && input.some((item) => typeof item !== "string")) {
        throw new core.RouterError(
          "unsupported_parameter",
          `\`input\` cannot be honoured by provider \`${name}\` (Google's Gemini API): it embeds text, not token arrays`,
          {
            param: "input",
          },
        );
      }
      const texts = typeof input === "string" ? [input] : (input as string[]);
      const body = JSON.stringify(toGeminiEmbedRequest(call.embeddings, call.model.name, call.model.dimensions));
      try {
        const response = await post(call, "batchEmbedContents", body);
        const answer = parseJson<{ embeddings?: Array<{ values?: unknown }> }>(core, await response.text(), `${name}'s embeddings response`);
        const vectors = answer?.embeddings;
        if (!Array.isArray(vectors) || vectors.length !== texts.length || !vectors.every((v) => Array.isArray(v?.values))) {
          throw new UpstreamError("invalid_response", `${name}'s embeddings response has no \`embeddings\` for each input`);
        }
        const base64 = call.embeddings.encoding_format === "base64";
        const tokens = texts.reduce((sum, text) => sum + core.estimateTextTokens(text), 0);
        return {
          object: "list",
          data: vectors.map((v, index) => {
            const values = v.values as number[];
            return { object: "embedding", index, embedding: base64 ? core.vectorToBase64(values) : values };
          }),
          model: call.model.name,
          usage: { prompt_tokens: tokens, total_tokens: tokens },
        };
      } catch (error) {
        throw toUpstreamError(error, call.signal);
      }
    },
  };
}

async function* events(
  core: GeminiCore,
  body: AsyncIterable<Uint8Array>,
  name: string,
  call: AdapterCall,
  maxLine: number | undefined,
): AsyncGenerator<StreamEvent> {
  const { UpstreamError, toUpstreamError } = core;
  const translator = new GeminiStreamTranslator(Math.floor(Date.now() / 1000), call.model.name);
  try {
    for await (const sse of core.parseSse(body, maxLine)) {
      const event = parseJson<GeminiResponse>(core, sse.data, `an event from ${name}`);
      if (typeof event !== "object" || event === null) throw new UpstreamError("invalid_response", `an event from ${name} is not an object`);
      if (event.error !== undefined) throw googleError(core, event.error.code ?? 500, event.error, name, undefined, true);
      for (const chunk of translator.next(event)) yield { chunk };
      if (translator.failed !== undefined) throw new UpstreamError("invalid_response", `${name}'s model failed to answer (finishReason ${translator.failed})`);
    }
  } catch (error) {
    throw toUpstreamError(error, call.signal);
  }
  if (!translator.finished) throw new UpstreamError("stream_interrupted", `${name}'s stream ended before a finishReason`);
  const usage = translator.end();
  if (usage !== undefined) yield { chunk: usage };
}
