/**
 * @module The long-stream mock upstream of `pnpm bench:streams`: every streamed chat request gets a
 * role chunk at once, then BENCH_STREAM_CHUNKS content chunks BENCH_INTER_CHUNK_MS apart, a finish
 * chunk, the usage chunk (when asked) and `[DONE]`. Each content chunk carries the time it was written
 * (`tk@<µs, CLOCK_MONOTONIC, 15 digits>#`, 20 characters: 5 tokens by the router's chars/4 estimate),
 * so the client can take the upstream's own gap between two chunks from the chunks themselves.
 * `GET /__stats` answers what it served: open sockets, streams open, and per stream id (the last
 * user message's `stream-<id>`) the chunks written and, for a stream cut before its end, when its
 * response closed. Runs as its own process.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { PROMPT_TOKENS, TOKENS_PER_CHUNK, UPSTREAM_MARKER } from "../constants.ts";

const chunks = Number(process.env["BENCH_STREAM_CHUNKS"] ?? "200");
const interChunkMs = Number(process.env["BENCH_INTER_CHUNK_MS"] ?? "50");

/** Microseconds on the monotonic clock every process of the bench shares (process.hrtime is CLOCK_MONOTONIC). */
function micros(): number {
  const [s, ns] = process.hrtime();
  return s * 1e6 + Math.floor(ns / 1e3);
}

const head = (model: string): string =>
  `{"id":"chatcmpl-stream","object":"chat.completion.chunk","created":1700000000,"model":${JSON.stringify(model)},"choices":[`;
function content(model: string, at: number): string {
  return `data: ${head(model)}{"index":0,"delta":{"content":"tk@${String(at).padStart(15, "0")}# "},"finish_reason":null}]}\n\n`;
}

interface StreamRecord {
  id: string;
  /** Content chunks written. */
  sent: number;
  /** µs when the response closed before its end (the router cut the upstream request); undefined while open or when it ended. */
  cutAtUs?: number;
  ended: boolean;
}

const streams = new Map<string, StreamRecord>();
const sockets = new Set<Socket>();
let open = 0;

function streamId(body: { messages?: { content?: unknown }[] }): string {
  const last = body.messages?.at(-1)?.content;
  const match = typeof last === "string" ? /stream-(\S+)$/.exec(last) : null;
  return match?.[1] ?? `anon-${streams.size}`;
}

function stream(res: ServerResponse, model: string, includeUsage: boolean, record: StreamRecord): void {
  open++;
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  res.write(`data: ${head(model)}{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}\n\n`);
  let timer: ReturnType<typeof setTimeout> | undefined;
  res.on("close", () => {
    open--;
    if (timer !== undefined) clearTimeout(timer);
    if (!record.ended) record.cutAtUs = micros();
  });
  const step = (): void => {
    timer = undefined;
    if (res.destroyed) return;
    if (record.sent < chunks) {
      record.sent++;
      res.write(content(model, micros()));
      timer = setTimeout(step, interChunkMs);
      return;
    }
    record.ended = true;
    let tail = `data: ${head(model)}{"index":0,"delta":{"content":" ${UPSTREAM_MARKER}"},"finish_reason":"stop"}]}\n\n`;
    if (includeUsage) {
      const usage = { prompt_tokens: PROMPT_TOKENS, completion_tokens: chunks * TOKENS_PER_CHUNK, total_tokens: PROMPT_TOKENS + chunks * TOKENS_PER_CHUNK };
      tail += `data: ${head(model)}],"usage":${JSON.stringify(usage)}}\n\n`;
    }
    res.end(`${tail}data: [DONE]\n\n`);
  };
  timer = setTimeout(step, interChunkMs);
}

function handle(req: IncomingMessage, res: ServerResponse, text: string): void {
  if (req.method === "GET" && req.url === "/__stats") {
    const list = [...streams.values()];
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ openSockets: sockets.size, openStreams: open, streams: list }));
    return;
  }
  if (req.method === "POST" && req.url === "/__reset") {
    streams.clear();
    res.writeHead(204).end();
    return;
  }
  if (req.method === "GET" && req.url === "/healthz") {
    res.writeHead(200, { "content-type": "text/plain" }).end("ok");
    return;
  }
  if (req.method !== "POST" || !req.url?.endsWith("/chat/completions")) {
    res.writeHead(404, { "content-type": "application/json" }).end('{"error":{"message":"not found","type":"invalid_request_error","code":"not_found"}}');
    return;
  }
  let body: { model?: unknown; stream?: unknown; stream_options?: { include_usage?: unknown }; messages?: { content?: unknown }[] };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    res.writeHead(400, { "content-type": "application/json" }).end('{"error":{"message":"bad json","type":"invalid_request_error","code":"bad_json"}}');
    return;
  }
  const model = typeof body.model === "string" ? body.model : "unknown";
  if (body.stream !== true) {
    const reply = JSON.stringify({
      id: "chatcmpl-stream",
      object: "chat.completion",
      created: 1_700_000_000,
      model,
      choices: [{ index: 0, message: { role: "assistant", content: `Hello from ${UPSTREAM_MARKER}.` }, finish_reason: "stop" }],
      usage: { prompt_tokens: PROMPT_TOKENS, completion_tokens: 6, total_tokens: PROMPT_TOKENS + 6 },
    });
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(reply) }).end(reply);
    return;
  }
  const record: StreamRecord = { id: streamId(body), sent: 0, ended: false };
  streams.set(record.id, record);
  stream(res, model, body.stream_options?.include_usage === true, record);
}

const server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
  const parts: Buffer[] = [];
  req.on("data", (c: Buffer) => parts.push(c));
  req.on("end", () => handle(req, res, Buffer.concat(parts).toString("utf8")));
});
server.on("connection", (socket: Socket) => {
  sockets.add(socket);
  socket.on("close", () => sockets.delete(socket));
});
server.headersTimeout = 0;
server.requestTimeout = 0;
// A burst of thousands of connects must not overflow the accept queue (the kernel caps it at somaxconn).
server.listen({ port: Number(process.env["BENCH_UPSTREAM_PORT"] ?? "0"), host: "127.0.0.1", backlog: 4096 }, () => {
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ listening: port })}\n`);
});
process.on("SIGTERM", () => process.exit(0));
process.on("SIGINT", () => process.exit(0));
