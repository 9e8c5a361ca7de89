/** @module Writing answers: JSON bodies, errors in a dialect's shape, the router's response headers, back-pressure. */
import type { Candidate } from "../core/index.ts";
import { RouterError } from "../errors.ts";
import type { RequestContext } from "../execute/context.ts";
import type { RequestCancel } from "../execute/timers.ts";
import { ClientGoneError } from "../execute/timers.ts";
import type { Dialect } from "../protocol/dialect.ts";
import type { ResponseLike } from "./fast-path.ts";

export const JSON_TYPE = "application/json";

export const SSE_HEADERS = ["content-type", "text/event-stream; charset=utf-8", "cache-control", "no-cache", "x-accel-buffering", "no"];

export function sendJson(res: ResponseLike, status: number, body: string): void {
  res.writeHead(status, { "content-type": JSON_TYPE, "content-length": Buffer.byteLength(body) });
  res.end(body);
}

/** An error answer: the RouterError's status and headers, its body in the dialect's shape (OpenAI's without one). */
export function sendError(res: ResponseLike, error: RouterError, dialect?: Dialect): void {
  if (res.headersSent) {
    if (!res.writableEnded) res.end();
    return;
  }
  if (!res.hasHeader("x-switchyard-attempts")) res.setHeader("x-switchyard-attempts", "0");
  for (const [name, value] of Object.entries(error.headers ?? {})) res.setHeader(name, value);
  // Their bodies are left unread: the connection cannot carry another request.
  if (error.code === "body_too_large" || error.code === "overloaded") res.setHeader("connection", "close");
  sendJson(res, error.status, dialect === undefined ? error.toJson() : dialect.error(error));
}

export function methodNotAllowed(method: string, allowed: string): RouterError {
  return new RouterError("method_not_allowed", `${method} is not allowed here; use ${allowed}`, {
    headers: { allow: allowed === "GET" ? "GET, HEAD" : allowed },
  });
}

export function stampIds<S extends ResponseLike>(res: S, id: string, hash: string): S {
  res.setHeader("x-switchyard-request-id", id);
  res.setHeader("x-switchyard-config-version", hash);
  return res;
}

/**
 * A served answer's headers as one flat list for writeHead: setHeader per header would build a
 * header map and a [name, value] pair each, per request (the error path sets the same list one by one).
 */
export function answerHeaders(
  ctx: RequestContext,
  route: string | undefined,
  tail: readonly string[],
  answered: Candidate | undefined = ctx.answered,
): string[] {
  // Sized up front: grown by push, the list would be copied two or three times.
  const out = new Array<string>(32);
  let n = 0;
  out[n++] = "x-switchyard-request-id";
  out[n++] = ctx.id;
  out[n++] = "x-switchyard-config-version";
  out[n++] = ctx.release.hash;
  if (route !== undefined) {
    out[n++] = "x-switchyard-route";
    out[n++] = route;
  }
  const extra = ctx.responseHeaders;
  if (extra !== undefined) {
    for (const name in extra) {
      out[n++] = name;
      out[n++] = extra[name] as string;
    }
  }
  out[n++] = "x-switchyard-attempts";
  out[n++] = String(ctx.attempts.length);
  if (answered !== undefined) {
    out[n++] = "x-switchyard-model";
    out[n++] = answered.model;
    out[n++] = "x-switchyard-provider";
    out[n++] = answered.provider;
  }
  for (let i = 0; i < tail.length; i++) out[n++] = tail[i] as string;
  out.length = n;
  return out;
}

/**
 * The last-resort answer of a request whose handler threw: a 500 `internal_error` (or the RouterError
 * thrown) when nothing was written yet, else the connection is cut (a half-sent answer must not look
 * complete). Never throws: a failure here destroys the connection, so nothing reaches unhandledRejection.
 */
export function answerFailure(res: ResponseLike, error: unknown, id: string, hash: string, dialect?: Dialect): void {
  try {
    if (res.writableEnded) return;
    if (res.headersSent) return res.destroy();
    sendError(stampIds(res, id, hash), error instanceof RouterError ? error : new RouterError("internal_error", "internal error"), dialect);
  } catch {
    res.destroy();
  }
}

/** Wait until the client can take more (or is gone: then reject with the cancellation reason). */
export function drain(res: ResponseLike, cancel: RequestCancel): Promise<void> {
  return new Promise((resolve, reject) => {
    if (cancel.reason !== undefined) return reject(cancel.reason);
    const done = (): void => {
      res.off("drain", done);
      res.off("close", done);
      if (res.destroyed && !res.writableFinished) reject(cancel.reason ?? new ClientGoneError("client went away"));
      else resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}
