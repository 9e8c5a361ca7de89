/**
 * @module What an inbound API is to the router. A dialect (OpenAI Chat Completions, OpenAI Responses, Anthropic
 * Messages…) reads its client's request into the router's one internal request — a chat body (protocol/chat.ts) — and
 * writes answers, streams and errors back in its own shape. Routing, budgets, limits, fallbacks, validators, traces and
 * metrics run on the internal request, so they behave the same whatever the dialect (http/generate.ts).
 *
 * Adding a dialect is a folder here plus one line in http/endpoints.ts; adding a provider is a folder in adapters/.
 */
import type { IncomingHttpHeaders } from "node:http";
import type { RouterError } from "../errors.ts";
import type { ChatBody, ChatCompletion, ChatCompletionChunk } from "./chat.ts";

/** What an answer in a dialect is named by: the router's request id, the route the client called, when. */
export interface AnswerInfo {
  requestId: string;
  route: string;
  /** Epoch ms the request arrived. */
  createdAt: number;
}

/** A request read from a dialect's body. */
export interface DialectRequest {
  /** The internal request: what routing, governance and every adapter work on. */
  body: ChatBody;
  stream: boolean;
  /**
   * The dialect's own request fields an answer echoes (Responses' `instructions`, `metadata`…), kept opaque to the
   * router and handed back to `completion` and `stream`.
   */
  echo?: unknown;
  /** Attribution `metadata` the dialect keeps out of the internal request (it reaches traces, not the upstream). */
  metadata?: Record<string, string>;
}

/** Writes one streamed answer as the dialect's SSE events, chunk by chunk (one encoder per request: it may keep state). */
export interface StreamEncoder {
  /**
   * The SSE text for one internal chunk, or "" to send nothing. `raw` is the upstream's JSON text of the chunk when it
   * came unchanged; `usageOnly` marks the last chunk that only reports usage (choices: []).
   */
  chunk(chunk: ChatCompletionChunk, raw: string | undefined, usageOnly: boolean): string;
  /** The text that ends a stream that finished. */
  end(): string;
  /**
   * The last event of a stream that failed after its 200 went out (the status can no longer say so); `message` says
   * what broke (an upstream's words are already masked).
   */
  fail(message: string): string;
}

export interface Dialect {
  /** `chat`, `responses`, `messages`: in traces and metrics' `dialect`. */
  readonly name: string;
  /**
   * The internal shape is this dialect's own (Chat Completions): an adapter's answer and chunks are forwarded as the
   * adapter gives them (the upstream's bytes where unchanged), and the client's request text may be patched rather
   * than re-serialised.
   */
  readonly native?: boolean;
  /**
   * The client's key from this dialect's auth header (Bearer; Anthropic's clients send `x-api-key`). Throws RouterError
   * `missing_api_key` when none is sent, naming the header the client should send.
   */
  apiKey(headers: IncomingHttpHeaders): string;
  /** Read the client's (parsed, untrusted) JSON into the internal request; throws RouterError naming the field at fault. */
  read(value: unknown, headers: IncomingHttpHeaders): DialectRequest;
  /** A finished answer as this dialect's body (not called for a native dialect). */
  completion(completion: ChatCompletion, info: AnswerInfo, request: DialectRequest): string;
  /** A new encoder for one streamed answer. */
  stream(info: AnswerInfo, request: DialectRequest): StreamEncoder;
  /** An error as this dialect's body; the HTTP status and headers stay the RouterError's. */
  error(error: RouterError): string;
}
