/**
 * @module OpenAI Chat Completions on the wire: the request and answer shapes, and request validation. The chat body is also
 * the router's internal request: every inbound dialect (protocol/*) reads its client's body into one, and every adapter
 * sends one.
 */
import { RouterError } from "../errors.ts";
import { MAX_JSON_DEPTH, kind, tooDeep } from "./json.ts";
import type { STOP_SEQUENCE } from "./stop-sequence.ts";
import type { TOOL_ERROR } from "./tool-error.ts";

export type ChatRole = "system" | "developer" | "user" | "assistant" | "tool" | "function";

export interface ChatToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

export interface ChatContentPart {
  type: string;
  text?: string;
  image_url?: { url: string; detail?: string } | string;
  [key: string]: unknown;
}

export interface ChatMessage {
  role: ChatRole;
  [TOOL_ERROR]?: true;
  content?: string | ChatContentPart[] | null;
  name?: string;
  tool_calls?: ChatToolCall[];
  tool_call_id?: string;
  [key: string]: unknown;
}

export interface ChatTool {
  type: "function";
  function: { name: string; description?: string; parameters?: Record<string, unknown>; strict?: boolean };
}

export type ChatToolChoice = "auto" | "none" | "required" | { type: "function"; function: { name: string } };

/** A validated chat-completions body. Unknown fields are kept and passed through to OpenAI-compatible upstreams. */
export interface ChatBody {
  model: string;
  messages: ChatMessage[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean } | null;
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  stop?: string | string[] | null;
  tools?: ChatTool[];
  tool_choice?: ChatToolChoice;
  parallel_tool_calls?: boolean;
  user?: string;
  /** OpenAI's string map (at most 16 pairs, keys ≤ 64 and values ≤ 512 characters): traced for attribution. */
  metadata?: Record<string, string> | null;
  response_format?: { type: string; [key: string]: unknown };
  [key: string]: unknown;
}

/**
 * Token usage in OpenAI's meaning, the router's internal record of it whatever the upstream: `prompt_tokens` counts
 * every input token, cached or not (Anthropic's `input_tokens` + `cache_read_input_tokens` +
 * `cache_creation_input_tokens`); `completion_tokens` counts every output token, reasoning included. The details say
 * which input tokens were read from or written to a prompt cache, and which output tokens were reasoning: pricing
 * (`price.cachedInput`, `price.cacheWrite`) and every dialect's usage report read them from here.
 */
export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: {
    /** Input tokens read from the provider's prompt cache (OpenAI's `cached_tokens`, Anthropic's `cache_read_input_tokens`). */
    cached_tokens?: number;
    /** Input tokens written to the prompt cache (Anthropic's `cache_creation_input_tokens`; OpenAI has none). */
    cache_write_tokens?: number;
    [key: string]: unknown;
  } | null;
  completion_tokens_details?: {
    /** Output tokens spent on reasoning (OpenAI's `reasoning_tokens`, Gemini's `thoughtsTokenCount`). */
    reasoning_tokens?: number;
    [key: string]: unknown;
  } | null;
  [key: string]: unknown;
}

export interface ChatCompletion {
  id: string;
  object: "chat.completion";
  created: number;
  model: string;
  choices: Array<{
    index: number;
    message: { role: "assistant"; content: string | null; tool_calls?: ChatToolCall[]; refusal?: string | null };
    finish_reason: string | null;
    /** The client's stop sequence that ended the answer, when the upstream said which (protocol/stop-sequence.ts). */
    [STOP_SEQUENCE]?: string;
    logprobs?: unknown;
  }>;
  usage?: Usage;
  [key: string]: unknown;
}

export interface ChatCompletionChunk {
  id: string;
  object: "chat.completion.chunk";
  created: number;
  model: string;
  choices: Array<{
    index: number;
    delta: {
      role?: "assistant";
      content?: string | null;
      tool_calls?: Array<{ index: number; id?: string; type?: "function"; function?: { name?: string; arguments?: string } }>;
      refusal?: string | null;
    };
    finish_reason: string | null;
    /** On the chunk with the finish reason: the client's stop sequence that ended the answer, when the upstream said which. */
    [STOP_SEQUENCE]?: string;
    logprobs?: unknown;
  }>;
  usage?: Usage | null;
  [key: string]: unknown;
}

const ROLES: ReadonlySet<string> = new Set(["system", "developer", "user", "assistant", "tool", "function"]);

/** Refuse the request naming the field at fault: the message is the field in backticks, then `problem`. */
function fail(param: string, problem: string): never {
  throw new RouterError("invalid_request", `\`${param}\` ${problem}`, { param });
}

function optionalNumber(body: Record<string, unknown>, field: string, check: { min?: number; max?: number; integer?: boolean }): void {
  const value = body[field];
  if (value === undefined || value === null) return;
  if (typeof value !== "number" || !Number.isFinite(value)) fail(field, `must be a number, got ${kind(value)}`);
  if (check.integer === true && !Number.isInteger(value)) fail(field, `must be an integer, got ${value}`);
  if (check.min !== undefined && value < check.min) fail(field, `must be at least ${check.min}, got ${value}`);
  if (check.max !== undefined && value > check.max) fail(field, `must be at most ${check.max}, got ${value}`);
}

function validateMessage(message: unknown, i: number): void {
  const at = `messages[${i}]`;
  if (typeof message !== "object" || message === null || Array.isArray(message)) fail(at, `must be an object, got ${kind(message)}`);
  const m = message as Record<string, unknown>;
  if (typeof m["role"] !== "string") fail(`${at}.role`, "is required and must be a string");
  if (!ROLES.has(m["role"])) fail(`${at}.role`, `must be one of system, developer, user, assistant, tool; got "${m["role"]}"`);
  const content = m["content"];
  if (content !== undefined && content !== null && typeof content !== "string") {
    if (!Array.isArray(content)) fail(`${at}.content`, `must be a string or an array of content parts, got ${kind(content)}`);
    content.forEach((part: unknown, j: number) => {
      if (typeof part !== "object" || part === null || typeof (part as { type?: unknown }).type !== "string") {
        fail(`${at}.content[${j}]`, "must be a content part object with a string `type`");
      }
    });
  }
  if ((content === undefined || content === null) && m["role"] !== "assistant") {
    fail(`${at}.content`, `is required for role "${m["role"]}"`);
  }
  if (m["role"] === "tool" && typeof m["tool_call_id"] !== "string") {
    fail(`${at}.tool_call_id`, 'is required for role "tool"');
  }
  const calls = m["tool_calls"];
  if (calls !== undefined && calls !== null) {
    if (!Array.isArray(calls)) fail(`${at}.tool_calls`, "must be an array");
    calls.forEach((call: unknown, j: number) => {
      const fn = typeof call === "object" && call !== null ? (call as { function?: unknown }).function : undefined;
      if (typeof fn !== "object" || fn === null || typeof (fn as { name?: unknown }).name !== "string") {
        fail(`${at}.tool_calls[${j}].function.name`, "must be a string");
      }
    });
  }
}

/** OpenAI's documented bounds of `metadata`: what reaches a trace line stays small. */
const METADATA_MAX_PAIRS = 16;
const METADATA_MAX_KEY = 64;
const METADATA_MAX_VALUE = 512;

function validateMetadata(metadata: unknown): void {
  if (metadata === undefined || metadata === null) return;
  if (typeof metadata !== "object" || Array.isArray(metadata)) fail("metadata", `must be an object of strings, got ${kind(metadata)}`);
  const entries = Object.entries(metadata);
  if (entries.length > METADATA_MAX_PAIRS) fail("metadata", `holds ${entries.length} pairs; at most ${METADATA_MAX_PAIRS} are allowed`);
  for (const [key, value] of entries) {
    if (key.length > METADATA_MAX_KEY) fail("metadata", `key \`${key.slice(0, METADATA_MAX_KEY)}…\` is longer than ${METADATA_MAX_KEY} characters`);
    if (typeof value !== "string") fail(`metadata.${key}`, `must be a string, got ${kind(value)}`);
    if (value.length > METADATA_MAX_VALUE) fail(`metadata.${key}`, `is longer than ${METADATA_MAX_VALUE} characters`);
  }
}

/**
 * Check an untrusted JSON value is a chat-completions body, naming the first field at fault.
 * Throws RouterError("invalid_request") with `param` set; returns the same object typed.
 *
 * @example validateChatBody({ model: "chat", messages: [{ role: "user", content: "hi" }] })
 */
export function validateChatBody(value: unknown): ChatBody {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new RouterError("invalid_request", `the request body must be a JSON object, got ${kind(value)}`);
  }
  const deep = tooDeep(value);
  if (deep !== undefined) fail(deep, `nests more than ${MAX_JSON_DEPTH} levels deep`);
  const body = value as Record<string, unknown>;
  if (body["model"] === undefined) fail("model", "is required: name the route to use");
  if (typeof body["model"] !== "string" || body["model"] === "") fail("model", `must be a non-empty string (a route name), got ${kind(body["model"])}`);
  const messages = body["messages"];
  if (messages === undefined) fail("messages", "is required");
  if (!Array.isArray(messages)) fail("messages", `must be an array, got ${kind(messages)}`);
  if (messages.length === 0) fail("messages", "must hold at least one message");
  messages.forEach(validateMessage);
  const stream = body["stream"];
  if (stream !== undefined && stream !== null && typeof stream !== "boolean") fail("stream", `must be a boolean, got ${kind(stream)}`);
  const so = body["stream_options"];
  if (so !== undefined && so !== null && (typeof so !== "object" || Array.isArray(so))) fail("stream_options", "must be an object");
  optionalNumber(body, "max_tokens", { min: 1, integer: true });
  optionalNumber(body, "max_completion_tokens", { min: 1, integer: true });
  optionalNumber(body, "temperature", { min: 0, max: 2 });
  optionalNumber(body, "top_p", { min: 0, max: 1 });
  optionalNumber(body, "n", { min: 1, max: 128, integer: true });
  const stop = body["stop"];
  if (stop !== undefined && stop !== null && typeof stop !== "string" && !(Array.isArray(stop) && stop.every((s) => typeof s === "string"))) {
    fail("stop", "must be a string or an array of strings");
  }
  const user = body["user"];
  if (user !== undefined && typeof user !== "string") fail("user", `must be a string, got ${kind(user)}`);
  validateMetadata(body["metadata"]);
  const tools = body["tools"];
  if (tools !== undefined && tools !== null) {
    if (!Array.isArray(tools)) fail("tools", `must be an array, got ${kind(tools)}`);
    tools.forEach((tool: unknown, i: number) => {
      const fn = typeof tool === "object" && tool !== null ? (tool as { function?: unknown }).function : undefined;
      if (typeof fn !== "object" || fn === null || typeof (fn as { name?: unknown }).name !== "string") {
        fail(`tools[${i}].function.name`, "must be a string");
      }
    });
  }
  const choice = body["tool_choice"];
  if (choice !== undefined && choice !== null && typeof choice !== "string" && (typeof choice !== "object" || Array.isArray(choice))) {
    fail("tool_choice", 'must be "auto", "none", "required" or { type: "function", function: { name } }');
  }
  const rf = body["response_format"];
  if (rf !== undefined && rf !== null && (typeof rf !== "object" || typeof (rf as { type?: unknown }).type !== "string")) {
    fail("response_format", "must be an object with a string `type`");
  }
  return body as ChatBody;
}

/** The caller's text of the last user message (what the mock echoes). */
export function lastUserText(body: ChatBody): string {
  for (let i = body.messages.length - 1; i >= 0; i--) {
    const m = body.messages[i];
    if (m === undefined || m.role !== "user") continue;
    if (typeof m.content === "string") return m.content;
    if (Array.isArray(m.content)) return m.content.map((p) => (typeof p.text === "string" ? p.text : "")).join(" ");
  }
  return "";
}
