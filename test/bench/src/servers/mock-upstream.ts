/** @module The mock OpenAI-compatible upstream every system forwards to: a fixed small JSON reply, or an SSE stream. Runs as its own process. */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { FIRST_TOKEN_TEXT, UPSTREAM_MARKER } from "../constants.ts";

const interChunkMs = Number(process.env["BENCH_INTER_CHUNK_MS"] ?? "1");

function completion(model: string): Buffer {
  return Buffer.from(
    JSON.stringify({
      id: "chatcmpl-bench",
      object: "chat.completion",
      created: 1_700_000_000,
      model,
      choices: [{ index: 0, message: { role: "assistant", content: `Hello from ${UPSTREAM_MARKER}.` }, finish_reason: "stop" }],
      usage: { prompt_tokens: 12, completion_tokens: 6, total_tokens: 18 },
    }),
  );
}

function chunk(model: string, delta: Record<string, unknown>, finish: string | null, usage?: Record<string, number>): string {
  const body: Record<string, unknown> = {
    id: "chatcmpl-bench",
    object: "chat.completion.chunk",
    created: 1_700_000_000,
    model,
    choices: usage ? [] : [{ index: 0, delta, finish_reason: finish }],
  };
  if (usage) body["usage"] = usage;
  return `data: ${JSON.stringify(body)}\n\n`;
}

/** Replies are precomputed per upstream model name: the hot path does no serialising. */
const jsonCache = new Map<string, Buffer>();
const streamCache = new Map<string, { first: Buffer; rest: Buffer[]; usage: Buffer }>();

function streamParts(model: string): { first: Buffer; rest: Buffer[]; usage: Buffer } {
  let parts = streamCache.get(model);
  if (!parts) {
    parts = {
      first: Buffer.from(chunk(model, { role: "assistant", content: "" }, null)),
      rest: [
        Buffer.from(chunk(model, { content: FIRST_TOKEN_TEXT }, null)),
        Buffer.from(chunk(model, { content: "from " }, null)),
        Buffer.from(chunk(model, { content: `${UPSTREAM_MARKER}.` }, null)),
        Buffer.from(chunk(model, {}, "stop")),
      ],
      usage: Buffer.from(chunk(model, {}, null, { prompt_tokens: 12, completion_tokens: 6, total_tokens: 18 })),
    };
    streamCache.set(model, parts);
  }
  return parts;
}

const DONE = Buffer.from("data: [DONE]\n\n");
const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function stream(res: ServerResponse, model: string, includeUsage: boolean): Promise<void> {
  const parts = streamParts(model);
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  res.write(parts.first);
  for (const part of parts.rest) {
    if (interChunkMs > 0) await delay(interChunkMs);
    if (res.destroyed) return;
    res.write(part);
  }
  if (includeUsage) res.write(parts.usage);
  res.end(DONE);
}

function handle(req: IncomingMessage, res: ServerResponse, body: string): void {
  if (req.method === "GET" && req.url === "/healthz") {
    res.writeHead(200, { "content-type": "text/plain" }).end("ok");
    return;
  }
  if (req.method !== "POST" || !req.url?.endsWith("/chat/completions")) {
    res.writeHead(404, { "content-type": "application/json" }).end('{"error":{"message":"not found","type":"invalid_request_error","code":"not_found"}}');
    return;
  }
  let parsed: { model?: unknown; stream?: unknown; stream_options?: { include_usage?: unknown } };
  try {
    parsed = JSON.parse(body) as typeof parsed;
  } catch {
    res.writeHead(400, { "content-type": "application/json" }).end('{"error":{"message":"bad json","type":"invalid_request_error","code":"bad_json"}}');
    return;
  }
  const model = typeof parsed.model === "string" ? parsed.model : "unknown";
  if (parsed.stream === true) {
    void stream(res, model, parsed.stream_options?.include_usage === true);
    return;
  }
  let reply = jsonCache.get(model);
  if (!reply) {
    reply = completion(model);
    jsonCache.set(model, reply);
  }
  res.writeHead(200, { "content-type": "application/json", "content-length": reply.length });
  res.end(reply);
}

const server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => handle(req, res, Buffer.concat(chunks).toString("utf8")));
});
server.headersTimeout = 0;
server.requestTimeout = 0;
server.listen(Number(process.env["BENCH_UPSTREAM_PORT"] ?? "0"), "127.0.0.1", () => {
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ listening: port })}\n`);
});
process.on("SIGTERM", () => process.exit(0));
process.on("SIGINT", () => process.exit(0));
