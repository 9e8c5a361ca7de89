/**
 * @module Anthropic's Messages API as an inbound dialect (`POST /v1/messages`, `POST /v1/messages/count_tokens`):
 * the Anthropic SDK and Claude Code, over any provider kind. Loaded on first use (./index.ts): in router.mjs it is a
 * lazily unpacked chunk, so it takes the router's own parts (RouterError, the Bearer reader, the token estimate) from
 * `core` rather than importing them.
 */
import type { IncomingHttpHeaders } from "node:http";
import type { RouterError } from "../../errors.ts";
import type { ChatBody } from "../chat.ts";
import type { tooDeep } from "../json.ts";
import type { Dialect, DialectRequest } from "../dialect.ts";
import { type Fail, readMessagesRequest } from "./read.ts";
import { messageAnswer, messagesError, messagesStream } from "./write.ts";

/** The router's parts the dialect uses, passed in by ./index.ts's caller. */
export interface MessagesCore {
  RouterError: typeof RouterError;
  /** The key of `Authorization: Bearer <key>` (throws `missing_api_key` for a malformed header). */
  bearerKey(headers: IncomingHttpHeaders): string;
  /** The router's prompt-token estimate of an internal request (messages and tool definitions). */
  promptTokens(body: ChatBody): number;
  /** protocol/json.ts's depth check (the core's copy: the chunk carries none). */
  tooDeep: typeof tooDeep;
}

/** The Messages dialect, with the token-count endpoint's reader and answer. */
export interface MessagesDialect extends Dialect {
  /** Read a `count_tokens` body (a Messages body without `max_tokens`). */
  readCount(value: unknown, headers: IncomingHttpHeaders): DialectRequest;
  /** The `count_tokens` answer for an internal request: `{ "input_tokens": N }`, the router's estimate. */
  countTokens(body: ChatBody): string;
}

/** The wire format the router speaks; later versions extend it and are accepted, earlier ones (2023-01-01) are not. */
export const ANTHROPIC_VERSION = "2023-06-01";

export function createMessagesDialect(core: MessagesCore): MessagesDialect {
  const { RouterError } = core;
  const fail: Fail = (param, problem) => {
    throw new RouterError("invalid_request", `\`${param}\` ${problem}`, { param });
  };
  /** `anthropic-version` may be left out (the router answers in 2023-06-01's format); a version before that is refused. */
  const checkVersion = (headers: IncomingHttpHeaders): void => {
    const version = headers["anthropic-version"];
    if (version === undefined) return;
    if (typeof version !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(version) || version < ANTHROPIC_VERSION) {
      throw new RouterError("invalid_request", `the anthropic-version header must be ${ANTHROPIC_VERSION} or later, got ${JSON.stringify(version)}`, {
        param: "anthropic-version",
      });
    }
  };
  const read = (value: unknown, headers: IncomingHttpHeaders, count: boolean): DialectRequest => {
    checkVersion(headers);
    return readMessagesRequest(value, fail, count, core.tooDeep);
  };
  return {
    name: "messages",
    apiKey(headers) {
      const key = headers["x-api-key"];
      if (typeof key === "string" && key !== "") return key;
      if (headers.authorization !== undefined) return core.bearerKey(headers);
      throw new RouterError("missing_api_key", "missing API key: send `x-api-key: <team key>` (or `Authorization: Bearer <team key>`)");
    },
    read: (value, headers) => read(value, headers, false),
    readCount: (value, headers) => read(value, headers, true),
    completion: (completion, info) => messageAnswer(completion, info),
    stream: (info, request) => messagesStream(info, core.promptTokens(request.body)),
    // An upstream's own refusal passed through (`wire`) keeps the upstream's code.
    error: (error) => messagesError({ status: error.status, message: error.message, code: error.wire?.code ?? error.code }),
    countTokens: (body) => JSON.stringify({ input_tokens: core.promptTokens(body) }),
  };
}
