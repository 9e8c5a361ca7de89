/** @module A fault-injecting OpenAI-compatible upstream for tests: each request follows a scripted behaviour. */
import type { IncomingHttpHeaders } from "node:http";
import { answerEmbeddings } from "./fake-embeddings.ts";
import { listen, readJson } from "./http-server.ts";

/** What the fake does with one request. */
export type Behaviour =
  | {
      kind: "ok";
      text?: string;
      delayMs?: number;
      chunkDelayMs?: number;
      usage?: { prompt_tokens: number; completion_tokens: number; [detail: string]: unknown };
    }
  | { kind: "status"; status: number; retryAfter?: string; message?: string; type?: string; code?: string; param?: string }
  | { kind: "hang" }
  | { kind: "reset-mid-body" }
  | { kind: "garbage" }
  | { kind: "slow-first-token"; ms: number; text?: string }
  | { kind: "cut-before-first-chunk" }
  | { kind: "cut-mid-stream"; afterChunks: number }
  | { kind: "error-mid-stream"; afterChunks: number }
  /**
   * Stream the role chunk, then `cut` the socket, `end` the body, send an `error` event, `hang`, or
   * `continue` with the text once `release` settles (defaults to "Hello from fake").
   */
  | { kind: "preamble-then"; then: "cut" | "end" | "error" | "hang" | "continue"; release?: Promise<void>; text?: string };

export interface ReceivedRequest {
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
  path: string;
}

export interface FakeOpenAi {
  url: string;
  /** OpenAI-style base URL (`…/v1`). */
  baseUrl: string;
  requests: ReceivedRequest[];
  /** Responses the client (the router) abandoned before they finished. */
  abandoned(): number;
  /** Replace the script: called with the 0-based request index. */
  setScript(script: (index: number) => Behaviour): void;
  close(): Promise<void>;
}

const words = (text: string): string[] => text.match(/\S+\s*/g) ?? [];

/** What OpenAI answers for a history with a tool-call id over 40 characters (its message and `param`), or undefined. */
function toolCallIdProblem(body: Record<string, unknown>): { message: string; param: string } | undefined {
  const messages = Array.isArray(body["messages"]) ? (body["messages"] as Array<Record<string, unknown>>) : [];
  for (const [i, m] of messages.entries()) {
    const calls = Array.isArray(m["tool_calls"]) ? (m["tool_calls"] as Array<{ id?: unknown }>) : [];
    for (const [j, call] of calls.entries()) {
      if (typeof call.id === "string" && call.id.length > 40) {
        const param = `messages[${i}].tool_calls[${j}].id`;
        return {
          param,
          message: `Invalid '${param}': string too long. Expected a string with maximum length 40, but got a string with length ${call.id.length} instead.`,
        };
      }
    }
  }
  return undefined;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Start a fake on 127.0.0.1. Answers `POST /v1/chat/completions`, streaming or not, and `POST /v1/embeddings`, echoing the
 * requested model; default text "Hello from fake" with usage {prompt 7, completion 3}.
 */
export async function startFakeOpenAi(script: (index: number) => Behaviour = () => ({ kind: "ok" })): Promise<FakeOpenAi> {
  let current = script;
  let abandoned = 0;
  const requests: ReceivedRequest[] = [];
  const server = await listen(async (req, res) => {
    res.on("close", () => {
      if (!res.writableFinished) abandoned++;
    });
    const body = await readJson(req);
    const index = requests.length;
    requests.push({ headers: req.headers, body, path: req.url ?? "" });
    const b = current(index);
    const model = String(body["model"]);
    const stream = body["stream"] === true;
    const id = `chatcmpl-fake-${index}`;
    const chunk = (delta: Record<string, unknown>, finish: string | null = null, usage?: unknown) =>
      `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created: 1, model, choices: [{ index: 0, delta, finish_reason: finish }], ...(usage !== undefined ? { usage } : {}) })}\n\n`;
    // OpenAI's own check of a chat history (before any scripted behaviour): a tool-call id of more than 40 characters is refused.
    const refused = toolCallIdProblem(body);
    if (refused !== undefined) {
      res.writeHead(400, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: refused.message, type: "invalid_request_error", param: refused.param, code: "string_above_max_length" } }));
      return;
    }
    // `POST /v1/embeddings` (fake-embeddings.ts): answered when the script says "ok"; the other behaviours apply as to chat.
    if (b.kind === "ok" && (req.url ?? "").endsWith("/embeddings")) return answerEmbeddings(res, body);
    switch (b.kind) {
      case "status":
        res.writeHead(b.status, { "content-type": "application/json", ...(b.retryAfter !== undefined ? { "retry-after": b.retryAfter } : {}) });
        res.end(
          JSON.stringify({
            error: {
              message: b.message ?? `fake ${b.status}`,
              type: b.type ?? "server_error",
              ...(b.code !== undefined ? { code: b.code, param: b.param ?? null } : {}),
            },
          }),
        );
        return;
      case "hang":
        return; // never answers
      case "garbage":
        if (stream) {
          res.writeHead(200, { "content-type": "text/event-stream" });
          res.end("data: {not json\n\n");
        } else {
          res.writeHead(200, { "content-type": "application/json" });
          res.end("{ this is not json");
        }
        return;
      case "reset-mid-body":
        res.writeHead(200, { "content-type": stream ? "text/event-stream" : "application/json", ...(stream ? {} : { "content-length": "500" }) });
        res.write(stream ? "" : '{"id":"x","choices":[');
        setTimeout(() => res.socket?.destroy(), 10);
        return;
      case "cut-before-first-chunk":
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.flushHeaders();
        setTimeout(() => res.socket?.destroy(), 10);
        return;
      case "ok":
      case "slow-first-token":
      case "preamble-then":
      case "cut-mid-stream":
      case "error-mid-stream":
        break; // answered below
    }
    const text = (b.kind === "ok" || b.kind === "slow-first-token" || b.kind === "preamble-then" ? b.text : undefined) ?? "Hello from fake";
    const usage = { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10, ...(b.kind === "ok" ? b.usage : {}) };
    if (b.kind === "ok" && b.delayMs !== undefined) await sleep(b.delayMs);
    if (!stream) {
      if (b.kind === "slow-first-token") await sleep(b.ms);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          id,
          object: "chat.completion",
          created: 1,
          model,
          choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: "stop", logprobs: null }],
          usage,
        }),
      );
      return;
    }
    res.writeHead(200, { "content-type": "text/event-stream" });
    res.flushHeaders();
    if (b.kind === "slow-first-token") await sleep(b.ms);
    const includeUsage = (body["stream_options"] as { include_usage?: boolean } | undefined)?.include_usage === true;
    const parts = [
      chunk({ role: "assistant", content: "" }, null, includeUsage ? null : undefined),
      ...words(text).map((w) => chunk({ content: w }, null, includeUsage ? null : undefined)),
    ];
    for (const [i, part] of parts.entries()) {
      if ((b.kind === "cut-mid-stream" || b.kind === "error-mid-stream") && i === b.afterChunks) {
        if (b.kind === "error-mid-stream") res.end(`data: ${JSON.stringify({ error: { message: "fake exploded mid-stream" } })}\n\n`);
        else setTimeout(() => res.socket?.destroy(), 30); // let the chunks already written reach the router first
        return;
      }
      res.write(part);
      if (b.kind === "ok" && b.chunkDelayMs !== undefined) await sleep(b.chunkDelayMs);
      if (b.kind === "preamble-then" && i === 0) {
        if (b.then === "hang") return;
        if (b.then === "end") return void res.end();
        if (b.then === "error") return void res.end(`data: ${JSON.stringify({ error: { message: "fake exploded after its preamble" } })}\n\n`);
        if (b.then === "cut") return void setTimeout(() => res.socket?.destroy(), 10);
        await b.release;
      }
    }
    res.write(chunk({}, "stop", includeUsage ? null : undefined));
    if (includeUsage) res.write(`data: ${JSON.stringify({ id, object: "chat.completion.chunk", created: 1, model, choices: [], usage })}\n\n`);
    res.end("data: [DONE]\n\n");
  });
  return {
    url: server.url,
    baseUrl: `${server.url}/v1`,
    requests,
    abandoned: () => abandoned,
    setScript(next) {
      current = next;
    },
    close: server.close,
  };
}
