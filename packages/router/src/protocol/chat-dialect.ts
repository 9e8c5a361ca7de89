/** @module OpenAI Chat Completions as an inbound dialect: the router's internal shape, so answers pass through as they come. */
import type { IncomingHttpHeaders } from "node:http";
import { RouterError } from "../errors.ts";
import { bearerToken } from "../runtime/auth.ts";
import { type ChatBody, validateChatBody } from "./chat.ts";
import type { Dialect, DialectRequest, StreamEncoder } from "./dialect.ts";

/**
 * The key of `Authorization: Bearer <key>` (OpenAI's clients). Throws `missing_api_key` for a missing or malformed
 * header, naming what to send.
 */
export function bearerKey(headers: IncomingHttpHeaders): string {
  const header = headers.authorization;
  const key = bearerToken(header);
  if (key === undefined) {
    throw new RouterError(
      "missing_api_key",
      header === undefined ? "missing Authorization header: send `Authorization: Bearer <team key>`" : "the Authorization header must be `Bearer <team key>`",
    );
  }
  return key;
}

const DONE = "data: [DONE]\n\n";

/** The one SSE error event that ends a chat stream which failed after its 200 went out (no `[DONE]`). */
function failFrame(message: string): string {
  const payload = {
    error: { message: `the upstream stream failed after the response started: ${message}`, type: "upstream_error", code: "stream_interrupted", param: null },
  };
  return `data: ${JSON.stringify(payload)}\n\n`;
}

/** Chunks as they came (the upstream's text when unchanged); the usage-only chunk only when the client asked for it. */
function chatStream(body: ChatBody): StreamEncoder {
  const includeUsage = body.stream_options?.include_usage === true;
  return {
    chunk: (chunk, raw, usageOnly) => (usageOnly && !includeUsage ? "" : `data: ${raw ?? JSON.stringify(chunk)}\n\n`),
    end: () => DONE,
    fail: failFrame,
  };
}

export const chatDialect: Dialect = {
  name: "chat",
  native: true,
  apiKey: bearerKey,
  read(value: unknown): DialectRequest {
    const body = validateChatBody(value);
    return { body, stream: body.stream === true };
  },
  completion: (completion) => JSON.stringify(completion),
  stream: (_info, request) => chatStream(request.body),
  error: (error) => error.toJson(),
};
