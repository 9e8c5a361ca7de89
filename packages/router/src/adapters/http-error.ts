/** @module Turning a non-2xx upstream HTTP response into a classified UpstreamError. */
import {
  type Transport,
  type TransportRequest,
  type TransportResponse,
  UpstreamError,
  type UpstreamErrorDetail,
  classifyStatus,
  parseRetryAfter,
  toUpstreamError,
} from "./types.ts";

/** Anthropic's "prompt is too long: 210000 tokens > 200000 maximum"; OpenAI-compatible servers that say so in words. */
const CONTEXT_LENGTH_TEXT = /prompt is too long|maximum context length|context length exceeded|context window/i;

function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : typeof value === "number" ? String(value) : undefined;
}

/**
 * The structured error of an OpenAI-shaped `{ error: { message, type, code, param } }` or Anthropic-shaped
 * `{ type: "error", error: { type, message } }` body (or `{ error: "text" }`, `{ message }`), else undefined: HTML,
 * plain text and anything unrecognised are never echoed. The message is one line of at most 500 characters;
 * UpstreamError masks key-shaped strings in it.
 */
export function parseUpstreamError(body: string): UpstreamErrorDetail | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof parsed !== "object" || parsed === null) return undefined;
  const root = parsed as { error?: unknown; message?: unknown };
  const error =
    typeof root.error === "object" && root.error !== null ? (root.error as { message?: unknown; type?: unknown; code?: unknown; param?: unknown }) : undefined;
  const message = error !== undefined ? error.message : typeof root.error === "string" ? root.error : root.message;
  if (typeof message !== "string") return undefined;
  const type = text(error?.type);
  const code = text(error?.code);
  const oneLine = message.replace(/\s+/g, " ").trim();
  return {
    message: oneLine.slice(0, 500),
    type,
    code,
    param: text(error?.param),
    shape: (parsed as { type?: unknown }).type === "error" ? "anthropic" : "openai",
    contextLength: code === "context_length_exceeded" || (type === "invalid_request_error" && CONTEXT_LENGTH_TEXT.test(oneLine)),
  };
}

/**
 * What an attempt's message quotes of an upstream error body: `(type, code) message`, cut at 200 characters, or ""
 * when the body has no structured error (see parseUpstreamError).
 */
export function upstreamErrorDetail(body: string): string {
  const detail = parseUpstreamError(body);
  return detail === undefined ? "" : summary(detail);
}

function summary(detail: UpstreamErrorDetail): string {
  const label = [detail.type, detail.code].filter((v) => v !== undefined).join(", ");
  return `${label === "" ? "" : `(${label}) `}${detail.message}`.slice(0, 200);
}

/** Turn a non-2xx upstream response into an UpstreamError (never echoes auth errors' bodies nor non-JSON ones). */
export async function upstreamHttpError(response: TransportResponse, provider: string): Promise<UpstreamError> {
  let detail: UpstreamErrorDetail | undefined;
  if (response.status !== 401 && response.status !== 403) {
    try {
      detail = parseUpstreamError(await response.text());
    } catch {
      detail = undefined;
    }
  } else {
    response.dump();
  }
  const retryAfterMs = parseRetryAfter(response.headers["retry-after"]);
  return new UpstreamError(classifyStatus(response.status), `${provider} answered ${response.status}${detail === undefined ? "" : `: ${summary(detail)}`}`, {
    status: response.status,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    ...(detail !== undefined ? { detail } : {}),
  });
}

/**
 * POST a streaming request: resolves to the body of a 2xx answer; a non-2xx answer or a transport
 * failure throws the classified UpstreamError (what every adapter's `stream()` does before translating).
 */
export async function postForStream(transport: Transport, request: TransportRequest, provider: string): Promise<AsyncIterable<Uint8Array>> {
  try {
    const response = await transport.post(request);
    if (response.status < 200 || response.status >= 300) throw await upstreamHttpError(response, provider);
    return response.body;
  } catch (error) {
    throw toUpstreamError(error, request.signal);
  }
}
