/**
 * @module A scripted upstream for the Responses tests: one server speaking OpenAI Chat Completions (`/v1/chat/completions`)
 * or Anthropic Messages (`/v1/messages`), plain and streamed, answering each request with the reply the test's script
 * chooses (text, function calls, a finish reason) and recording what it received. The wire formats follow OpenAI's and
 * Anthropic's documented shapes (stream chunks with `stream_options.include_usage`; Messages SSE events with `event:`).
 */
import type { IncomingHttpHeaders } from "node:http";
import { listen, readJson } from "../../helpers/http-server.ts";

export interface ScriptedReply {
  text?: string;
  /**
   * OpenAI kind only: the model's refusal, after any text (`message.refusal`; streamed as `delta.refusal` chunks, as
   * OpenAI streams one). Anthropic has no refusal text, only `stop_reason: "refusal"`.
   */
  refusal?: string;
  calls?: Array<{ id: string; name: string; arguments: string }>;
  /** The Chat Completions finish reason (`stop`, `tool_calls`, `length`); Anthropic's stop reason is derived from it. */
  finish?: "stop" | "tool_calls" | "length";
  /** Stream only: stop (cut the connection) after this many content chunks. */
  cutAfter?: number;
}

export interface ScriptedUpstream {
  baseUrl: string;
  requests: Array<{ path: string; headers: IncomingHttpHeaders; body: Record<string, unknown> }>;
  /** What to answer; called with each request's body. */
  script: (body: Record<string, unknown>) => ScriptedReply;
  close(): Promise<void>;
}

/** Usage each answer reports: OpenAI's with cached and reasoning details; Anthropic's with a cache read. */
export const OPENAI_USAGE = {
  prompt_tokens: 11,
  completion_tokens: 4,
  total_tokens: 15,
  prompt_tokens_details: { cached_tokens: 3 },
  completion_tokens_details: { reasoning_tokens: 1 },
};
export const ANTHROPIC_USAGE = { input_tokens: 8, output_tokens: 4, cache_read_input_tokens: 3, cache_creation_input_tokens: 0 };

const pieces = (text: string): string[] => text.match(/.{1,5}/gs) ?? [];

export async function startScriptedUpstream(kind: "openai" | "anthropic"): Promise<ScriptedUpstream> {
  const state: ScriptedUpstream = { baseUrl: "", requests: [], script: () => ({ text: `Hello from ${kind}` }), close: async () => undefined };
  const server = await listen(async (req, res) => {
    const body = await readJson(req);
    state.requests.push({ path: req.url ?? "", headers: req.headers, body });
    const scripted = state.script(body);
    // As Claude does under a forced tool (how the router asks Anthropic for structured output): the answer is that tool's input.
    const forced = body["tool_choice"] as { type?: string; name?: string } | undefined;
    const reply: ScriptedReply =
      kind === "anthropic" && forced?.type === "tool" && scripted.calls === undefined
        ? { ...scripted, text: "", calls: [{ id: "toolu_forced", name: String(forced.name), arguments: scripted.text ?? "{}" }] }
        : scripted;
    const text = reply.text ?? "";
    const calls = reply.calls ?? [];
    const finish = reply.finish ?? (calls.length > 0 ? "tool_calls" : "stop");
    const model = String(body["model"]);
    const stream = body["stream"] === true;
    if (kind === "openai") {
      if (req.url !== "/v1/chat/completions") return void res.writeHead(404).end();
      const toolCalls = calls.map((c) => ({ id: c.id, type: "function", function: { name: c.name, arguments: c.arguments } }));
      if (!stream) {
        res.writeHead(200, { "content-type": "application/json" });
        const message = {
          role: "assistant",
          content: text === "" ? null : text,
          refusal: reply.refusal ?? null,
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        };
        res.end(
          JSON.stringify({
            id: "chatcmpl-s1",
            object: "chat.completion",
            created: 1,
            model,
            choices: [{ index: 0, message, finish_reason: finish, logprobs: null }],
            usage: OPENAI_USAGE,
          }),
        );
        return;
      }
      res.writeHead(200, { "content-type": "text/event-stream" });
      const chunk = (delta: unknown, finishReason: string | null = null) =>
        `data: ${JSON.stringify({ id: "chatcmpl-s1", object: "chat.completion.chunk", created: 1, model, choices: [{ index: 0, delta, finish_reason: finishReason, logprobs: null }], usage: null })}\n\n`;
      const out = [chunk({ role: "assistant", content: "", refusal: null })];
      for (const p of pieces(text)) out.push(chunk({ content: p }));
      for (const p of pieces(reply.refusal ?? "")) out.push(chunk({ refusal: p }));
      calls.forEach((c, index) => {
        out.push(chunk({ tool_calls: [{ index, id: c.id, type: "function", function: { name: c.name, arguments: "" } }] }));
        for (const p of pieces(c.arguments)) out.push(chunk({ tool_calls: [{ index, function: { arguments: p } }] }));
      });
      if (reply.cutAfter !== undefined) {
        for (const part of out.slice(0, reply.cutAfter + 1)) res.write(part);
        setTimeout(() => res.socket?.destroy(), 30);
        return;
      }
      out.push(chunk({}, finish));
      out.push(`data: ${JSON.stringify({ id: "chatcmpl-s1", object: "chat.completion.chunk", created: 1, model, choices: [], usage: OPENAI_USAGE })}\n\n`);
      res.end(`${out.join("")}data: [DONE]\n\n`);
      return;
    }
    if (req.url !== "/v1/messages") return void res.writeHead(404).end();
    const stopReason = finish === "tool_calls" ? "tool_use" : finish === "length" ? "max_tokens" : "end_turn";
    if (!stream) {
      const content = [
        ...(text === "" ? [] : [{ type: "text", text }]),
        ...calls.map((c) => ({ type: "tool_use", id: c.id, name: c.name, input: JSON.parse(c.arguments) as unknown })),
      ];
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          id: "msg_s1",
          type: "message",
          role: "assistant",
          model,
          content,
          stop_reason: stopReason,
          stop_sequence: null,
          usage: ANTHROPIC_USAGE,
        }),
      );
      return;
    }
    res.writeHead(200, { "content-type": "text/event-stream" });
    const event = (type: string, data: Record<string, unknown>) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
    const start = {
      id: "msg_s1",
      type: "message",
      role: "assistant",
      content: [],
      model,
      stop_reason: null,
      stop_sequence: null,
      usage: { ...ANTHROPIC_USAGE, output_tokens: 1 },
    };
    const out = [event("message_start", { message: start })];
    let index = 0;
    if (text !== "") {
      out.push(event("content_block_start", { index, content_block: { type: "text", text: "" } }));
      for (const p of pieces(text)) out.push(event("content_block_delta", { index, delta: { type: "text_delta", text: p } }));
      out.push(event("content_block_stop", { index }));
      index++;
    }
    for (const c of calls) {
      out.push(event("content_block_start", { index, content_block: { type: "tool_use", id: c.id, name: c.name, input: {} } }));
      for (const p of pieces(c.arguments)) out.push(event("content_block_delta", { index, delta: { type: "input_json_delta", partial_json: p } }));
      out.push(event("content_block_stop", { index }));
      index++;
    }
    if (reply.cutAfter !== undefined) {
      for (const part of out.slice(0, reply.cutAfter + 2)) res.write(part);
      setTimeout(() => res.socket?.destroy(), 30);
      return;
    }
    out.push(event("message_delta", { delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: ANTHROPIC_USAGE.output_tokens } }));
    out.push(event("message_stop", {}));
    res.end(out.join(""));
  });
  state.baseUrl = `${server.url}/v1`;
  state.close = server.close;
  return state;
}
