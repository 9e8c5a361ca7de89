/** @module The node:http transport: keep-alive agents from Node's standard library (zero bundle cost). */
import http from "node:http";
import https from "node:https";
import { type Transport, type TransportRequest, type TransportResponse, tooLarge } from "../types.ts";
import { DEFAULT_MAX_UPSTREAM_BYTES } from "../limits.ts";
import { DEFAULT_MAX_SSE_LINE_BYTES } from "../sse.ts";

/**
 * Keep-alive HTTP(S) agents from `node:http`/`node:https`. Used by router.mjs so the bundle stays
 * small (undici's parser alone is ~200 KB minified).
 */
export function nodeHttpTransport(options: { maxSockets?: number; maxResponseBytes?: number; maxSseLineBytes?: number } = {}): Transport {
  const limits = {
    maxResponseBytes: options.maxResponseBytes ?? DEFAULT_MAX_UPSTREAM_BYTES,
    maxSseLineBytes: options.maxSseLineBytes ?? DEFAULT_MAX_SSE_LINE_BYTES,
  };
  // noDelay reaches net.createConnection: small request writes must not wait for Nagle.
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 256, scheduling: "lifo" as const, noDelay: true };
  const httpAgent = new http.Agent(agentOptions);
  const httpsAgent = new https.Agent(agentOptions);
  return {
    limits,
    post(request: TransportRequest): Promise<TransportResponse> {
      return new Promise((resolve, reject) => {
        const secure = request.url.protocol === "https:";
        const body = request.body;
        const req = (secure ? https : http).request(request.url, {
          method: "POST",
          agent: secure ? httpsAgent : httpAgent,
          headers: { ...request.headers, "content-length": String(Buffer.byteLength(body)) },
          signal: request.signal,
        });
        req.once("error", reject);
        req.once("response", (res) => {
          // Event listeners, not `for await`: async iteration over a Readable costs far more per response.
          const bytes = (): Promise<Buffer> =>
            new Promise<Buffer>((resolveBytes, rejectBytes) => {
              const parts: Buffer[] = [];
              let size = 0;
              res.on("data", (part: Buffer) => {
                size += part.length;
                parts.push(part);
                if (size <= limits.maxResponseBytes) return;
                parts.length = 0;
                rejectBytes(tooLarge(limits.maxResponseBytes)); // before destroy(), whose events reject too
                res.destroy();
              });
              res.once("error", rejectBytes);
              res.once("end", () => {
                if (!res.complete) rejectBytes(Object.assign(new Error("upstream closed the response before its end"), { code: "ECONNRESET" }));
                else resolveBytes(parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts));
              });
              res.once("aborted", () => rejectBytes(Object.assign(new Error("upstream closed the response before its end"), { code: "ECONNRESET" })));
            });
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: res,
            bytes,
            text: async () => (await bytes()).toString("utf8"),
            dump() {
              res.resume();
            },
          });
        });
        req.end(body);
      });
    },
    async close(): Promise<void> {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}
