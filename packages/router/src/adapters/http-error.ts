/** @module Turning a non-2xx upstream HTTP response into a classified UpstreamError. */
import { type Transport, type TransportRequest, type TransportResponse, UpstreamError, classifyStatus, parseRetryAfter, toUpstreamError } from "./types.ts";

/** Turn a non-2xx upstream response into an UpstreamError (reads a short message, never echoes auth errors' bodies). */
export async function upstreamHttpError(response: TransportResponse, provider: string): Promise<UpstreamError> {
  let detail = "";
  if (response.status !== 401 && response.status !== 403) {
    try {
      const text = await response.text();
      try {
        const parsed = JSON.parse(text) as { error?: { message?: unknown } | string; message?: unknown };
        const m = typeof parsed.error === "string" ? parsed.error : (parsed.error?.message ?? parsed.message);
        detail = typeof m === "string" ? m : text;
      } catch {
        detail = text;
      }
    } catch {
      detail = "";
    }
  } else {
    response.dump();
  }
  detail = detail.replace(/\s+/g, " ").trim().slice(0, 200);
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
