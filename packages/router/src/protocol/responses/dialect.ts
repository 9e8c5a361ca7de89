/**
 * @module OpenAI Responses (`POST /v1/responses`) as an inbound dialect: read.ts reads the request, write.ts writes
 * answers and streams. Loaded on the first Responses request (load.ts; a lazily unpacked chunk in router.mjs), so the
 * core's error class and key reader come in as `core` rather than as a second copy.
 */
import type { IncomingHttpHeaders } from "node:http";
import type { RouterError } from "../../errors.ts";
import type { Dialect, DialectRequest } from "../dialect.ts";
import { MAX_JSON_DEPTH, type tooDeep } from "../json.ts";
import { type ResponsesEcho, readResponsesRequest } from "./read.ts";
import { ResponsesStream, writeResponse } from "./write.ts";

/** What the dialect takes from the router's core. */
export interface ResponsesCore {
  RouterError: typeof RouterError;
  /** The key of `Authorization: Bearer <key>`, as Chat Completions reads it (OpenAI's clients send the same header). */
  bearerKey(headers: IncomingHttpHeaders): string;
  /** The nesting-depth check every dialect runs before walking a body (the core's copy: the chunk carries none). */
  tooDeep: typeof tooDeep;
}

export function createResponsesDialect(core: ResponsesCore): Dialect {
  return {
    name: "responses",
    apiKey: core.bearerKey,
    read(value: unknown): DialectRequest {
      const deep = core.tooDeep(value);
      if (deep !== undefined) throw new core.RouterError("invalid_request", `\`${deep}\` nests more than ${MAX_JSON_DEPTH} levels deep`, { param: deep });
      const read = readResponsesRequest(value);
      if (!read.ok) {
        const { code, message, param } = read.problem;
        throw new core.RouterError(code, message, param === undefined ? {} : { param });
      }
      return read.request;
    },
    completion: (completion, info, request) => writeResponse(completion, info, request.echo as ResponsesEcho),
    stream: (info, request) => new ResponsesStream(info, request.echo as ResponsesEcho),
    // OpenAI answers Responses errors in the same `{ error: { message, type, code, param } }` shape as Chat Completions.
    error: (error) => error.toJson(),
  };
}
