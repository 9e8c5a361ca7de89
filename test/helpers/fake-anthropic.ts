/**
 * @module A local server speaking Anthropic's Messages API (non-streaming and SSE, incl. tool use) for tests; with
 * `vertex`, as Claude on Vertex AI: at `/v1/projects/{project}/locations/{location}/publishers/anthropic/models/{m}:rawPredict`
 * (`:streamRawPredict` for streams), the body's `anthropic_version: "vertex-2023-10-16"` and no `model`, only
 * `Authorization: Bearer` with `accessToken` (no `x-api-key`, no `anthropic-version` header).
 */
import type { IncomingHttpHeaders } from "node:http";
import { listen, readJson } from "./http-server.ts";
import { stopAt } from "./stop-sequences.ts";

export interface FakeAnthropic {
  /** Base URL as the adapter expects it (`…/v1`); with `vertex`, the origin a vertex provider's `baseUrl` takes. */
  baseUrl: string;
  requests: Array<{ path: string; headers: IncomingHttpHeaders; body: Record<string, unknown> }>;
  /** With `vertex`: the only bearer token accepted; others answer 401 in Google's shape. */
  accessToken: string | undefined;
  /**
   * When set, the next requests answer this error (`overloaded_error` → 529) instead, in Anthropic's error shape, or
   * with `google` (a status: `RESOURCE_EXHAUSTED`) in Google's, as Vertex AI answers its own quota's 429.
   */
  failWith: { status: number; type: string; message?: string; google?: string } | undefined;
  /** When set, a stream sends an `error` event after message_start. */
  streamError: boolean;
  /**
   * When set, the answer's usage (e.g. with `cache_read_input_tokens`); a stream sends its input-side counts in
   * message_start and `output_tokens` in message_delta (the input-side counts `null` there, as the API may).
   */
  usage: Record<string, number> | undefined;
  close(): Promise<void>;
}

const TEXT = "Hello from Claude";

/** What Anthropic answers for a `tool_use.id` or `tool_result.tool_use_id` outside `^[a-zA-Z0-9_-]+$`, or undefined. */
function toolIdProblem(body: Record<string, unknown>): string | undefined {
  const messages = Array.isArray(body["messages"]) ? (body["messages"] as Array<{ content?: unknown }>) : [];
  for (const [i, m] of messages.entries()) {
    if (!Array.isArray(m.content)) continue;
    for (const [j, block] of (m.content as Array<Record<string, unknown>>).entries()) {
      const field = block["type"] === "tool_use" ? "id" : block["type"] === "tool_result" ? "tool_use_id" : undefined;
      if (field !== undefined && !/^[a-zA-Z0-9_-]+$/.test(String(block[field])))
        return `messages.${i}.content.${j}.${String(block["type"])}.${field}: String should match pattern '^[a-zA-Z0-9_-]+$'`;
    }
  }
  return undefined;
}

/**
 * Start the fake. It answers with a `tool_use` block calling the first tool when tool_choice forces
 * a tool (`any`/`tool`), otherwise with TEXT, cut before the first of the request's `stop_sequences` it holds (then
 * `stop_reason: "stop_sequence"` with that `stop_sequence`, as Anthropic answers); usage is input 12 / output 5.
 */
export async function startFakeAnthropic(options: { vertex?: { project: string; location: string } } = {}): Promise<FakeAnthropic> {
  const vertex = options.vertex;
  const state: FakeAnthropic = {
    baseUrl: "",
    requests: [],
    accessToken: undefined,
    failWith: undefined,
    streamError: false,
    usage: undefined,
    close: async () => undefined,
  };
  const publisher = vertex === undefined ? undefined : `/v1/projects/${vertex.project}/locations/${vertex.location}/publishers/anthropic/models/`;
  const server = await listen(async (req, res) => {
    const body = await readJson(req);
    const url = req.url ?? "";
    state.requests.push({ path: url, headers: req.headers, body });
    if (publisher !== undefined && req.headers.authorization !== `Bearer ${state.accessToken ?? "none"}`) {
      res.writeHead(401, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { code: 401, message: "Request had invalid authentication credentials.", status: "UNAUTHENTICATED" } }));
      return;
    }
    // Vertex: the model in the path, the method by whether the body streams; Anthropic: /v1/messages with its headers.
    const vertexModel =
      publisher !== undefined && url.startsWith(publisher) ? /^([^/:]+):(rawPredict|streamRawPredict)$/.exec(url.slice(publisher.length)) : null;
    const wellAddressed =
      publisher === undefined
        ? url === "/v1/messages" && req.headers["anthropic-version"] === "2023-06-01" && typeof req.headers["x-api-key"] === "string"
        : vertexModel !== null &&
          (vertexModel[2] === "streamRawPredict") === (body["stream"] === true) &&
          body["anthropic_version"] === "vertex-2023-10-16" &&
          !("model" in body) &&
          req.headers["anthropic-version"] === undefined &&
          req.headers["x-api-key"] === undefined;
    if (!wellAddressed) {
      res.writeHead(400, { "content-type": "application/json" });
      res.end(JSON.stringify({ type: "error", error: { type: "invalid_request_error", message: "bad path, headers or body" } }));
      return;
    }
    if (typeof body["max_tokens"] !== "number") {
      res.writeHead(400, { "content-type": "application/json" });
      res.end(JSON.stringify({ type: "error", error: { type: "invalid_request_error", message: "max_tokens: Field required" } }));
      return;
    }
    // Anthropic's own check of the history's tool ids (the message the API gives).
    const badId = toolIdProblem(body);
    if (badId !== undefined) {
      res.writeHead(400, { "content-type": "application/json" });
      res.end(JSON.stringify({ type: "error", error: { type: "invalid_request_error", message: badId } }));
      return;
    }
    if (state.failWith !== undefined) {
      res.writeHead(state.failWith.status, { "content-type": "application/json" });
      const { status, type, message = "Overloaded", google } = state.failWith;
      res.end(JSON.stringify(google === undefined ? { type: "error", error: { type, message } } : { error: { code: status, message, status: google } }));
      return;
    }
    const model = vertexModel !== null ? decodeURIComponent(vertexModel[1] ?? "") : String(body["model"]);
    const tools = body["tools"] as Array<{ name: string }> | undefined;
    const choice = body["tool_choice"] as { type: string; name?: string } | undefined;
    const tool = tools !== undefined && choice !== undefined && (choice.type === "any" || choice.type === "tool") ? (choice.name ?? tools[0]?.name) : undefined;
    const usage = state.usage ?? { input_tokens: 12, output_tokens: 5 };
    const answer = stopAt(TEXT, body["stop_sequences"]);
    const stopReason = tool !== undefined ? "tool_use" : answer.stop !== null ? "stop_sequence" : "end_turn";
    const stopSequence = tool !== undefined ? null : answer.stop;
    if (body["stream"] !== true) {
      const content =
        tool !== undefined
          ? [
              { type: "text", text: "Let me check." },
              { type: "tool_use", id: "toolu_01", name: tool, input: { city: "Paris" } },
            ]
          : answer.text === ""
            ? []
            : [{ type: "text", text: answer.text }];
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          id: "msg_01",
          type: "message",
          role: "assistant",
          model,
          content,
          stop_reason: stopReason,
          stop_sequence: stopSequence,
          usage,
        }),
      );
      return;
    }
    res.writeHead(200, { "content-type": "text/event-stream" });
    const send = (type: string, data: Record<string, unknown>) => res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
    send("message_start", {
      message: {
        id: "msg_01",
        type: "message",
        role: "assistant",
        content: [],
        model,
        stop_reason: null,
        stop_sequence: null,
        usage: { ...usage, output_tokens: 1 },
      },
    });
    if (state.streamError) {
      send("error", { error: { type: "overloaded_error", message: "Overloaded" } });
      res.end();
      return;
    }
    send("content_block_start", { index: 0, content_block: { type: "text", text: "" } });
    send("ping", {});
    const words = tool !== undefined ? ["Let ", "me ", "check."] : answer.text.split(/(?<= )/).filter((word) => word !== "");
    for (const w of words) send("content_block_delta", { index: 0, delta: { type: "text_delta", text: w } });
    send("content_block_stop", { index: 0 });
    if (tool !== undefined) {
      send("content_block_start", { index: 1, content_block: { type: "tool_use", id: "toolu_01", name: tool, input: {} } });
      for (const part of ['{"city"', ': "Par', 'is"}']) send("content_block_delta", { index: 1, delta: { type: "input_json_delta", partial_json: part } });
      send("content_block_stop", { index: 1 });
    }
    send("message_delta", {
      delta: { stop_reason: stopReason, stop_sequence: stopSequence },
      usage:
        state.usage === undefined
          ? { output_tokens: 5 }
          : { output_tokens: usage["output_tokens"], input_tokens: null, cache_read_input_tokens: null, cache_creation_input_tokens: null },
    });
    send("message_stop", {});
    res.end();
  });
  state.baseUrl = vertex === undefined ? `${server.url}/v1` : server.url;
  state.close = server.close;
  return state;
}
