/** @module Turning a non-2xx upstream HTTP response into a classified UpstreamError. */
import { type TransportResponse, UpstreamError, classifyStatus, parseRetryAfter } from "./types.ts";

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
