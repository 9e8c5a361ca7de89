/**
 * @module Writing the router's internal answer as OpenAI Responses: a finished completion as a `response` object, a
 * streamed one as Responses' server-sent events (`response.created` … `response.completed`, each with `event:` and a
 * `sequence_number`). Pure; one StreamEncoder per streamed request keeps that stream's items.
 */
import type { ChatCompletion, ChatCompletionChunk, Usage } from "../chat.ts";
import type { AnswerInfo, StreamEncoder } from "../dialect.ts";
import type { ResponsesEcho } from "./read.ts";

/** An output item of a `response`: an assistant message or a function call. */
export type OutputItem =
  | {
      id: string;
      type: "message";
      status: "in_progress" | "completed" | "incomplete";
      role: "assistant";
      content: Array<{ type: "output_text"; text: string; annotations: []; logprobs: [] } | { type: "refusal"; refusal: string }>;
    }
  | { id: string; type: "function_call"; status: "in_progress" | "completed" | "incomplete"; call_id: string; name: string; arguments: string };

export interface ResponsesUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

/** Responses' usage from the internal (OpenAI Chat Completions) usage: input counts cached tokens too, as OpenAI's does. */
export function responsesUsage(usage: Usage): ResponsesUsage {
  return {
    input_tokens: usage.prompt_tokens,
    input_tokens_details: { cached_tokens: usage.prompt_tokens_details?.cached_tokens ?? 0 },
    output_tokens: usage.completion_tokens,
    output_tokens_details: { reasoning_tokens: usage.completion_tokens_details?.reasoning_tokens ?? 0 },
    total_tokens: usage.total_tokens,
  };
}

/** The request id as the tail of Responses ids (`resp_…`, `msg_…`, `fc_…`): letters, digits and `_` only. */
const idTail = (requestId: string): string => requestId.replace(/[^A-Za-z0-9_]/g, "");

/** How a finish reason ends a response: `length` and `content_filter` leave it incomplete, saying why. */
function outcome(finish: string | null | undefined): { status: "completed" | "incomplete"; incomplete: { reason: string } | null } {
  if (finish === "length") return { status: "incomplete", incomplete: { reason: "max_output_tokens" } };
  if (finish === "content_filter") return { status: "incomplete", incomplete: { reason: "content_filter" } };
  return { status: "completed", incomplete: null };
}

/** A `response` object: the answer's items and usage with the request's settings, as OpenAI's API answers it. */
function responseObject(
  info: AnswerInfo,
  echo: ResponsesEcho,
  model: string,
  status: "in_progress" | "completed" | "incomplete" | "failed",
  output: OutputItem[],
  extra: { incomplete?: { reason: string } | null; usage?: ResponsesUsage | null; error?: { code: string; message: string } | null },
): Record<string, unknown> {
  return {
    id: `resp_${idTail(info.requestId)}`,
    object: "response",
    created_at: Math.floor(info.createdAt / 1000),
    status,
    background: false,
    error: extra.error ?? null,
    incomplete_details: extra.incomplete ?? null,
    instructions: echo.instructions,
    max_output_tokens: echo.max_output_tokens,
    model,
    output,
    parallel_tool_calls: echo.parallel_tool_calls,
    previous_response_id: null,
    reasoning: { effort: null, summary: null },
    store: false,
    temperature: echo.temperature,
    text: echo.text,
    tool_choice: echo.tool_choice,
    tools: echo.tools,
    top_p: echo.top_p,
    truncation: "disabled",
    usage: extra.usage ?? null,
    user: echo.user,
    metadata: echo.metadata ?? {},
  };
}

/** A finished completion as a Responses `response` body. */
export function writeResponse(completion: ChatCompletion, info: AnswerInfo, echo: ResponsesEcho): string {
  const choice = completion.choices[0];
  const { status, incomplete } = outcome(choice?.finish_reason);
  const tail = idTail(info.requestId);
  const output: OutputItem[] = [];
  const message = choice?.message;
  const content: Extract<OutputItem, { type: "message" }>["content"] = [];
  if (typeof message?.content === "string" && message.content !== "")
    content.push({ type: "output_text", text: message.content, annotations: [], logprobs: [] });
  if (typeof message?.refusal === "string" && message.refusal !== "") content.push({ type: "refusal", refusal: message.refusal });
  if (content.length > 0) output.push({ id: `msg_${tail}_0`, type: "message", status, role: "assistant", content });
  (message?.tool_calls ?? []).forEach((call) => {
    output.push({
      id: `fc_${tail}_${output.length}`,
      type: "function_call",
      status: "completed",
      call_id: call.id,
      name: call.function.name,
      arguments: call.function.arguments,
    });
  });
  const usage = completion.usage === undefined ? null : responsesUsage(completion.usage);
  return JSON.stringify(responseObject(info, echo, completion.model, status, output, { incomplete, usage }));
}

/** A message's content part while it streams: text (`output_text`) or a refusal, its index in the message's content. */
interface OpenPart {
  type: "output_text" | "refusal";
  index: number;
  text: string;
}

/** A streamed part as a message's content part, with the text it has so far. */
function partOf(part: OpenPart): Extract<OutputItem, { type: "message" }>["content"][number] {
  return part.type === "refusal" ? { type: "refusal", refusal: part.text } : { type: "output_text", text: part.text, annotations: [], logprobs: [] };
}

/** The open item a stream is writing, with what it has sent so far. */
interface OpenItem {
  item: OutputItem;
  index: number;
  /** The arguments (function call) streamed so far. */
  text: string;
  /** A message's part being streamed; its finished parts are in the item's `content`. */
  part?: OpenPart;
}

/**
 * A stream's events: the response is created at the first chunk; text or refusal deltas open a message item (and in it
 * an `output_text` or `refusal` part, as OpenAI streams them), a tool call's first delta opens a function-call item
 * (closing the item before it); the end closes the last item and sends `response.completed` (or
 * `response.incomplete`) with every item and the usage.
 */
export class ResponsesStream implements StreamEncoder {
  private sequence = 0;
  private started = false;
  private model = "";
  private finish: string | null = null;
  private usage: Usage | undefined;
  private readonly items: OpenItem[] = [];
  private current: OpenItem | undefined;
  /** Chat tool-call index → its item. */
  private readonly calls = new Map<number, OpenItem>();
  private readonly tail: string;

  constructor(
    private readonly info: AnswerInfo,
    private readonly echo: ResponsesEcho,
  ) {
    this.tail = idTail(info.requestId);
  }

  private event(type: string, fields: Record<string, unknown>): string {
    return `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: this.sequence++, ...fields })}\n\n`;
  }

  private snapshot(status: "in_progress" | "completed" | "incomplete" | "failed", extra: Parameters<typeof responseObject>[5] = {}): Record<string, unknown> {
    return responseObject(
      this.info,
      this.echo,
      this.model,
      status,
      this.items.map((open) => open.item),
      extra,
    );
  }

  private start(chunk: ChatCompletionChunk | undefined): string {
    if (this.started) return "";
    this.started = true;
    if (chunk !== undefined && typeof chunk.model === "string") this.model = chunk.model;
    const response = this.snapshot("in_progress");
    return this.event("response.created", { response }) + this.event("response.in_progress", { response });
  }

  /** The events that finish a message's open part (its whole text, then the finished part), which joins the item's content. */
  private closePart(open: OpenItem): string {
    const { item, index, part } = open;
    if (part === undefined || item.type !== "message") return "";
    open.part = undefined;
    const done = partOf(part);
    item.content.push(done);
    const at = { item_id: item.id, output_index: index, content_index: part.index };
    const whole =
      part.type === "refusal"
        ? this.event("response.refusal.done", { ...at, refusal: part.text })
        : this.event("response.output_text.done", { ...at, text: part.text, logprobs: [] });
    return whole + this.event("response.content_part.done", { ...at, part: done });
  }

  /** The events that finish the current item (its text or arguments final, its status completed). */
  private close(): string {
    const open = this.current;
    if (open === undefined) return "";
    this.current = undefined;
    const { item, index } = open;
    item.status = "completed";
    if (item.type === "function_call") {
      item.arguments = open.text;
      return (
        this.event("response.function_call_arguments.done", { item_id: item.id, output_index: index, name: item.name, arguments: open.text }) +
        this.event("response.output_item.done", { output_index: index, item })
      );
    }
    return this.closePart(open) + this.event("response.output_item.done", { output_index: index, item });
  }

  private open(item: OutputItem): { open: OpenItem; text: string } {
    const text = this.close();
    const open: OpenItem = { item, index: this.items.length, text: "" };
    this.items.push(open);
    this.current = open;
    return { open, text: text + this.event("response.output_item.added", { output_index: open.index, item }) };
  }

  /**
   * Text or a refusal streamed into the current message (opened if the current item is not one), in a part of its kind:
   * a switch from text to refusal (or back) finishes the part and opens the next, so neither is ever dropped or mixed.
   */
  private message(type: OpenPart["type"], delta: string): string {
    let out = "";
    let open = this.current;
    if (open === undefined || open.item.type !== "message") {
      const opened = this.open({ id: `msg_${this.tail}_${this.items.length}`, type: "message", status: "in_progress", role: "assistant", content: [] });
      open = opened.open;
      out += opened.text;
    }
    const { item, index } = open;
    if (item.type !== "message") return out;
    let part = open.part;
    if (part === undefined || part.type !== type) {
      out += this.closePart(open);
      part = { type, index: item.content.length, text: "" };
      open.part = part;
      const empty = type === "refusal" ? { type, refusal: "" } : { type, text: "", annotations: [], logprobs: [] };
      out += this.event("response.content_part.added", { item_id: item.id, output_index: index, content_index: part.index, part: empty });
    }
    part.text += delta;
    const at = { item_id: item.id, output_index: index, content_index: part.index, delta };
    return out + (type === "refusal" ? this.event("response.refusal.delta", at) : this.event("response.output_text.delta", { ...at, logprobs: [] }));
  }

  chunk(chunk: ChatCompletionChunk, _raw: string | undefined, usageOnly: boolean): string {
    let out = this.start(chunk);
    if (chunk.usage !== undefined && chunk.usage !== null) this.usage = chunk.usage;
    if (usageOnly) return out;
    const choice = chunk.choices[0];
    if (choice === undefined) return out;
    const delta = choice.delta;
    // Text and a refusal in one delta go out in that order, as a finished answer's parts are.
    if (typeof delta.content === "string" && delta.content !== "") out += this.message("output_text", delta.content);
    if (typeof delta.refusal === "string" && delta.refusal !== "") out += this.message("refusal", delta.refusal);
    for (const call of delta.tool_calls ?? []) {
      let open = this.calls.get(call.index);
      if (open === undefined) {
        const opened = this.open({
          id: `fc_${this.tail}_${this.items.length}`,
          type: "function_call",
          status: "in_progress",
          call_id: call.id ?? `call_${this.tail}_${call.index}`,
          name: call.function?.name ?? "",
          arguments: "",
        });
        open = opened.open;
        this.calls.set(call.index, open);
        out += opened.text;
      }
      const args = call.function?.arguments;
      if (typeof args === "string" && args !== "") {
        open.text += args;
        if (open.item.type === "function_call" && open !== this.current) open.item.arguments = open.text; // a late delta to a closed call
        out += this.event("response.function_call_arguments.delta", { item_id: open.item.id, output_index: open.index, delta: args });
      }
    }
    if (choice.finish_reason !== null && choice.finish_reason !== undefined) this.finish = choice.finish_reason;
    return out;
  }

  end(): string {
    let out = this.start(undefined) + this.close();
    const { status, incomplete } = outcome(this.finish);
    for (const { item } of this.items) if (item.type === "message") item.status = status;
    const usage = this.usage === undefined ? null : responsesUsage(this.usage);
    out += this.event(status === "completed" ? "response.completed" : "response.incomplete", { response: this.snapshot(status, { incomplete, usage }) });
    return out;
  }

  /**
   * `response.failed` with what the client was shown: finished items as they closed, and the item the failure cut short
   * with its text (or arguments) so far and status `incomplete`, as an item a response ended before it finished is on
   * OpenAI's. No done events: the item did not finish.
   */
  fail(message: string): string {
    const head = this.start(undefined);
    const open = this.current;
    if (open !== undefined) {
      const { item, part } = open;
      item.status = "incomplete";
      if (item.type === "function_call") item.arguments = open.text;
      else if (part !== undefined) item.content.push(partOf(part));
    }
    const error = { code: "server_error", message: `the upstream stream failed after the response started: ${message}` };
    return head + this.event("response.failed", { response: this.snapshot("failed", { error }) });
  }
}
