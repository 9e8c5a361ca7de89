/** @module Reading a request body under a size limit, without buffering an oversize body. */
import type { IncomingMessage } from "node:http";
import { RouterError } from "../errors.ts";

function tooLarge(limit: number): RouterError {
  return new RouterError("body_too_large", `the request body exceeds the limit of ${limit} bytes`);
}

/**
 * Read the whole body as UTF-8. Rejects with `body_too_large` at once when Content-Length says so,
 * or as soon as the received bytes pass the limit (the rest is discarded, never buffered).
 */
export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = req.headers["content-length"];
  if (declared !== undefined && Number(declared) > limit) {
    discard(req);
    return Promise.reject(tooLarge(limit));
  }
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    const onData = (part: Buffer): void => {
      size += part.length;
      if (size > limit) {
        cleanup();
        parts.length = 0;
        discard(req);
        reject(tooLarge(limit));
        return;
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
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
    };
    req.on("data", onData);
    req.on("end", onEnd);
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
