/**
 * @module Writing the router's internal answer in Anthropic's shape: a `message`, the stream's events
 * (`message_start`, `ping`, `content_block_start` / `_delta` / `_stop`, `message_delta`, `message_stop`, `error`) and
 * the error body.
 */
import type { ChatCompletion, ChatCompletionChunk, Usage } from "../chat.ts";
import type { AnswerInfo, StreamEncoder } from "../dialect.ts";
import { STOP_SEQUENCE } from "../stop-sequence.ts";
import type { MessagesAnswer, MessagesErrorBody, MessagesErrorType, MessagesOutputBlock, MessagesStopReason, MessagesUsage } from "./wire.ts";

/** The message id of an answer: the router's request id, so a client's log and the router's traces meet. */
export function messageId(info: AnswerInfo): string {
  return `msg_${info.requestId}`;
}

/** Anthropic's usage from the internal (OpenAI-meaning) usage: `input_tokens` excludes cache reads and writes. */
export function messagesUsage(usage: Usage | null | undefined): MessagesUsage {
  const details = usage?.prompt_tokens_details;
  const cached = details?.cached_tokens ?? 0;
  const written = details?.cache_write_tokens ?? 0;
  return {
    input_tokens: Math.max(0, (usage?.prompt_tokens ?? 0) - cached - written),
    output_tokens: usage?.completion_tokens ?? 0,
    cache_read_input_tokens: cached,
    cache_creation_input_tokens: written,
  };
}

/**
 * How an answer ended, in Anthropic's terms: its stop reason for a chat finish reason, and the stop sequence. A refusal
 * is `refusal`; an answer with tool calls is `tool_use` whatever its finish reason. `stop` is `stop_sequence` with the
 * sequence when the upstream said one ended it (`stopSequence`, from STOP_SEQUENCE: anthropic- and bedrock-kind), else
 * `end_turn`: an OpenAI-kind answer's `stop` does not say whether a stop sequence ended it.
 */
export function ending(
  finish: string | null | undefined,
  toolCalls: boolean,
  refused: boolean,
  stopSequence: string | undefined,
): { stop_reason: MessagesStopReason; stop_sequence: string | null } {
  if (refused) return { stop_reason: "refusal", stop_sequence: null };
  if (toolCalls || finish === "tool_calls" || finish === "function_call") return { stop_reason: "tool_use", stop_sequence: null };
  if (finish === "length") return { stop_reason: "max_tokens", stop_sequence: null };
  if (finish === "content_filter") return { stop_reason: "refusal", stop_sequence: null };
  return stopSequence === undefined ? { stop_reason: "end_turn", stop_sequence: null } : { stop_reason: "stop_sequence", stop_sequence: stopSequence };
}

/** A tool call's JSON arguments as a tool_use block's `input` (arguments that are not a JSON object are kept under `_raw`). */
export function toolInput(args: string): unknown {
  if (args.trim() === "") return {};
  try {
    const input: unknown = JSON.parse(args);
    return typeof input === "object" && input !== null && !Array.isArray(input) ? input : { _raw: args };
  } catch {
    return { _raw: args };
  }
}

/**
 * A finished chat completion as an Anthropic `message` body. Anthropic has no refusal block: a refusal's words are text
 * (after any text before it, in one block, as a stream sends them) and the stop reason is `refusal`.
 */
export function messageAnswer(completion: ChatCompletion, info: AnswerInfo): string {
  const choice = completion.choices[0];
  const content: MessagesOutputBlock[] = [];
  const text = (choice?.message.content ?? "") + (choice?.message.refusal ?? "");
  const refused = (choice?.message.refusal ?? "") !== "";
  if (text !== "") content.push({ type: "text", text });
  const calls = choice?.message.tool_calls ?? [];
  for (const call of calls) content.push({ type: "tool_use", id: call.id, name: call.function.name, input: toolInput(call.function.arguments) });
  const { stop_reason, stop_sequence } = ending(choice?.finish_reason, calls.length > 0, refused, choice?.[STOP_SEQUENCE]);
  const answer: MessagesAnswer = {
    id: messageId(info),
    type: "message",
    role: "assistant",
    model: completion.model === "" ? info.route : completion.model,
    content,
    stop_reason,
    stop_sequence,
    usage: messagesUsage(completion.usage),
  };
  return JSON.stringify(answer);
}

/** One SSE event in Anthropic's framing: the `event:` line names the type the data repeats. */
function event(type: string, data: Record<string, unknown>): string {
  return `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
}

/**
 * An encoder writing internal chunks as Anthropic's stream events. `message_start` carries the router's estimate of
 * the input tokens (the upstream's count comes with the last chunk); `message_delta` carries the upstream's usage,
 * which clients (the SDK's MessageStream) take over the start's. Text and tool calls open content blocks in order;
 * each block is closed when the next opens.
 */
export function messagesStream(info: AnswerInfo, estimatedInputTokens: number): StreamEncoder {
  let started = false;
  /** The index of the last block opened, and what kind it is while it is open. */
  let index = -1;
  let open: "text" | "tool_use" | undefined;
  /** Chat tool-call index → its content block's index. */
  const toolBlocks = new Map<number, number>();
  let finish: string | null = null;
  /** The stop sequence that ended the answer, when the upstream said (on the chunk with the finish reason). */
  let stopSequence: string | undefined;
  /** Whether the answer carried a refusal: its words went out as text, and the stop reason says `refusal`. */
  let refused = false;
  let usage: Usage | null | undefined;

  const start = (model: string): string => {
    started = true;
    const message = {
      id: messageId(info),
      type: "message",
      role: "assistant",
      model: model === "" ? info.route : model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: estimatedInputTokens, output_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
    };
    return event("message_start", { message }) + event("ping", {});
  };
  const close = (): string => {
    if (open === undefined) return "";
    open = undefined;
    return event("content_block_stop", { index });
  };
  const text = (value: string): string => {
    let out = "";
    if (open !== "text") {
      out += close();
      index++;
      open = "text";
      out += event("content_block_start", { index, content_block: { type: "text", text: "" } });
    }
    return out + event("content_block_delta", { index, delta: { type: "text_delta", text: value } });
  };

  return {
    chunk(chunk: ChatCompletionChunk): string {
      let out = started ? "" : start(chunk.model);
      if (chunk.usage !== undefined && chunk.usage !== null) usage = chunk.usage;
      const choice = chunk.choices[0];
      if (choice === undefined) return out;
      const delta = choice.delta;
      if (typeof delta.content === "string" && delta.content !== "") out += text(delta.content);
      if (typeof delta.refusal === "string" && delta.refusal !== "") {
        out += text(delta.refusal);
        refused = true;
      }
      for (const call of delta.tool_calls ?? []) {
        let block = toolBlocks.get(call.index);
        if (block === undefined) {
          out += close();
          block = ++index;
          open = "tool_use";
          toolBlocks.set(call.index, block);
          const id = call.id ?? `toolu_${info.requestId}_${call.index}`;
          out += event("content_block_start", { index: block, content_block: { type: "tool_use", id, name: call.function?.name ?? "", input: {} } });
        }
        const args = call.function?.arguments;
        if (typeof args === "string" && args !== "")
          out += event("content_block_delta", { index: block, delta: { type: "input_json_delta", partial_json: args } });
      }
      if (choice.finish_reason !== null && choice.finish_reason !== undefined) {
        finish = choice.finish_reason;
        stopSequence = choice[STOP_SEQUENCE];
      }
      return out;
    },
    end(): string {
      const head = started ? "" : start("");
      const delta = ending(finish, toolBlocks.size > 0, refused, stopSequence);
      return head + close() + event("message_delta", { delta, usage: messagesUsage(usage) }) + event("message_stop", {});
    },
    fail(message: string): string {
      return event("error", { error: { type: "api_error", message: `the upstream stream failed after the response started: ${message}` } });
    },
  };
}

/** Anthropic's error type for an HTTP status (their table: docs "HTTP errors"). */
export function errorType(status: number): MessagesErrorType {
  switch (status) {
    case 401:
      return "authentication_error";
    case 403:
      return "permission_error";
    case 404:
      return "not_found_error";
    case 413:
      return "request_too_large";
    case 429:
      return "rate_limit_error";
    case 503:
    case 529:
      return "overloaded_error";
    default:
      return status >= 500 ? "api_error" : "invalid_request_error";
  }
}

/** An error body in Anthropic's shape; `details.error_code` is the router's code (the SDK shows it as `errorCode`). */
export function messagesError(error: { status: number; code: string; message: string }): string {
  const body: MessagesErrorBody = { type: "error", error: { type: errorType(error.status), message: error.message, details: { error_code: error.code } } };
  return JSON.stringify(body);
}
