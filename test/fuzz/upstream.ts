/**
 * @module An OpenAI-compatible upstream for the fuzz and soak harnesses: well-behaved by default (so any
 * 5xx the router answers is caused by the request), or fault-injecting per request for the soak run.
 * Unlike test/helpers/fake-openai.ts it never parses the body (a 100k-deep or invalid body must not
 * throw here) and never crashes on what the router forwards.
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** What the upstream does with one request. */
export type UpstreamFault = "ok" | "error-500" | "error-429" | "reset" | "slow-stream" | "long-stream" | "hang" | "cut-mid-stream";

export interface Upstream {
  /** OpenAI-style base URL (`…/v1`). */
  baseUrl: string;
  /** Requests received so far, by the fault they got. */
  counts: Map<UpstreamFault, number>;
  close(): Promise<void>;
}

/** Start on 127.0.0.1:0. `fault(i)` picks the behaviour of the i-th request (default: always "ok"). */
export async function startUpstream(fault: (index: number) => UpstreamFault = () => "ok"): Promise<Upstream> {
  const sockets = new Set<Socket>();
  const counts = new Map<UpstreamFault, number>();
  let index = 0;
  const server: Server = createServer({ keepAliveTimeout: 5_000 }, (req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on("error", () => undefined);
    res.on("error", () => undefined);
    req.on("end", () => {
      const f = fault(index++);
      counts.set(f, (counts.get(f) ?? 0) + 1);
      // The router asks for a stream with `Accept: text/event-stream` (the body is never parsed here).
      if ((req.url ?? "").endsWith("/embeddings") && f === "ok") answerEmbeddings(res);
      else answer(res, f, (req.headers.accept ?? "").includes("text/event-stream"));
    });
  });
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
    s.on("error", () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    counts,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

const chunk = (delta: Record<string, unknown>, finish: string | null = null): string =>
  `data: ${JSON.stringify({ id: "chatcmpl-up", object: "chat.completion.chunk", created: 1, model: "up", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
const USAGE = { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 };
const COMPLETION = JSON.stringify({
  id: "chatcmpl-up",
  object: "chat.completion",
  created: 1,
  model: "up",
  choices: [{ index: 0, message: { role: "assistant", content: "Hello from upstream" }, finish_reason: "stop", logprobs: null }],
  usage: USAGE,
});
const WORDS = ["Hello ", "from ", "upstream"];
/** One 4-dimensional vector, whatever the input (the fuzz release's embedding model declares `dimensions: 4`). */
const EMBEDDINGS = JSON.stringify({
  object: "list",
  data: [{ object: "embedding", index: 0, embedding: [0.5, 0.5, 0.5, 0.5] }],
  model: "up-embed",
  usage: { prompt_tokens: 2, total_tokens: 2 },
});

function answerEmbeddings(res: ServerResponse): void {
  res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(EMBEDDINGS) });
  res.end(EMBEDDINGS);
}

function answer(res: ServerResponse, fault: UpstreamFault, stream: boolean): void {
  switch (fault) {
    case "hang":
      return;
    case "reset":
      res.socket?.destroy();
      return;
    case "error-500":
    case "error-429": {
      const status = fault === "error-500" ? 500 : 429;
      res.writeHead(status, { "content-type": "application/json", ...(status === 429 ? { "retry-after": "0" } : {}) });
      res.end(JSON.stringify({ error: { message: `upstream ${status}`, type: "server_error", code: null } }));
      return;
    }
    case "ok":
    case "slow-stream":
    case "long-stream":
    case "cut-mid-stream":
      break;
  }
  if (!stream) {
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(COMPLETION) });
    res.end(COMPLETION);
    return;
  }
  res.writeHead(200, { "content-type": "text/event-stream" });
  // long-stream: an LLM-shaped answer, 20 tokens 50 ms apart (1 s), then usage.
  const words = fault === "long-stream" ? Array.from({ length: 20 }, (_, i) => `tok${i} `) : WORDS;
  const parts = [chunk({ role: "assistant", content: "" }), ...words.map((w) => chunk({ content: w })), chunk({}, "stop")];
  if (fault === "long-stream")
    parts.push(`data: ${JSON.stringify({ id: "chatcmpl-up", object: "chat.completion.chunk", created: 1, model: "up", choices: [], usage: USAGE })}\n\n`);
  if (fault === "ok") {
    res.end(`${parts.join("")}data: [DONE]\n\n`);
    return;
  }
  // slow-stream: a chunk every 300 ms; long-stream: every 50 ms; cut-mid-stream: two chunks then the socket is destroyed.
  let i = 0;
  const step = (): void => {
    if (res.destroyed) return;
    if (fault === "cut-mid-stream" && i === 2) return void res.socket?.destroy();
    if (i === parts.length) return void res.end("data: [DONE]\n\n");
    res.write(parts[i++]);
    setTimeout(step, fault === "slow-stream" ? 300 : fault === "long-stream" ? 50 : 5);
  };
  step();
}
