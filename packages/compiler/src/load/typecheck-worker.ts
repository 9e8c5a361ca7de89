/**
 * @module load/typecheck-worker — the body of the type-check thread (load/typecheck-thread.ts starts
 * it): loads TypeScript once, then answers one request per compile with the diagnostics of the file
 * and its location data, all plain data.
 */
import { parentPort } from "node:worker_threads";
import { saveCodeCaches } from "./code-cache.ts";
import { collectLocations } from "./locations.ts";
import { loadSourceFile, typeCheck, warmUp } from "./typecheck.ts";
import type { TypeCheckReply, TypeCheckRequest } from "./typecheck-thread.ts";

const port = parentPort;
if (port === null) throw new Error("load/typecheck-worker.ts runs in a worker thread");

try {
  warmUp();
} catch {
  // The request does the same work again and reports what fails.
}

port.on("message", (request: TypeCheckRequest) => {
  let reply: TypeCheckReply;
  try {
    const sourceFile = loadSourceFile(request.file);
    const checked = typeCheck(sourceFile);
    const locations = collectLocations(sourceFile.compilerNode);
    // After a full type-check the cache holds the checker's compiled functions too.
    if (!checked.syntaxErrors) saveCodeCaches();
    reply = { id: request.id, ok: true, checked, locations };
  } catch (error) {
    reply = {
      id: request.id,
      ok: false,
      message: error instanceof Error ? error.message : String(error),
      ...(error instanceof Error && error.stack ? { stack: error.stack } : {}),
    };
  }
  port.postMessage(reply, reply.ok ? [reply.locations.spans.buffer as ArrayBuffer] : []);
});
