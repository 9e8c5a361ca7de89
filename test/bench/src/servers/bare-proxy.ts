/**
 * @module The `bare-proxy` system: the least a Node router can do — node:http in, an undici Pool with
 * keep-alive out, no routing. Runs as its own process. Reading the small request body whole and writing
 * the reply chunks as they come measured ~2× faster here than `body: req` + `pipeline()` (undici's
 * stream-body path), so this is the fairer ceiling.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { once } from "node:events";
import { Pool } from "undici";

const upstream = process.env["BENCH_UPSTREAM_ORIGIN"];
if (!upstream) {
  process.stderr.write("bare-proxy: BENCH_UPSTREAM_ORIGIN is not set\n");
  process.exit(2);
}
/** Upstream connections at most (BENCH_POOL_CONNECTIONS; 256 by default): a long stream holds one for its whole length. */
const pool = new Pool(upstream, { connections: Number(process.env["BENCH_POOL_CONNECTIONS"] ?? "256"), pipelining: 1, keepAliveTimeout: 60_000 });

/** Hop-by-hop headers are per connection (RFC 9110 §7.6.1) and never forwarded. */
const HOP = new Set(["connection", "keep-alive", "transfer-encoding", "upgrade", "proxy-connection", "te", "trailer", "host"]);

function forwardable(raw: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    if (!HOP.has(name)) out[name] = raw[i + 1]!;
  }
  return out;
}

const server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => forward(req, res, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
});
/** The request body is read whole (a chat request is small; any router reads it to route), the reply streamed back. */
function forward(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
  pool
    .request({ method: "POST", path: req.url ?? "/", headers: forwardable(req.rawHeaders), body })
    .then(async (upstreamRes) => {
      const headers: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(upstreamRes.headers)) {
        if (value !== undefined && !HOP.has(name)) headers[name] = value;
      }
      res.writeHead(upstreamRes.statusCode, headers);
      for await (const chunk of upstreamRes.body) {
        if (!res.write(chunk)) await once(res, "drain");
      }
      res.end();
    })
    .catch((error: unknown) => {
      if (!res.headersSent) {
        res.writeHead(502, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { message: String(error), type: "bad_gateway", code: "upstream_failed" } }));
      } else {
        res.destroy();
      }
    });
}
server.headersTimeout = 0;
server.requestTimeout = 0;
// The accept queue: the bench gives every system it can the same (BENCH_LISTEN_BACKLOG), Node's default 511 otherwise.
server.listen({ port: 0, host: "127.0.0.1", backlog: Number(process.env["BENCH_LISTEN_BACKLOG"] ?? "511") }, () => {
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ listening: port })}\n`);
});
process.on("SIGTERM", () => process.exit(0));
process.on("SIGINT", () => process.exit(0));
