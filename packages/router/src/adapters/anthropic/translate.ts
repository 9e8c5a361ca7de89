/** @module Pure translation between OpenAI chat-completions and Anthropic's Messages API. */
import type { Model } from "@switchyard/ir";
import { RouterError } from "../../errors.ts";
import type { ChatBody, ChatCompletion, ChatCompletionChunk, ChatContentPart, ChatMessage, ChatToolCall, Usage } from "../../protocol/chat.ts";
import { markStopSequence } from "../../protocol/stop-sequence.ts";
import { TOOL_ERROR } from "../../protocol/tool-error.ts";
import { toolUseId } from "../tool-call-ids.ts";
import { messageText } from "../text.ts";

export type AnthropicBlock =
  | { type: "text"; text: string }
  | { type: "image"; source: { type: "base64"; media_type: string; data: string } | { type: "url"; url: string } }
  | { type: "tool_use"; id: string; name: string; input: unknown }
  | { type: "tool_result"; tool_use_id: string; content: string | AnthropicBlock[]; is_error?: boolean }
  | { type: "thinking"; thinking: string; signature?: string };

export interface AnthropicMessage {
  role: "user" | "assistant";
  content: AnthropicBlock[];
}

export interface AnthropicRequest {
  model: string;
  max_tokens: number;
  messages: AnthropicMessage[];
  system?: string;
  temperature?: number;
  top_p?: number;
  stop_sequences?: string[];
  stream?: boolean;
  tools?: Array<{ name: string; description?: string; input_schema: Record<string, unknown> }>;
  tool_choice?:
    { type: "auto" | "any" | "none" } | { type: "tool"; name: string } | { type: "auto" | "any" | "tool"; name?: string; disable_parallel_tool_use: boolean };
  metadata?: { user_id: string };
}

export interface AnthropicUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  /** `thinking_tokens`: the output tokens spent on extended thinking. */
  output_tokens_details?: { thinking_tokens?: number | null } | null;
}

const USAGE_COUNTS = ["input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens"] as const;

/**
 * Fold a stream event's usage into what the stream has reported so far: message_start carries the input and cache
 * counts, message_delta the cumulative ones, with `null` for a count it does not repeat (never a reset to 0).
 */
export function mergeUsage(into: AnthropicUsage, from: AnthropicUsage | undefined): void {
  if (from === undefined) return;
  for (const key of USAGE_COUNTS) {
    const value = from[key];
    if (typeof value === "number") into[key] = value;
  }
  const thinking = from.output_tokens_details?.thinking_tokens;
  if (typeof thinking === "number") into.output_tokens_details = { thinking_tokens: thinking };
}

export interface AnthropicResponse {
  id: string;
  type: "message";
  role: "assistant";
  model: string;
  content: AnthropicBlock[];
  stop_reason: string | null;
  stop_sequence?: string | null;
  usage: AnthropicUsage;
}

/** Anthropic requires max_tokens; this is used when neither the request nor the model sets one. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 4096;

/** The content part types a user turn may hold on Anthropic (others — audio, files — are refused, never dropped). */
const USER_PART_TYPES: ReadonlySet<string> = new Set(["text", "image_url"]);

/** The tool through which a `response_format` answer comes back (Anthropic's forced tool use): its name, when the body asks for one. */
export function structuredToolName(body: ChatBody): string | undefined {
  const format = body.response_format;
  if (format?.type !== "json_schema" && format?.type !== "json_object") return undefined;
  const name = (format["json_schema"] as { name?: unknown } | undefined)?.name;
  return typeof name === "string" && /^[a-zA-Z0-9_-]{1,64}$/.test(name) ? name : "json_response";
}

/** The forced tool standing for `response_format`: its input schema is the answer's. */
function structuredTool(body: ChatBody, name: string): NonNullable<AnthropicRequest["tools"]>[number] {
  const format = body.response_format ?? { type: "json_object" };
  const spec = (format.type === "json_schema" ? format["json_schema"] : undefined) as { schema?: unknown; description?: unknown } | undefined;
  const schema = typeof spec?.schema === "object" && spec.schema !== null ? (spec.schema as Record<string, unknown>) : { type: "object" };
  const description = typeof spec?.description === "string" ? `${spec.description}\n\n` : "";
  return { name, description: `${description}Give your whole answer as this tool's input: it is the response, a JSON object.`, input_schema: schema };
}

/** Numbers a Chat Completions body may set that Anthropic has no counterpart for, and the value that means "unset". */
const NEUTRAL_NUMBERS: ReadonlyArray<readonly [string, number, string]> = [
  ["n", 1, "it answers one choice per request"],
  ["presence_penalty", 0, "it has no presence penalty"],
  ["frequency_penalty", 0, "it has no frequency penalty"],
];

/**
 * What of `body` Anthropic's Messages API cannot honour, as `unsupported_parameter` naming the field: `n` > 1,
 * `logprobs`/`top_logprobs`, non-zero penalties, `logit_bias`, audio output, content parts other than text and images,
 * an empty user or assistant turn (Anthropic refuses them; dropping one would change the history), and
 * `response_format` beside tools the model may call (the answer would be either a call or the JSON, which one forced
 * tool cannot express). `seed` is accepted and not sent: OpenAI itself promises no determinism from it.
 */
export function anthropicRefusal(body: ChatBody, provider: string, api = "Anthropic's Messages API"): RouterError | undefined {
  const refuse = (param: string, why: string): RouterError =>
    new RouterError("unsupported_parameter", `\`${param}\` cannot be honoured by provider \`${provider}\` (${api}): ${why}`, { param });
  for (const [field, neutral, why] of NEUTRAL_NUMBERS) {
    const value = body[field];
    if (value !== undefined && value !== null && value !== neutral) return refuse(field, why);
  }
  if (body["logprobs"] === true) return refuse("logprobs", "it returns no log probabilities");
  const top = body["top_logprobs"];
  if (top !== undefined && top !== null && top !== 0) return refuse("top_logprobs", "it returns no log probabilities");
  const bias = body["logit_bias"];
  if (typeof bias === "object" && bias !== null && Object.keys(bias).length > 0) return refuse("logit_bias", "it has no logit bias");
  if (body["audio"] !== undefined && body["audio"] !== null) return refuse("audio", "it produces no audio");
  const format = body.response_format?.type;
  if (format !== undefined && format !== "text" && format !== "json_schema" && format !== "json_object") {
    return refuse("response_format.type", `it has no \`${format}\` output`);
  }
  if (structuredToolName(body) !== undefined && (body.tools?.length ?? 0) > 0 && body.tool_choice !== "none") {
    return refuse("response_format", "structured output is a forced tool call there, which cannot be combined with `tools` the model may call");
  }
  const last = body.messages.length - 1;
  for (let i = 0; i <= last; i++) {
    const m = body.messages[i] as ChatMessage;
    if (m.role === "user") {
      if (Array.isArray(m.content)) {
        const j = m.content.findIndex((part) => !USER_PART_TYPES.has(part.type));
        if (j !== -1) return refuse(`messages[${i}].content[${j}].type`, `it takes no \`${m.content[j]?.type}\` content`);
      }
      if (blocksOf(m.content).length === 0)
        return refuse(`messages[${i}].content`, "it refuses an empty user turn, and dropping it would change the conversation");
    } else if (m.role === "assistant" && i < last && blocksOf(m.content).length === 0 && (m.tool_calls?.length ?? 0) === 0) {
      return refuse(`messages[${i}].content`, "it refuses an empty assistant turn, and dropping it would merge the turns around it");
    }
  }
  return undefined;
}

function imageBlock(part: ChatContentPart): AnthropicBlock | undefined {
  const ref = part.image_url;
  const url = typeof ref === "string" ? ref : ref?.url;
  if (typeof url !== "string") return undefined;
  const m = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  if (m !== null) return { type: "image", source: { type: "base64", media_type: m[1] ?? "image/png", data: m[2] ?? "" } };
  return { type: "image", source: { type: "url", url } };
}

function blocksOf(content: ChatMessage["content"]): AnthropicBlock[] {
  if (typeof content === "string") return content === "" ? [] : [{ type: "text", text: content }];
  if (!Array.isArray(content)) return [];
  const blocks: AnthropicBlock[] = [];
  for (const part of content) {
    if (part.type === "text" && typeof part.text === "string") blocks.push({ type: "text", text: part.text });
    else if (part.type === "image_url") {
      const block = imageBlock(part);
      if (block !== undefined) blocks.push(block);
    }
  }
  return blocks;
}

function parseArguments(args: string): unknown {
  if (args.trim() === "") return {};
  try {
    return JSON.parse(args);
  } catch {
    return { _raw: args };
  }
}

function mapFinish(stop: string | null | undefined): string | null {
  switch (stop) {
    case null:
    case undefined:
      return null;
    case "end_turn":
    case "stop_sequence":
    case "pause_turn":
      return "stop";
    case "max_tokens":
      return "length";
    case "tool_use":
      return "tool_calls";
    case "refusal":
      return "content_filter";
    default:
      return "stop";
  }
}

/**
 * OpenAI usage from Anthropic usage: cache reads and writes count as prompt tokens (Anthropic's `input_tokens` is only
 * the uncached rest) and are named in `prompt_tokens_details` (`cached_tokens`, `cache_write_tokens`) so they are
 * priced at the catalog's `cachedInput` / `cacheWrite` and reported to the client; `thinking_tokens` (already in
 * `output_tokens`) is OpenAI's `reasoning_tokens`.
 */
export function toUsage(u: AnthropicUsage): Usage {
  const read = u.cache_read_input_tokens ?? 0;
  const written = u.cache_creation_input_tokens ?? 0;
  const prompt = (u.input_tokens ?? 0) + written + read;
  const completion = u.output_tokens ?? 0;
  const usage: Usage = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
  if (u.cache_read_input_tokens != null || u.cache_creation_input_tokens != null) {
    usage.prompt_tokens_details = { cached_tokens: read, cache_write_tokens: written };
  }
  const thinking = u.output_tokens_details?.thinking_tokens;
  if (typeof thinking === "number") usage.completion_tokens_details = { reasoning_tokens: thinking };
  return usage;
}

/** How a system or developer message after the conversation began reaches Anthropic: marked text in the user turn at its place. */
export function midConversationSystem(text: string): string {
  return `<system-instructions>\n${text}\n</system-instructions>`;
}

/**
 * Translate a chat-completions body to a Messages API request: the system/developer messages before the first other
 * message become `system` (joined by a blank line); a later one stays at its place, as a marked text block in a user
 * turn (midConversationSystem); tool results become `tool_result` blocks in a user turn; assistant tool calls become
 * `tool_use` blocks; consecutive turns of one role merge (as Anthropic itself does); `max_tokens` defaults to the
 * model's maxOutput or 4096. `response_format` (json_schema, json_object) becomes one forced tool whose input is the
 * answer (structuredToolName). What Anthropic cannot honour is anthropicRefusal's to refuse before this runs.
 */
export function toAnthropicRequest(body: ChatBody, model: Model, stream: boolean): AnthropicRequest {
  const system: string[] = [];
  const messages: AnthropicMessage[] = [];
  const push = (role: "user" | "assistant", blocks: AnthropicBlock[]): void => {
    if (blocks.length === 0) return;
    const last = messages[messages.length - 1];
    if (last !== undefined && last.role === role) last.content.push(...blocks);
    else messages.push({ role, content: blocks });
  };
  for (const m of body.messages) {
    switch (m.role) {
      case "system":
      case "developer": {
        const text = messageText(m.content);
        if (messages.length === 0) system.push(text);
        else if (text !== "") push("user", [{ type: "text", text: midConversationSystem(text) }]);
        break;
      }
      case "user":
        push("user", blocksOf(m.content));
        break;
      case "assistant": {
        const blocks = blocksOf(m.content);
        for (const call of m.tool_calls ?? []) {
          blocks.push({ type: "tool_use", id: toolUseId(call.id), name: call.function.name, input: parseArguments(call.function.arguments) });
        }
        push("assistant", blocks);
        break;
      }
      case "tool":
      case "function":
        push("user", [
          {
            type: "tool_result",
            tool_use_id: toolUseId(m.tool_call_id ?? m.name),
            content: Array.isArray(m.content) ? blocksOf(m.content) : messageText(m.content),
            ...(m[TOOL_ERROR] === true ? { is_error: true } : {}),
          },
        ]);
        break;
    }
  }
  const request: AnthropicRequest = {
    model: model.name,
    max_tokens: body.max_completion_tokens ?? body.max_tokens ?? model.maxOutput ?? ANTHROPIC_DEFAULT_MAX_TOKENS,
    messages,
  };
  const joined = system.filter((text) => text !== "").join("\n\n");
  if (joined !== "") request.system = joined;
  if (typeof body.temperature === "number") request.temperature = Math.min(body.temperature, 1);
  if (typeof body.top_p === "number") request.top_p = body.top_p;
  if (typeof body.stop === "string") request.stop_sequences = [body.stop];
  else if (Array.isArray(body.stop) && body.stop.length > 0) request.stop_sequences = body.stop;
  if (stream) request.stream = true;
  if (typeof body.user === "string" && body.user !== "") request.metadata = { user_id: body.user };
  if (Array.isArray(body.tools) && body.tools.length > 0) {
    request.tools = body.tools.map((t) => ({
      name: t.function.name,
      ...(t.function.description !== undefined ? { description: t.function.description } : {}),
      input_schema: t.function.parameters ?? { type: "object", properties: {} },
    }));
  }
  const choice = body.tool_choice;
  let toolChoice: AnthropicRequest["tool_choice"];
  if (choice === "auto") toolChoice = { type: "auto" };
  else if (choice === "required") toolChoice = { type: "any" };
  else if (choice === "none") toolChoice = { type: "none" };
  else if (typeof choice === "object" && choice !== null) toolChoice = { type: "tool", name: choice.function.name };
  if (body.parallel_tool_calls === false && request.tools !== undefined) {
    const base = toolChoice ?? { type: "auto" };
    if (base.type !== "none") toolChoice = { ...base, disable_parallel_tool_use: true };
  }
  if (toolChoice !== undefined) request.tool_choice = toolChoice;
  const structured = structuredToolName(body);
  if (structured !== undefined) {
    // With tool_choice "none" the client's tools are not callable anyway (anthropicRefusal refuses any other mix).
    request.tools = [structuredTool(body, structured)];
    request.tool_choice = { type: "tool", name: structured };
  }
  return request;
}

/**
 * Translate a Messages API response to a chat.completion. With `structured` (the forced tool standing for
 * `response_format`), that tool's input is the answer's content, as JSON text, and the finish reason is `stop`.
 */
export function fromAnthropicResponse(response: AnthropicResponse, created: number, structured?: string): ChatCompletion {
  let text = "";
  const toolCalls: ChatToolCall[] = [];
  for (const block of response.content ?? []) {
    if (structured !== undefined) {
      if (block.type === "tool_use" && block.name === structured) text += JSON.stringify(block.input ?? {});
    } else if (block.type === "text") text += block.text;
    else if (block.type === "tool_use") {
      toolCalls.push({ id: block.id, type: "function", function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) } });
    }
  }
  const message: ChatCompletion["choices"][number]["message"] = { role: "assistant", content: text === "" && toolCalls.length > 0 ? null : text };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  const completion: ChatCompletion = {
    id: response.id,
    object: "chat.completion",
    created,
    model: response.model,
    choices: [{ index: 0, message, finish_reason: structuredFinish(mapFinish(response.stop_reason), structured), logprobs: null }],
    usage: toUsage(response.usage ?? {}),
  };
  markStopSequence(completion.choices[0], response.stop_reason, response.stop_sequence);
  return completion;
}

/** The forced tool's call is the answer itself: it finishes as `stop`, not `tool_calls`. */
function structuredFinish(finish: string | null, structured: string | undefined): string | null {
  return structured !== undefined && finish === "tool_calls" ? "stop" : finish;
}

/** A streaming event from the Messages API (the subset the translator reads). */
export interface AnthropicStreamEvent {
  type: string;
  message?: { id?: string; model?: string; usage?: AnthropicUsage };
  index?: number;
  content_block?: { type: string; id?: string; name?: string; text?: string };
  delta?: { type?: string; text?: string; partial_json?: string; stop_reason?: string | null; stop_sequence?: string | null };
  usage?: AnthropicUsage;
  error?: { type?: string; message?: string };
}

/**
 * Stateful translator from Messages API stream events to chat.completion.chunk objects: a role
 * chunk on message_start, text and tool-call deltas, the finish reason on message_delta, and a
 * final usage chunk (choices: []) on message_stop.
 */
export class AnthropicStreamTranslator {
  private id = "";
  private model = "";
  private readonly usage: AnthropicUsage = {};
  /** Anthropic content-block index → OpenAI tool_calls index. */
  private readonly toolIndex = new Map<number, number>();
  /** The content-block index of the forced structured-output tool's call (its input streams as content). */
  private structuredBlock: number | undefined;
  finished = false;

  /** `structured`: the forced tool standing for `response_format` (structuredToolName), whose input is the content. */
  constructor(
    private readonly created: number,
    private readonly structured?: string,
  ) {}

  private chunk(delta: ChatCompletionChunk["choices"][number]["delta"], finish: string | null = null): ChatCompletionChunk {
    return { id: this.id, object: "chat.completion.chunk", created: this.created, model: this.model, choices: [{ index: 0, delta, finish_reason: finish }] };
  }

  /** Chunks for one event; throws the upstream's `error` event as `{ type, message }`. */
  next(event: AnthropicStreamEvent): ChatCompletionChunk[] {
    switch (event.type) {
      case "message_start": {
        this.id = event.message?.id ?? "";
        this.model = event.message?.model ?? "";
        mergeUsage(this.usage, event.message?.usage);
        return [this.chunk({ role: "assistant", content: "" })];
      }
      case "content_block_start": {
        const block = event.content_block;
        if (this.structured !== undefined) {
          // Only the forced tool's input is the answer; the model says nothing else with a forced tool.
          if (block?.type === "tool_use" && block.name === this.structured) this.structuredBlock = event.index ?? 0;
          return [];
        }
        if (block?.type === "tool_use") {
          const index = this.toolIndex.size;
          this.toolIndex.set(event.index ?? 0, index);
          return [this.chunk({ tool_calls: [{ index, id: block.id ?? "", type: "function", function: { name: block.name ?? "", arguments: "" } }] })];
        }
        if (block?.type === "text" && typeof block.text === "string" && block.text !== "") return [this.chunk({ content: block.text })];
        return [];
      }
      case "content_block_delta": {
        const delta = event.delta;
        if (this.structured !== undefined) {
          const ours = this.structuredBlock !== undefined && (event.index ?? 0) === this.structuredBlock;
          return ours && delta?.type === "input_json_delta" && typeof delta.partial_json === "string" && delta.partial_json !== ""
            ? [this.chunk({ content: delta.partial_json })]
            : [];
        }
        if (delta?.type === "text_delta" && typeof delta.text === "string") return [this.chunk({ content: delta.text })];
        if (delta?.type === "input_json_delta" && typeof delta.partial_json === "string") {
          const index = this.toolIndex.get(event.index ?? 0) ?? 0;
          return [this.chunk({ tool_calls: [{ index, function: { arguments: delta.partial_json } }] })];
        }
        return [];
      }
      case "message_delta": {
        mergeUsage(this.usage, event.usage);
        const last = this.chunk({}, structuredFinish(mapFinish(event.delta?.stop_reason), this.structured));
        markStopSequence(last.choices[0], event.delta?.stop_reason, event.delta?.stop_sequence);
        return [last];
      }
      case "message_stop": {
        this.finished = true;
        return [{ id: this.id, object: "chat.completion.chunk", created: this.created, model: this.model, choices: [], usage: toUsage(this.usage) }];
      }
      case "error":
        throw Object.assign(new Error(event.error?.message ?? "stream error"), { anthropicType: event.error?.type ?? "api_error" });
      default:
        return []; // ping, content_block_stop, thinking/signature deltas
    }
  }
}
