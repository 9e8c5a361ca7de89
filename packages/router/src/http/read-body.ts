/** @module Reading a request body under a size limit, without buffering an oversize body. */
import type { IncomingMessage } from "node:http";
import { RouterError } from "../errors.ts";

/**
 * The default of `SWITCHYARD_MAX_BUFFERED_BYTES`, 128 MiB: four bodies at the default `router.maxBodyBytes` (32 MiB),
 * or some twenty-five requests carrying a phone photo each, at once.
 */
export const MAX_BUFFERED_BYTES = 128 * 1024 * 1024;

/**
 * Request-body bytes held in memory across every connection and both HTTP paths, against
 * `SWITCHYARD_MAX_BUFFERED_BYTES`: a body is counted from its head (its Content-Length, or as chunks
 * arrive) until it is read, and one that would pass the cap is refused with 503 `overloaded`.
 */
export class BodyBudget {
  used = 0;
  constructor(readonly max: number) {}
  /** Count `bytes` more; false (nothing counted) when that would pass the cap. */
  take(bytes: number): boolean {
    if (this.used + bytes > this.max) return false;
    this.used += bytes;
    return true;
  }
  give(bytes: number): void {
    this.used -= bytes;
  }
}

/** The answer to a body the budget cannot hold (the connection closes after it, its body never kept). */
export function overloaded(): RouterError {
  return new RouterError("overloaded", "the router holds too many request bodies right now; retry shortly", { headers: { "retry-after": "1" } });
}

function tooLarge(limit: number): RouterError {
  return new RouterError("body_too_large", `the request body exceeds the limit of ${limit} bytes`);
}

/**
 * Read the whole body as UTF-8. Rejects with `body_too_large` at once when Content-Length says so,
 * or as soon as the received bytes pass the limit (the rest is discarded, never buffered); with
 * `overloaded` when `budget` cannot hold it (counted from the Content-Length, or chunk by chunk; no
 * budget for bodies read behind checks of their own: the admin API, the dashboard).
 */
export function readBody(req: IncomingMessage, limit: number, budget?: BodyBudget): Promise<string> {
  const header = req.headers["content-length"];
  const declared = header === undefined ? undefined : Number(header);
  if (declared !== undefined && declared > limit) {
    discard(req);
    return Promise.reject(tooLarge(limit));
  }
  if (declared !== undefined && budget !== undefined && !budget.take(declared)) {
    discard(req);
    return Promise.reject(overloaded());
  }
  let held = budget === undefined ? 0 : (declared ?? 0);
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    const refuse = (error: RouterError): void => {
      cleanup();
      parts.length = 0;
      discard(req);
      reject(error);
    };
    const onData = (part: Buffer): void => {
      size += part.length;
      if (size > limit) return refuse(tooLarge(limit));
      if (declared === undefined && budget !== undefined) {
        if (!budget.take(part.length)) return refuse(overloaded());
        held += part.length;
      }
      parts.push(part);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(parts.length === 1 ? (parts[0] as Buffer).toString("utf8") : Buffer.concat(parts, size).toString("utf8"));
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };
    const cleanup = (): void => {
      budget?.give(held);
      held = 0;
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
    };
    req.on("data", onData);
    req.on("end", onEnd);
    // A connection that closes mid-body (the request timeout, the client gone) ends in "error" (node:http destroys
    // the request with `aborted`): its bytes are given back there.
    req.on("error", onError);
  });
}

/** Drop the rest of a body we refused: read and throw away, then drop the connection if it goes on too long. */
function discard(req: IncomingMessage): void {
  req.on("data", () => undefined);
  req.resume();
  const timer = setTimeout(() => req.socket.destroy(), 5_000);
  timer.unref();
  req.once("end", () => clearTimeout(timer));
  req.once("close", () => clearTimeout(timer));
}
