/** @module The one small interface every provider adapter implements, and the transport it talks through. */
import type { Model, Provider } from "@switchyard/ir";
import { type FailureClass, RouterError } from "../errors.ts";
import { redactSecrets } from "./redact.ts";
import type { ChatBody, ChatCompletion, ChatCompletionChunk, Usage } from "../protocol/chat.ts";
import type { EmbeddingsBody, EmbeddingsResponse } from "../protocol/embeddings.ts";

/** One call of an adapter: the validated client body plus what the plan chose. */
export interface AdapterCall {
  body: ChatBody;
  /** The client's text `body` was parsed from, unchanged: an adapter may patch it instead of re-serialising `body`. */
  bodyText?: string;
  /** The model id in the config (e.g. `gpt-mini`). */
  modelId: string;
  model: Model;
  route: string;
  requestId: string;
  /** 1-based attempt number across the whole request (the mock derives failures from it). */
  attempt: number;
  /** Aborted on timeout or client disconnect; adapters must stop all upstream work. */
  signal: AbortSignal;
}

/**
 * A finished non-streaming completion. The client receives `bytes` when set (the upstream's own bytes,
 * forwarded as they came), else `text`.
 */
export interface CompletionResult {
  text: string;
  /** `text` as the upstream's UTF-8 bytes, when the answer is forwarded unchanged. */
  bytes?: Buffer;
  completion: ChatCompletion;
  usage: Usage | undefined;
}

/** One streamed chunk; `raw` is the upstream JSON text when it can be forwarded unchanged. */
export interface StreamEvent {
  chunk: ChatCompletionChunk;
  raw?: string;
}

/**
 * A stream iterator that can hand over, without waiting, the events an upstream read already carried (`undefined`
 * when none is ready: the next one needs `next()`). The writer sends them with the one before in one write: a
 * saturated upstream connection delivers several chunks per read, and a write (a send) each is most of the CPU.
 */
export interface BufferedStreamIterator extends AsyncIterator<StreamEvent> {
  takeReady(): StreamEvent | undefined;
}

/**
 * A provider adapter: translate a chat-completions call to one upstream and back.
 * `stream` resolves once the upstream accepted the call (2xx) and yields chunks in OpenAI's shape;
 * the last chunk carries `usage` (choices: []) whenever the upstream reported usage.
 * Both methods reject with an UpstreamError.
 */
export interface ProviderAdapter {
  /**
   * What of `body` this upstream cannot honour (`n > 1` on Anthropic…): an `unsupported_parameter` RouterError naming
   * the field, else undefined. runPlan skips such a candidate without an attempt, and refuses the request with this
   * error when no candidate can honour it. Absent: the upstream takes every chat body. `model` is the candidate's (one
   * provider may serve models of several APIs: Gemini and Claude on Vertex AI).
   */
  refuses?(body: ChatBody, model: Model): RouterError | undefined;
  complete(call: AdapterCall): Promise<CompletionResult>;
  stream(call: AdapterCall): Promise<AsyncIterable<StreamEvent>>;
  /** `POST /v1/embeddings` upstream; absent on kinds that have no embeddings API (the compiler refuses embedding models there). */
  embed?(call: EmbedCall): Promise<EmbeddingsResponse>;
  close(): Promise<void>;
}

/** One embeddings call: the attempt's fields (its `body` is unused) and the client's validated embeddings request. */
export interface EmbedCall extends AdapterCall {
  embeddings: EmbeddingsBody;
}

/** What an adapter factory gets at activation: the provider's config, its resolved secrets, a transport. */
export interface AdapterInit {
  providerId: string;
  provider: Provider;
  /** The provider API key read from the env var the config names (undefined when unset or not configured). */
  apiKey: string | undefined;
  /** Extra upstream headers with secret references resolved. */
  headers: Record<string, string>;
  transport: Transport;
  /**
   * The router's environment, for kinds whose credentials come from standard variables rather than `apiKey` (azure's
   * Entra ID: AZURE_TENANT_ID…; bedrock: AWS_ACCESS_KEY_ID…). Absent: none (an adapter must not read process.env, which tests and replicas do not share).
   */
  env?: Readonly<Record<string, string | undefined>>;
}

export type AdapterFactory = (init: AdapterInit) => ProviderAdapter;

/** Adapter factories by provider kind; the bundle includes only the kinds a release uses. */
export type AdapterRegistry = Partial<Record<Provider["kind"], AdapterFactory>>;

/**
 * An upstream's own error, read from its body's structured fields and put in OpenAI's terms (adapters/http-error.ts
 * readUpstreamError): what a client-caused 4xx passes through to the client.
 */
export interface UpstreamErrorDetail {
  /** One line, key-shaped strings masked, at most 500 characters. */
  message: string;
  /** OpenAI's `error.type` (`invalid_request_error`…). */
  type: string;
  /** OpenAI's `error.code` (`context_length_exceeded`, an Anthropic type such as `request_too_large`), or null. */
  code: string | null;
  param?: string;
  /** The upstream said the prompt does not fit the model's context window (OpenAI `context_length_exceeded`, Anthropic "prompt is too long"). */
  contextLength: boolean;
}

/** A failure talking to an upstream, classified for retry decisions. */
export class UpstreamError extends Error {
  override readonly name = "UpstreamError";
  readonly errorClass: FailureClass;
  readonly status: number | undefined;
  /** Milliseconds the upstream asked us to wait (`Retry-After`). */
  readonly retryAfterMs: number | undefined;
  /** The upstream's error body, when it had a structured one (never for 401/403). */
  readonly detail: UpstreamErrorDetail | undefined;

  /** `message` reaches clients, logs and traces, and may quote an upstream: key-shaped strings are masked here, once. */
  constructor(errorClass: FailureClass, message: string, options: { status?: number; retryAfterMs?: number; detail?: UpstreamErrorDetail } = {}) {
    super(redactSecrets(message));
    this.errorClass = errorClass;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
    this.detail = options.detail === undefined ? undefined : { ...options.detail, message: redactSecrets(options.detail.message) };
  }
}

/**
 * The error class of an upstream HTTP status. 400, 413 and 422 say the request itself cannot be served (`4xx`, the
 * client's fault); 408 is the upstream timing out; 429 its rate limit; any other 4xx (401, 403, 404, 409…) is about
 * the router's own call — its key, its model name, the account — so it is the deployment's (`provider_4xx`).
 */
export function classifyStatus(status: number): FailureClass {
  if (status === 429) return "429";
  if (status >= 500) return "5xx";
  if (status === 400 || status === 413 || status === 422) return "4xx";
  if (status === 408) return "timeout";
  return "provider_4xx";
}

/** Parse `Retry-After` (seconds or an HTTP date) into milliseconds. */
export function parseRetryAfter(value: string | string[] | undefined, now: number = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v === "") return undefined;
  const seconds = Number(v);
  if (Number.isFinite(seconds)) return Math.max(0, Math.round(seconds * 1000));
  const date = Date.parse(v);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Map any thrown value from a transport or parser to an UpstreamError. */
export function toUpstreamError(error: unknown, signal: AbortSignal): UpstreamError {
  if (error instanceof UpstreamError) return error;
  if (signal.aborted) {
    const reason: unknown = signal.reason;
    if (reason instanceof UpstreamError) return reason;
    return new UpstreamError("timeout", "aborted");
  }
  // A stack overflow reading an answer (a request that cannot be built is `unsendable`, never here): the upstream's.
  if (error instanceof RangeError) return new UpstreamError("invalid_response", "the upstream's answer is nested too deeply to read");
  const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
  const message = error instanceof Error ? error.message : String(error);
  if (
    typeof code === "string" &&
    /ECONNRESET|ECONNREFUSED|EPIPE|ENOTFOUND|EAI_AGAIN|UND_ERR_SOCKET|UND_ERR_CLOSED|ECONNABORTED|EHOSTUNREACH|ENETUNREACH/.test(code)
  ) {
    return new UpstreamError("connection", `${code}: ${message}`);
  }
  if (typeof code === "string" && /TIMEOUT|ETIMEDOUT/.test(code)) return new UpstreamError("timeout", `${code}: ${message}`);
  if (/socket hang up|other side closed|terminated|premature close/i.test(message)) return new UpstreamError("connection", message);
  return new UpstreamError("connection", message);
}

/**
 * The error for an upstream request that could not be built (JSON.stringify overflowing on a deeply
 * nested body, a translation throwing). Nothing reached the upstream, so it says nothing about the
 * model: a RouterError, which runPlan answers at once without booking the attempt against the model
 * (breaker, latency) and without falling back to another.
 */
export function unsendable(provider: string, error: unknown): RouterError {
  const why = error instanceof RangeError ? "it is nested too deeply to encode" : error instanceof Error ? error.message : String(error);
  return new RouterError("invalid_request", `the request cannot be sent to provider \`${provider}\`: ${why}`);
}

/** A streamed HTTP response from an upstream. */
export interface TransportResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: AsyncIterable<Uint8Array>;
  text(): Promise<string>;
  /**
   * The whole body as bytes (one buffer). Optional for transports written elsewhere; with it the
   * OpenAI-compatible adapter forwards the upstream's bytes instead of re-encoding its text.
   */
  bytes?(): Promise<Buffer>;
  /** Discard the rest of the body (frees the connection). */
  dump(): void;
}

export interface TransportRequest {
  url: URL;
  headers: Record<string, string>;
  body: string;
  signal: AbortSignal;
}

/** What an upstream may send back: the router's defence against a hostile or broken upstream. */
export interface UpstreamLimits {
  /** Largest non-streamed body (completion or error) read, bytes; past it the connection is dropped. */
  maxResponseBytes: number;
  /** Longest SSE line, and event, in a streamed answer (characters, i.e. bytes of ASCII). */
  maxSseLineBytes: number;
}

/** An HTTP client with keep-alive pools per origin (undici in the workspace, node:http in router.mjs). */
export interface Transport {
  post(request: TransportRequest): Promise<TransportResponse>;
  close(): Promise<void>;
  /** The caps this transport enforces (the SSE one is the adapters' to apply); absent: the defaults. */
  readonly limits?: UpstreamLimits;
}

/** The error for a response body past `maxResponseBytes` (the upstream's fault: it counts against the model). */
export function tooLarge(max: number): UpstreamError {
  return new UpstreamError("invalid_response", `the upstream response is larger than ${max} bytes`);
}

export type TransportFactory = () => Transport;
