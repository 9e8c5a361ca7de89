/** @module Turning a non-2xx upstream HTTP response into a classified UpstreamError. */
import { type Transport, type TransportRequest, type TransportResponse, UpstreamError, classifyStatus, parseRetryAfter, toUpstreamError } from "./types.ts";

/**
 * What a client may read of an upstream error body: the structured `message` (with `type` and `code`)
 * of an OpenAI-shaped `{ error: { message, type, code } }` or Anthropic-shaped `{ type: "error",
 * error: { type, message } }` body, else nothing (HTML, plain text and anything unrecognised are
 * never echoed). UpstreamError masks key-shaped strings in what is returned.
 */
export function upstreamErrorDetail(text: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return "";
  }
  if (typeof parsed !== "object" || parsed === null) return "";
  const body = parsed as { error?: unknown; message?: unknown };
  const error = typeof body.error === "object" ? (body.error as { message?: unknown; type?: unknown; code?: unknown } | null) : undefined;
  const message = error != null ? error.message : typeof body.error === "string" ? body.error : body.message;
  if (typeof message !== "string") return "";
  const label = [error?.type, error?.code].filter((v) => (typeof v === "string" && v !== "") || typeof v === "number").join(", ");
  return `${label === "" ? "" : `(${label}) `}${message}`.replace(/\s+/g, " ").trim().slice(0, 200);
}

/** Turn a non-2xx upstream response into an UpstreamError (never echoes auth errors' bodies nor non-JSON ones). */
export async function upstreamHttpError(response: TransportResponse, provider: string): Promise<UpstreamError> {
  let detail = "";
  if (response.status !== 401 && response.status !== 403) {
    try {
      detail = upstreamErrorDetail(await response.text());
    } catch {
      detail = "";
    }
  } else {
    response.dump();
  }
  const retryAfterMs = parseRetryAfter(response.headers["retry-after"]);
  return new UpstreamError(classifyStatus(response.status), `${provider} answered ${response.status}${detail === "" ? "" : `: ${detail}`}`, {
    status: response.status,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
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
