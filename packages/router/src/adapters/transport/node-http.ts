/** @module The node:http transport: keep-alive agents from Node's standard library (zero bundle cost). */
import http from "node:http";
import https from "node:https";
import type { Transport, TransportRequest, TransportResponse } from "../types.ts";

/**
 * Keep-alive HTTP(S) agents from `node:http`/`node:https`. Used by router.mjs so the bundle stays
 * small (undici's parser alone is ~200 KB minified).
 */
export function nodeHttpTransport(options: { maxSockets?: number } = {}): Transport {
  // noDelay reaches net.createConnection: small request writes must not wait for Nagle.
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 256, scheduling: "lifo" as const, noDelay: true };
  const httpAgent = new http.Agent(agentOptions);
  const httpsAgent = new https.Agent(agentOptions);
  return {
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
              res.on("data", (part: Buffer) => parts.push(part));
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
