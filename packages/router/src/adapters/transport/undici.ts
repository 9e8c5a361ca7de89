/** @module The undici transport: one keep-alive `Pool` per upstream origin (the workspace default). */
import { Pool } from "undici";
import type { Transport, TransportRequest, TransportResponse } from "../types.ts";

/**
 * HTTP/1.1 keep-alive pools per origin over undici. Fast, but undici's bundled HTTP parser is large,
 * so router.mjs uses the node:http transport unless the bundle asks for this one.
 *
 * @example const transport = undiciTransport(); await transport.post({ url, headers, body, signal });
 */
export function undiciTransport(options: { connections?: number } = {}): Transport {
  const pools = new Map<string, Pool>();
  const poolFor = (origin: string): Pool => {
    let pool = pools.get(origin);
    if (pool === undefined) {
      pool = new Pool(origin, { connections: options.connections ?? 128, pipelining: 1, keepAliveTimeout: 30_000, headersTimeout: 0, bodyTimeout: 0 });
      pools.set(origin, pool);
    }
    return pool;
  };
  return {
    async post(request: TransportRequest): Promise<TransportResponse> {
      const { statusCode, headers, body } = await poolFor(request.url.origin).request({
        path: request.url.pathname + request.url.search,
        method: "POST",
        headers: request.headers,
        body: request.body,
        signal: request.signal,
      });
      return {
        status: statusCode,
        headers,
        body,
        text: () => body.text(),
        bytes: async () => {
          const bytes = await body.bytes();
          return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        },
        dump: () => {
          body.dump().catch(() => undefined);
        },
      };
    },
    async close(): Promise<void> {
      const all = [...pools.values()];
      pools.clear();
      await Promise.all(all.map((p) => p.destroy().catch(() => undefined)));
    },
  };
}
