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

/**
 * How upstreams say a prompt outgrew the context window in words: Anthropic ("prompt is too long: 210000 tokens >
 * 200000 maximum"), OpenAI-compatible servers without the code (vLLM "maximum context length is 4096 tokens"), Gemini
 * ("input token count … exceeds the maximum number of tokens allowed"). Read only from a 400-class answer.
 */
const CONTEXT_LENGTH_TEXT = /prompt is too long|maximum context length|context length exceeded|exceeds the maximum number of tokens/i;

function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : typeof value === "number" ? String(value) : undefined;
}

/** OpenAI's `error.type` for Anthropic's that differ (https://docs.anthropic.com/en/api/errors). */
const OPENAI_TYPE_OF_ANTHROPIC: Record<string, string> = {
  request_too_large: "invalid_request_error",
  api_error: "server_error",
  overloaded_error: "server_error",
};

/**
 * Read an upstream error body: the structured error of an OpenAI-shaped `{ error: { message, type, code, param } }`
 * or Anthropic-shaped `{ type: "error", error: { type, message } }` body (or `{ error: "text" }`, `{ message }`), else
 * undefined: HTML, plain text and anything unrecognised are never echoed. `detail` is in OpenAI's terms (an
 * Anthropic type becomes OpenAI's `type`, and itself the `code`; a context-length refusal is `context_length_exceeded`
 * whoever said it), its message one line of at most 500 characters (UpstreamError masks key-shaped strings in it);
 * `summary` is what an attempt's message quotes, the upstream's own words: `(type, code) message`, 200 characters.
 */
function readUpstreamError(body: string): { detail: UpstreamErrorDetail; summary: string } | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof parsed !== "object" || parsed === null) return undefined;
  const root = parsed as { error?: unknown; message?: unknown; type?: unknown };
  const error =
    typeof root.error === "object" && root.error !== null ? (root.error as { message?: unknown; type?: unknown; code?: unknown; param?: unknown }) : undefined;
  const message = error !== undefined ? error.message : typeof root.error === "string" ? root.error : root.message;
  if (typeof message !== "string") return undefined;
  const type = text(error?.type);
  const code = text(error?.code);
  const oneLine = message.replace(/\s+/g, " ").trim();
  const contextLength = code === "context_length_exceeded" || CONTEXT_LENGTH_TEXT.test(oneLine);
  const anthropic = root.type === "error";
  const param = text(error?.param);
  const label = [type, code].filter((v) => v !== undefined).join(", ");
  return {
    detail: {
      message: oneLine.slice(0, 500),
      type: (anthropic ? OPENAI_TYPE_OF_ANTHROPIC[type ?? ""] : undefined) ?? type ?? "invalid_request_error",
      code: contextLength ? "context_length_exceeded" : anthropic ? (type === "invalid_request_error" ? null : (type ?? null)) : (code ?? null),
      ...(param !== undefined ? { param } : {}),
      contextLength,
    },
    summary: `${label === "" ? "" : `(${label}) `}${oneLine}`.slice(0, 200),
  };
}

/** An upstream error body's structured error in OpenAI's terms (see readUpstreamError), else undefined. */
export function parseUpstreamError(body: string): UpstreamErrorDetail | undefined {
  return readUpstreamError(body)?.detail;
}

/** What an attempt's message quotes of an upstream error body: `(type, code) message`, cut at 200 characters, or "". */
export function upstreamErrorDetail(body: string): string {
  return readUpstreamError(body)?.summary ?? "";
}

/** Turn a non-2xx upstream response into an UpstreamError (never echoes auth errors' bodies nor non-JSON ones). */
export async function upstreamHttpError(response: TransportResponse, provider: string): Promise<UpstreamError> {
  let read: ReturnType<typeof readUpstreamError>;
  if (response.status !== 401 && response.status !== 403) {
    try {
      read = readUpstreamError(await response.text());
    } catch {
      read = undefined;
    }
  } else {
    response.dump();
  }
  const retryAfterMs = parseRetryAfter(response.headers["retry-after"]);
  return new UpstreamError(classifyStatus(response.status), `${provider} answered ${response.status}${read === undefined ? "" : `: ${read.summary}`}`, {
    status: response.status,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    ...(read !== undefined ? { detail: read.detail } : {}),
  });
}

/**
 * POST a streaming request: resolves to the body of a 2xx answer; a non-2xx answer or a transport
 * failure throws the classified UpstreamError (what every adapter's `stream()` does before translating).
 */
export async function postForStream(
  transport: Transport,
  request: TransportRequest,
  provider: string,
  unauthorized?: () => void,
): Promise<AsyncIterable<Uint8Array>> {
  try {
    const response = await transport.post(request);
    if (response.status === 401) unauthorized?.();
    if (response.status < 200 || response.status >= 300) throw await upstreamHttpError(response, provider);
    return response.body;
  } catch (error) {
    throw toUpstreamError(error, request.signal);
  }
}
