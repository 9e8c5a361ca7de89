/**
 * @module Reading an OpenAI Responses request (`POST /v1/responses`) into the router's internal chat body: `instructions`
 * and `input` items become messages, function tools and `text.format` become their Chat Completions twins. Pure: a
 * problem is returned as data (`ReadProblem`, naming the Responses field at fault), never thrown, so this module can live
 * in a lazily loaded chunk without a second copy of RouterError.
 */
import type { ChatBody, ChatContentPart, ChatMessage, ChatTool, ChatToolChoice } from "../chat.ts";
import { kind, shown } from "../json.ts";

/** Why a request cannot be served: `invalid_request` (malformed) or `unsupported_parameter` (well-formed, not served here). */
export interface ReadProblem {
  code: "invalid_request" | "unsupported_parameter";
  param: string | undefined;
  message: string;
}

/** The client's Responses fields an answer repeats (OpenAI's `response` object echoes its request's settings). */
export interface ResponsesEcho {
  instructions: string | null;
  metadata: Record<string, string> | null;
  tools: unknown[];
  tool_choice: unknown;
  text: { format: Record<string, unknown> };
  temperature: number | null;
  top_p: number | null;
  max_output_tokens: number | null;
  parallel_tool_calls: boolean;
  user: string | null;
}

export interface ReadResponses {
  body: ChatBody;
  stream: boolean;
  echo: ResponsesEcho;
}

class Refusal {
  constructor(readonly problem: ReadProblem) {}
}

function invalid(param: string | undefined, message: string): never {
  throw new Refusal({ code: "invalid_request", param, message: param === undefined ? message : `\`${param}\` ${message}` });
}

function unsupported(param: string, message: string): never {
  throw new Refusal({ code: "unsupported_parameter", param, message: `\`${param}\` ${message}` });
}

/** Fields that mean something only to a server that keeps responses: the router keeps none (docs/http-api.md says why). */
const STATEFUL =
  "the router keeps no responses (several replicas, no shared store): send the whole conversation in `input` and leave `store` unset or false (Vercel AI SDK: providerOptions.openai.store = false)";

/** Hosted tools run on OpenAI's servers; no provider behind a route runs them. */
const HOSTED_TOOL = "is a hosted OpenAI tool, which the router cannot run on any provider; declare a `function` tool and run it yourself";

/** Top-level fields read here; anything else is refused rather than silently dropped. */
const KNOWN = new Set([
  "model",
  "input",
  "instructions",
  "tools",
  "tool_choice",
  "text",
  "max_output_tokens",
  "temperature",
  "top_p",
  "parallel_tool_calls",
  "metadata",
  "user",
  "stream",
  "stream_options",
  "store",
  "previous_response_id",
  "conversation",
  "reasoning",
  "include",
  "truncation",
  "service_tier",
  "prompt_cache_key",
  "safety_identifier",
  "background",
]);

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

function optionalNumber(body: Record<string, unknown>, field: string, min: number, max: number, integer = false): number | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value)) invalid(field, `must be a number, got ${kind(value)}`);
  if (integer && !Number.isInteger(value)) invalid(field, `must be an integer, got ${value}`);
  if (value < min) invalid(field, `must be at least ${min}, got ${value}`);
  if (value > max) invalid(field, `must be at most ${max}, got ${value}`);
  return value;
}

function text(value: unknown, at: string): string {
  if (typeof value !== "string") invalid(at, `must be a string, got ${kind(value)}`);
  return value;
}

/** A user, system or developer message's content parts (`input_text`, `input_image`, `input_file`) as chat content parts. */
function inputParts(parts: unknown[], at: string): ChatContentPart[] {
  return parts.map((part, j): ChatContentPart => {
    const where = `${at}[${j}]`;
    if (!isObject(part)) invalid(where, `must be a content part object, got ${kind(part)}`);
    switch (part["type"]) {
      case "input_text":
      case "output_text":
        return { type: "text", text: text(part["text"], `${where}.text`) };
      case "input_image": {
        if (part["file_id"] !== undefined && part["file_id"] !== null)
          unsupported(`${where}.file_id`, "names an uploaded file; the router stores no files: send `image_url` (a URL or a data: URL)");
        const url = text(part["image_url"], `${where}.image_url`);
        const detail = part["detail"];
        return { type: "image_url", image_url: typeof detail === "string" ? { url, detail } : { url } };
      }
      case "input_file": {
        const data = part["file_data"];
        if (typeof data !== "string") unsupported(where, "names a file by `file_id` or `file_url`; the router stores and fetches no files: send `file_data`");
        const file: Record<string, unknown> = { file_data: data };
        if (typeof part["filename"] === "string") file["filename"] = part["filename"];
        return { type: "file", file };
      }
      default:
        return invalid(`${where}.type`, `must be input_text, input_image or input_file, got ${shown(part["type"])}`);
    }
  });
}

/**
 * An assistant message's content (`output_text`, `refusal`, or text parts LangChain sends as `input_text`) as one string:
 * its non-empty parts joined with a blank line, as the adapters join a message's text parts (separate parts must not run
 * together: an answer's text, then its refusal, is two parts).
 */
function assistantText(content: unknown, at: string): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) invalid(at, `must be a string or an array of content parts, got ${kind(content)}`);
  return content
    .map((part: unknown, j: number) => {
      const where = `${at}[${j}]`;
      if (!isObject(part)) invalid(where, `must be a content part object, got ${kind(part)}`);
      if (part["type"] === "output_text" || part["type"] === "input_text") return text(part["text"], `${where}.text`);
      if (part["type"] === "refusal") return text(part["refusal"], `${where}.refusal`);
      return invalid(`${where}.type`, `must be output_text or refusal in an assistant message, got ${shown(part["type"])}`);
    })
    .filter((part) => part !== "")
    .join("\n\n");
}

/**
 * A function call's output: a string, or its non-empty text parts a blank line apart, as an assistant message's parts
 * (images in a tool result have no Chat Completions form).
 */
function callOutput(output: unknown, at: string): string {
  if (typeof output === "string") return output;
  if (!Array.isArray(output)) invalid(at, `must be a string or an array of content parts, got ${kind(output)}`);
  return output
    .map((part: unknown, j: number) => {
      const where = `${at}[${j}]`;
      if (!isObject(part) || part["type"] !== "input_text") unsupported(where, "must be an input_text part: a function call's output can carry text only here");
      return text(part["text"], `${where}.text`);
    })
    .filter((part) => part !== "")
    .join("\n\n");
}

const MESSAGE_ROLES = new Set(["user", "assistant", "system", "developer"]);

/** The `input` items as chat messages, in order: consecutive function calls join the assistant turn before them. */
function readInput(input: unknown, messages: ChatMessage[]): void {
  if (typeof input === "string") {
    messages.push({ role: "user", content: input });
    return;
  }
  if (input === undefined || input === null) invalid("input", "is required: a string or an array of input items");
  if (!Array.isArray(input)) invalid("input", `must be a string or an array of input items, got ${kind(input)}`);
  if (input.length === 0) invalid("input", "must hold at least one item");
  input.forEach((item: unknown, i: number) => {
    const at = `input[${i}]`;
    if (!isObject(item)) invalid(at, `must be an input item object, got ${kind(item)}`);
    const type = item["type"] ?? "message";
    switch (type) {
      case "message": {
        const role = item["role"];
        if (typeof role !== "string" || !MESSAGE_ROLES.has(role)) invalid(`${at}.role`, `must be user, assistant, system or developer, got ${shown(role)}`);
        const content = item["content"];
        if (role === "assistant") {
          messages.push({ role: "assistant", content: assistantText(content, `${at}.content`) });
          return;
        }
        if (typeof content === "string") messages.push({ role: role as ChatMessage["role"], content });
        else if (Array.isArray(content)) messages.push({ role: role as ChatMessage["role"], content: inputParts(content, `${at}.content`) });
        else invalid(`${at}.content`, `must be a string or an array of content parts, got ${kind(content)}`);
        return;
      }
      case "function_call": {
        const call = {
          id: text(item["call_id"], `${at}.call_id`),
          type: "function" as const,
          function: { name: text(item["name"], `${at}.name`), arguments: text(item["arguments"], `${at}.arguments`) },
        };
        const last = messages[messages.length - 1];
        // One assistant turn holds its text and every call it made (Chat Completions' shape; Anthropic's too).
        if (last !== undefined && last.role === "assistant") (last.tool_calls ??= []).push(call);
        else messages.push({ role: "assistant", content: null, tool_calls: [call] });
        return;
      }
      case "function_call_output":
        messages.push({ role: "tool", tool_call_id: text(item["call_id"], `${at}.call_id`), content: callOutput(item["output"], `${at}.output`) });
        return;
      case "reasoning":
        // A reasoning item is a model's own state, meaningful only to the model that wrote it (and the router answers none).
        return;
      case "item_reference":
        return unsupported(at, `is an item_reference; ${STATEFUL}`);
      default:
        return unsupported(
          `${at}.type`,
          `${JSON.stringify(type)} is not supported: input items are messages, function_call, function_call_output and reasoning`,
        );
    }
  });
}

function readTools(tools: unknown): { chat: ChatTool[]; names: Set<string> } {
  const names = new Set<string>();
  if (tools === undefined || tools === null) return { chat: [], names };
  if (!Array.isArray(tools)) invalid("tools", `must be an array, got ${kind(tools)}`);
  const chat = tools.map((tool: unknown, i: number): ChatTool => {
    const at = `tools[${i}]`;
    if (!isObject(tool)) invalid(at, `must be a tool object, got ${kind(tool)}`);
    if (tool["type"] !== "function") {
      if (typeof tool["type"] !== "string") invalid(`${at}.type`, "is required");
      unsupported(`${at}.type`, `${JSON.stringify(tool["type"])} ${HOSTED_TOOL}`);
    }
    const name = text(tool["name"], `${at}.name`);
    names.add(name);
    const fn: ChatTool["function"] = { name };
    if (typeof tool["description"] === "string") fn.description = tool["description"];
    const parameters = tool["parameters"];
    if (parameters !== undefined && parameters !== null) {
      if (!isObject(parameters)) invalid(`${at}.parameters`, `must be a JSON schema object, got ${kind(parameters)}`);
      fn.parameters = parameters;
    }
    if (typeof tool["strict"] === "boolean") fn.strict = tool["strict"];
    return { type: "function", function: fn };
  });
  return { chat, names };
}

function readToolChoice(choice: unknown): ChatToolChoice | undefined {
  if (choice === undefined || choice === null) return undefined;
  if (choice === "auto" || choice === "none" || choice === "required") return choice;
  if (typeof choice === "string") invalid("tool_choice", `must be "auto", "none", "required" or { type: "function", name }, got ${shown(choice)}`);
  if (!isObject(choice)) invalid("tool_choice", `must be a string or an object, got ${kind(choice)}`);
  if (choice["type"] === "function") return { type: "function", function: { name: text(choice["name"], "tool_choice.name") } };
  return unsupported("tool_choice.type", `${JSON.stringify(choice["type"])} is not supported: choose "auto", "none", "required" or a function`);
}

/** `text.format` as a chat `response_format` (undefined for plain text), and the format the answer echoes. */
function readFormat(textConfig: unknown): { responseFormat: ChatBody["response_format"]; format: Record<string, unknown>; verbosity?: unknown } {
  if (textConfig === undefined || textConfig === null) return { responseFormat: undefined, format: { type: "text" } };
  if (!isObject(textConfig)) invalid("text", `must be an object, got ${kind(textConfig)}`);
  const verbosity = textConfig["verbosity"] ?? undefined;
  const format = textConfig["format"];
  if (format === undefined || format === null) return { responseFormat: undefined, format: { type: "text" }, verbosity };
  if (!isObject(format)) invalid("text.format", `must be an object, got ${kind(format)}`);
  switch (format["type"]) {
    case "text":
      return { responseFormat: undefined, format: { type: "text" }, verbosity };
    case "json_object":
      return { responseFormat: { type: "json_object" }, format: { type: "json_object" }, verbosity };
    case "json_schema": {
      const name = text(format["name"], "text.format.name");
      const schema = format["schema"];
      if (!isObject(schema)) invalid("text.format.schema", `must be a JSON schema object, got ${kind(schema)}`);
      const jsonSchema: Record<string, unknown> = { name, schema };
      if (typeof format["description"] === "string") jsonSchema["description"] = format["description"];
      if (typeof format["strict"] === "boolean") jsonSchema["strict"] = format["strict"];
      return { responseFormat: { type: "json_schema", json_schema: jsonSchema }, format: { type: "json_schema", ...jsonSchema }, verbosity };
    }
    default:
      return invalid("text.format.type", `must be text, json_object or json_schema, got ${shown(format["type"])}`);
  }
}

function readMetadata(value: unknown): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) invalid("metadata", `must be an object of strings, got ${kind(value)}`);
  for (const [key, v] of Object.entries(value)) if (typeof v !== "string") invalid(`metadata.${key}`, `must be a string, got ${kind(v)}`);
  return value as Record<string, string>;
}

/** The Responses fields the router answers, read into the internal request; throws Refusal. */
function readBody(value: unknown): ReadResponses {
  if (!isObject(value)) invalid(undefined, `the request body must be a JSON object, got ${kind(value)}`);
  for (const key of Object.keys(value)) {
    if (!KNOWN.has(key)) unsupported(key, "is not supported by the router's Responses endpoint (docs/http-api.md lists what is)");
  }
  const model = value["model"];
  if (model === undefined) invalid("model", "is required: name the route to use");
  if (typeof model !== "string" || model === "") invalid("model", `must be a non-empty string (a route name), got ${kind(model)}`);
  if (value["store"] !== undefined && value["store"] !== null && value["store"] !== false) {
    if (value["store"] === true) unsupported("store", `is true; ${STATEFUL}`);
    invalid("store", `must be a boolean, got ${kind(value["store"])}`);
  }
  for (const field of ["previous_response_id", "conversation"]) {
    if (value[field] !== undefined && value[field] !== null) unsupported(field, `is set; ${STATEFUL}`);
  }
  if (value["background"] === true) unsupported("background", "is true; the router answers in the foreground only (it keeps no responses to poll)");
  const truncation = value["truncation"];
  if (truncation !== undefined && truncation !== null && truncation !== "disabled")
    unsupported("truncation", 'must be "disabled": the router never truncates a conversation');
  const stream = value["stream"];
  if (stream !== undefined && stream !== null && typeof stream !== "boolean") invalid("stream", `must be a boolean, got ${kind(stream)}`);

  const messages: ChatMessage[] = [];
  const instructions = value["instructions"];
  if (instructions !== undefined && instructions !== null) messages.push({ role: "system", content: text(instructions, "instructions") });
  readInput(value["input"], messages);

  const maxOutput = optionalNumber(value, "max_output_tokens", 1, Number.MAX_SAFE_INTEGER, true);
  const temperature = optionalNumber(value, "temperature", 0, 2);
  const topP = optionalNumber(value, "top_p", 0, 1);
  const parallel = value["parallel_tool_calls"];
  if (parallel !== undefined && parallel !== null && typeof parallel !== "boolean") invalid("parallel_tool_calls", `must be a boolean, got ${kind(parallel)}`);
  const user = value["user"];
  if (user !== undefined && user !== null && typeof user !== "string") invalid("user", `must be a string, got ${kind(user)}`);
  const metadata = readMetadata(value["metadata"]);
  const tools = readTools(value["tools"]);
  const toolChoice = readToolChoice(value["tool_choice"]);
  if (toolChoice !== undefined && typeof toolChoice === "object" && !tools.names.has(toolChoice.function.name)) {
    invalid("tool_choice.name", `names \`${toolChoice.function.name}\`, which is not among \`tools\``);
  }
  const { responseFormat, format, verbosity } = readFormat(value["text"]);
  const reasoning = value["reasoning"];
  if (reasoning !== undefined && reasoning !== null && !isObject(reasoning)) invalid("reasoning", `must be an object, got ${kind(reasoning)}`);
  const effort = isObject(reasoning) ? reasoning["effort"] : undefined;
  if (effort !== undefined && effort !== null && typeof effort !== "string") invalid("reasoning.effort", `must be a string, got ${kind(effort)}`);

  const body: ChatBody = { model, messages };
  if (stream === true) {
    body.stream = true;
    // A Responses stream always ends with its usage (`response.completed`).
    body.stream_options = { include_usage: true };
  }
  if (maxOutput !== undefined) body.max_completion_tokens = maxOutput;
  if (temperature !== undefined) body.temperature = temperature;
  if (topP !== undefined) body.top_p = topP;
  if (tools.chat.length > 0) body.tools = tools.chat;
  if (toolChoice !== undefined) body.tool_choice = toolChoice;
  if (typeof parallel === "boolean") body.parallel_tool_calls = parallel;
  if (typeof user === "string") body.user = user;
  // `metadata` stays in the echo: OpenAI's Chat Completions refuses it without `store` ("only allowed when 'store' is enabled").
  if (responseFormat !== undefined) body.response_format = responseFormat;
  if (typeof effort === "string") body["reasoning_effort"] = effort;
  if (typeof verbosity === "string") body["verbosity"] = verbosity;
  for (const field of ["service_tier", "prompt_cache_key", "safety_identifier"]) {
    if (typeof value[field] === "string") body[field] = value[field];
  }
  return {
    body,
    stream: stream === true,
    ...(metadata !== undefined && metadata !== null ? { metadata } : {}),
    echo: {
      instructions: typeof instructions === "string" ? instructions : null,
      metadata: metadata ?? null,
      tools: Array.isArray(value["tools"]) ? value["tools"] : [],
      tool_choice: value["tool_choice"] ?? "auto",
      text: { format },
      temperature: temperature ?? null,
      top_p: topP ?? null,
      max_output_tokens: maxOutput ?? null,
      parallel_tool_calls: parallel !== false,
      user: typeof user === "string" ? user : null,
    },
  };
}

/**
 * Read an untrusted JSON value as a Responses request: the internal chat body, whether to stream, and what the answer
 * echoes; or the problem, naming the Responses field at fault (`input[2].content[0].type`). The caller has checked the
 * value's nesting depth (`tooDeep`, as for every dialect).
 *
 * @example readResponsesRequest({ model: "chat", input: "hi" }) // → { ok: true, request: { body: { model: "chat", messages: [{ role: "user", content: "hi" }] }, … } }
 */
export function readResponsesRequest(value: unknown): { ok: true; request: ReadResponses } | { ok: false; problem: ReadProblem } {
  try {
    return { ok: true, request: readBody(value) };
  } catch (error) {
    if (error instanceof Refusal) return { ok: false, problem: error.problem };
    throw error;
  }
}
