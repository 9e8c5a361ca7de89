/** @module The OpenAI-compatible adapter (OpenAI, Azure OpenAI v1, vLLM, Ollama, Groq…): near pass-through. */
import type { Model } from "@switchyard/ir";
import type { ChatBody, ChatCompletion, ChatCompletionChunk } from "../../protocol/chat.ts";
import { SseParser, type SseEvent } from "../sse.ts";
import { upstreamHttpError } from "../http-error.ts";
import { completionBody } from "./request-body.ts";
import { withShortToolCallIds } from "../tool-call-ids.ts";
import type { EmbeddingsResponse } from "../../protocol/embeddings.ts";
import {
  type AdapterCall,
  type AdapterFactory,
  type AdapterInit,
  type BufferedStreamIterator,
  type CompletionResult,
  type EmbedCall,
  type ProviderAdapter,
  type StreamEvent,
  type Transport,
  type TransportResponse,
  UpstreamError,
  toUpstreamError,
  unsendable,
} from "../types.ts";

export const OPENAI_DEFAULT_BASE_URL = "https://api.openai.com/v1";

function parseJson<T>(text: string, what: string): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new UpstreamError("invalid_response", `${what} is not valid JSON`);
  }
}

/**
 * A non-streaming answer: its text (forwarded as is), the parsed completion and its usage. A full
 * JSON.parse: a hand-written scan that parsed only `usage` cost the same CPU and saved ~1 % of the
 * bytes allocated per request, not worth its code.
 */
export function readCompletion(text: string, provider: string, bytes?: Buffer): CompletionResult {
  const completion = parseJson<ChatCompletion>(text, `${provider}'s response`);
  if (typeof completion !== "object" || completion === null || !Array.isArray(completion.choices)) {
    throw new UpstreamError("invalid_response", `${provider}'s response has no \`choices\``);
  }
  // One object shape whether or not the transport gave bytes (`bytes` may be undefined).
  return { text, bytes, completion, usage: completion.usage ?? undefined };
}

/**
 * Where and how an OpenAI-compatible adapter calls its upstream: what differs between OpenAI (one base URL, a bearer
 * key) and Azure OpenAI (a URL per deployment with `api-version`, an `api-key` header or an Entra ID token).
 */
export interface OpenAiWire {
  /** The `POST` target of a chat completion with `model`. */
  chatUrl(model: Model): URL;
  /** The `POST` target of an embeddings request with `model`. */
  embeddingsUrl(model: Model): URL;
  /**
   * The headers of one call (content type, auth, the provider's own; `accept: text/event-stream` for a stream): an
   * object when known, a promise while a credential is being fetched (it rejects with an UpstreamError).
   */
  headers(stream: boolean, signal: AbortSignal): Record<string, string> | Promise<Record<string, string>>;
  /** Told when the upstream answered 401: a cached credential it rejected is dropped. */
  unauthorized?(): void;
}

/**
 * Create an adapter for an OpenAI-compatible upstream. Sends `model: <model.name>`, the API key as a
 * bearer token, and for streams `stream_options.include_usage` so usage can be priced (the router
 * strips the usage-only chunk again when the client did not ask for it).
 */
export const createOpenAiAdapter: AdapterFactory = (init: AdapterInit): ProviderAdapter => {
  const base = (init.provider.baseUrl ?? OPENAI_DEFAULT_BASE_URL).replace(/\/+$/, "");
  const url = new URL(`${base}/chat/completions`);
  const headers: Record<string, string> = { "content-type": "application/json", ...init.headers };
  if (init.apiKey !== undefined) headers["authorization"] = `Bearer ${init.apiKey}`;
  const streamHeaders = { ...headers, accept: "text/event-stream" };
  const embeddingsUrl = new URL(`${base}/embeddings`);
  return openAiCompatibleAdapter(init.providerId, init.transport, {
    chatUrl: () => url,
    embeddingsUrl: () => embeddingsUrl,
    headers: (stream) => (stream ? streamHeaders : headers),
  });
};

/** The headers of one call: `wire.headers` awaited only when it is a promise (a static object costs no microtask). */
async function callHeaders(wire: OpenAiWire, stream: boolean, signal: AbortSignal): Promise<Record<string, string>> {
  const headers = wire.headers(stream, signal);
  return headers instanceof Promise ? await headers : headers;
}

/**
 * An adapter speaking OpenAI's Chat Completions and Embeddings wire format to the upstream `wire` describes (the
 * `openai` and `azure` kinds): the client's body passes through with `model` set to the model's name.
 */
export function openAiCompatibleAdapter(name: string, transport: Transport, wire: OpenAiWire): ProviderAdapter {
  /** A non-2xx answer as its UpstreamError (a 401 tells the wire first). */
  const failure = (response: TransportResponse): Promise<UpstreamError> => {
    if (response.status === 401) wire.unauthorized?.();
    return upstreamHttpError(response, name);
  };

  return {
    async complete(call: AdapterCall): Promise<CompletionResult> {
      let body: string;
      try {
        // Another provider's long tool-call ids (a Gemini call's carries its thought signature) would be refused.
        const shortIds = withShortToolCallIds(call.body);
        body = shortIds === undefined ? completionBody(call.body, call.model.name, call.bodyText) : completionBody(shortIds, call.model.name);
      } catch (error) {
        throw unsendable(name, error);
      }
      try {
        const headers = await callHeaders(wire, false, call.signal);
        const response = await transport.post({ url: wire.chatUrl(call.model), headers, body, signal: call.signal });
        if (response.status < 200 || response.status >= 300) throw await failure(response);
        // The client gets these bytes as they came: no re-encoding, and node:http writes them next to
        // the head without joining two strings first.
        if (response.bytes === undefined) return readCompletion(await response.text(), name);
        const bytes = await response.bytes();
        return readCompletion(bytes.toString("utf8"), name, bytes);
      } catch (error) {
        throw toUpstreamError(error, call.signal);
      }
    },

    async stream(call: AdapterCall): Promise<AsyncIterable<StreamEvent>> {
      let body: string;
      try {
        body = JSON.stringify({
          ...(withShortToolCallIds(call.body) ?? call.body),
          model: call.model.name,
          stream: true,
          stream_options: { ...(call.body.stream_options ?? {}), include_usage: true },
        });
      } catch (error) {
        throw unsendable(name, error);
      }
      let response: TransportResponse;
      try {
        const headers = await callHeaders(wire, true, call.signal);
        response = await transport.post({ url: wire.chatUrl(call.model), headers, body, signal: call.signal });
        if (response.status < 200 || response.status >= 300) throw await failure(response);
      } catch (error) {
        throw toUpstreamError(error, call.signal);
      }
      return new ChunkStream(response.body, name, call.signal, transport.limits?.maxSseLineBytes);
    },

    /** `POST` to the embeddings URL: the client's request with the model's upstream name; the answer as the upstream gave it. */
    async embed(call: EmbedCall): Promise<EmbeddingsResponse> {
      const body = JSON.stringify({ ...call.embeddings, model: call.model.name });
      try {
        const headers = await callHeaders(wire, false, call.signal);
        const response = await transport.post({ url: wire.embeddingsUrl(call.model), headers, body, signal: call.signal });
        if (response.status < 200 || response.status >= 300) throw await failure(response);
        return readEmbeddings(await response.text(), name);
      } catch (error) {
        throw toUpstreamError(error, call.signal);
      }
    },

    async close(): Promise<void> {},
  };
}

/** An upstream's embeddings answer, checked for what the router reads (`data`, `usage`). */
function readEmbeddings(text: string, provider: string): EmbeddingsResponse {
  const answer = parseJson<Partial<EmbeddingsResponse>>(text, `${provider}'s embeddings response`);
  if (typeof answer !== "object" || answer === null || !Array.isArray(answer.data))
    throw new UpstreamError("invalid_response", `${provider}'s embeddings response has no \`data\``);
  const usage = answer.usage;
  const prompt = typeof usage?.prompt_tokens === "number" ? usage.prompt_tokens : 0;
  return {
    object: "list",
    data: answer.data,
    model: typeof answer.model === "string" ? answer.model : "",
    usage: { prompt_tokens: prompt, total_tokens: typeof usage?.total_tokens === "number" ? usage.total_tokens : prompt },
  };
}

/**
 * An upstream's stream as chunks: SSE parsed as the body's bytes arrive, each event's JSON read and checked. One
 * iterator over the body rather than async generators stacked on it (body → SSE events → chunks): on a long stream
 * each layer cost a promise and a microtask turn per chunk. After `[DONE]` the body is read to its end, so the
 * connection returns to the pool. A failure, or the reader leaving early, ends the body's iteration, which drops the
 * connection.
 */
class ChunkStream implements AsyncIterableIterator<StreamEvent>, BufferedStreamIterator {
  readonly #body: AsyncIterator<Uint8Array>;
  readonly #parser: SseParser;
  readonly #name: string;
  readonly #signal: AbortSignal;
  /** Events parsed and not yet read, from `#at`. */
  readonly #events: SseEvent[] = [];
  #at = 0;
  #done = false;
  #ended = false;

  constructor(body: AsyncIterable<Uint8Array>, name: string, signal: AbortSignal, maxLine: number | undefined) {
    this.#body = body[Symbol.asyncIterator]();
    this.#parser = new SseParser(maxLine);
    this.#name = name;
    this.#signal = signal;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<StreamEvent>> {
    try {
      for (;;) {
        const events = this.#events;
        while (this.#at < events.length) {
          const event = events[this.#at++] as SseEvent;
          if (this.#done) continue;
          if (event.data === "[DONE]") {
            this.#done = true;
            continue;
          }
          const value = this.#chunk(event.data);
          // A chunk without choices or usage carries nothing for a client: Azure's first chunk (`prompt_filter_results`,
          // its content filter's verdict on the prompt) is one. Forwarded, it would commit the stream before its first token.
          if (value.chunk.choices.length === 0 && (value.chunk.usage === undefined || value.chunk.usage === null)) continue;
          return { value, done: false };
        }
        events.length = 0;
        this.#at = 0;
        if (this.#ended) {
          if (!this.#done) throw new UpstreamError("stream_interrupted", `${this.#name}'s stream ended before [DONE]`);
          return { value: undefined, done: true };
        }
        const read = await this.#body.next();
        if (read.done === true) {
          this.#ended = true;
          this.#parser.finish(events);
        } else this.#parser.feed(read.value, events);
      }
    } catch (error) {
      // The stream is over: a later next() says done, as a generator's would.
      this.#events.length = 0;
      this.#at = 0;
      this.#done = true;
      if (!this.#ended) {
        this.#ended = true;
        void this.#body.return?.().catch(() => undefined);
      }
      throw toUpstreamError(error, this.#signal);
    }
  }

  /** The next event already parsed from the body, without reading it; anything that would end or fail the stream is left to next(). */
  takeReady(): StreamEvent | undefined {
    const events = this.#events;
    while (!this.#done && this.#at < events.length) {
      const event = events[this.#at] as SseEvent;
      if (event.data === "[DONE]") return undefined;
      let value: StreamEvent;
      try {
        value = this.#chunk(event.data);
      } catch {
        return undefined; // next() meets it again and fails the stream
      }
      this.#at++;
      if (value.chunk.choices.length === 0 && (value.chunk.usage === undefined || value.chunk.usage === null)) continue;
      return value;
    }
    return undefined;
  }

  async return(): Promise<IteratorResult<StreamEvent>> {
    this.#events.length = 0;
    if (!this.#ended) {
      this.#ended = true;
      this.#done = true;
      await this.#body.return?.();
    }
    return { value: undefined, done: true };
  }

  #chunk(data: string): StreamEvent {
    const chunk = parseJson<ChatCompletionChunk & { error?: { message?: string } }>(data, `a chunk from ${this.#name}`);
    if (chunk.error !== undefined) {
      throw new UpstreamError("5xx", `${this.#name} reported an error mid-stream: ${String(chunk.error.message ?? "unknown").slice(0, 200)}`);
    }
    if (!Array.isArray(chunk.choices)) throw new UpstreamError("invalid_response", `a chunk from ${this.#name} has no \`choices\``);
    return { chunk, raw: data };
  }
}
