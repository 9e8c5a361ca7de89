/** @module The undici transport: one keep-alive `Pool` per upstream origin (the workspace default). */
import { Pool } from "undici";
import { type Transport, type TransportRequest, type TransportResponse, tooLarge } from "../types.ts";
import { DEFAULT_MAX_UPSTREAM_BYTES } from "../limits.ts";
import { DEFAULT_MAX_SSE_LINE_BYTES } from "../sse.ts";

/**
 * HTTP/1.1 keep-alive pools per origin over undici. Fast, but undici's bundled HTTP parser is large,
 * so router.mjs uses the node:http transport unless the bundle asks for this one.
 *
 * @example const transport = undiciTransport(); await transport.post({ url, headers, body, signal });
 */
export function undiciTransport(options: { connections?: number; maxResponseBytes?: number; maxSseLineBytes?: number } = {}): Transport {
  const limits = {
    maxResponseBytes: options.maxResponseBytes ?? DEFAULT_MAX_UPSTREAM_BYTES,
    maxSseLineBytes: options.maxSseLineBytes ?? DEFAULT_MAX_SSE_LINE_BYTES,
  };
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
    limits,
    async post(request: TransportRequest): Promise<TransportResponse> {
      const { statusCode, headers, body } = await poolFor(request.url.origin).request({
        path: request.url.pathname + request.url.search,
        method: "POST",
        headers: request.headers,
        body: request.body,
        signal: request.signal,
      });
      // Read whole with a running count: past the cap the body (and its connection) is destroyed.
      const bytes = async (): Promise<Buffer> => {
        const parts: Buffer[] = [];
        let size = 0;
        for await (const part of body) {
          size += (part as Buffer).length;
          if (size > limits.maxResponseBytes) {
            body.destroy();
            throw tooLarge(limits.maxResponseBytes);
          }
          parts.push(part as Buffer);
        }
        return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, size);
      };
      return {
        status: statusCode,
        headers,
        body,
        text: async () => (await bytes()).toString("utf8"),
        bytes,
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
