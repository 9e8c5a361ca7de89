/**
 * @module Reading an Anthropic Messages request into the router's internal chat body. What the internal request cannot
 * carry faithfully is refused naming the field (Anthropic's own rule for fields it does not know), never dropped:
 * server tools, `top_k`, extended thinking, documents, images in tool results. Optimisation hints that change no answer
 * (`cache_control`, `service_tier`, `eager_input_streaming`) are accepted and not forwarded.
 */
import type { ChatBody, ChatContentPart, ChatMessage, ChatTool, ChatToolCall } from "../chat.ts";
import { MAX_JSON_DEPTH, kind, shown, type tooDeep } from "../json.ts";
import { TOOL_ERROR } from "../tool-error.ts";

/** Refuse the request: `param` is the field at fault (Anthropic's names), `problem` what is wrong with it. */
export type Fail = (param: string, problem: string) => never;

/** A read request: the internal body and whether the client asked for a stream. */
export interface MessagesRead {
  body: ChatBody;
  stream: boolean;
}

/** Every top-level field the router reads; anything else is refused as Anthropic refuses extra inputs. */
const FIELDS = new Set([
  "model",
  "messages",
  "max_tokens",
  "system",
  "stop_sequences",
  "temperature",
  "top_p",
  "top_k",
  "metadata",
  "stream",
  "tools",
  "tool_choice",
  "thinking",
  "output_config",
  "service_tier",
  "speed",
  "cache_control",
]);

/** The fields of a custom tool the router reads or may ignore (hints that change no answer). */
const TOOL_FIELDS = new Set(["type", "name", "description", "input_schema", "strict", "cache_control", "eager_input_streaming"]);

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function object(value: unknown, at: string, fail: Fail): Json {
  if (!isObject(value)) fail(at, `must be an object, got ${kind(value)}`);
  return value;
}

function string(value: unknown, at: string, fail: Fail): string {
  if (typeof value !== "string") fail(at, `must be a string, got ${kind(value)}`);
  return value;
}

function number(value: unknown, at: string, fail: Fail, min: number, max: number, integer = false): number {
  if (typeof value !== "number" || !Number.isFinite(value)) fail(at, `must be a number, got ${kind(value)}`);
  if (integer && !Number.isInteger(value)) fail(at, `must be an integer, got ${value}`);
  if (value < min) fail(at, `must be at least ${min}, got ${value}`);
  if (value > max) fail(at, `must be at most ${max}, got ${value}`);
  return value;
}

/** The text of `system` (a string or text blocks, joined with a blank line), or "" for none. */
function systemText(value: unknown, at: string, fail: Fail): string {
  if (typeof value === "string") return value;
  if (!Array.isArray(value)) fail(at, `must be a string or an array of text blocks, got ${kind(value)}`);
  return value
    .map((block: unknown, i: number) => {
      const b = object(block, `${at}[${i}]`, fail);
      if (b["type"] !== "text") fail(`${at}[${i}].type`, `must be "text" (system prompts hold text blocks only), got ${shown(b["type"])}`);
      return string(b["text"], `${at}[${i}].text`, fail);
    })
    .join("\n\n");
}

/** An image block as a chat image part: base64 sources become data URLs, url sources stay URLs. */
function imagePart(block: Json, at: string, fail: Fail): ChatContentPart {
  const source = object(block["source"], `${at}.source`, fail);
  if (source["type"] === "base64") {
    const media = string(source["media_type"], `${at}.source.media_type`, fail);
    const data = string(source["data"], `${at}.source.data`, fail);
    return { type: "image_url", image_url: { url: `data:${media};base64,${data}` } };
  }
  if (source["type"] === "url") return { type: "image_url", image_url: { url: string(source["url"], `${at}.source.url`, fail) } };
  return fail(`${at}.source.type`, `must be "base64" or "url" (the router cannot read Files API sources), got ${shown(source["type"])}`);
}

function textPart(block: Json, at: string, fail: Fail): ChatContentPart {
  const text = string(block["text"], `${at}.text`, fail);
  if (text === "") fail(`${at}.text`, "must not be empty (Anthropic refuses empty text blocks)");
  return { type: "text", text };
}

/** A block type the router cannot carry: refused naming it and why. */
function unsupportedBlock(type: unknown, at: string, fail: Fail): never {
  const why =
    type === "thinking" || type === "redacted_thinking"
      ? "the router does not serve extended thinking"
      : type === "document" || type === "search_result"
        ? "the router's internal request has no documents"
        : "the router reads text, image, tool_use and tool_result blocks only";
  return fail(`${at}.type`, `${JSON.stringify(type)} is not supported: ${why}`);
}

/** A tool_result's content as a tool message's: its text, or text parts for several text blocks. */
function toolResultContent(value: unknown, at: string, fail: Fail): string | ChatContentPart[] {
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value;
  if (!Array.isArray(value)) fail(at, `must be a string or an array of text blocks, got ${kind(value)}`);
  return value.map((block: unknown, i: number) => {
    const b = object(block, `${at}[${i}]`, fail);
    if (b["type"] === "text") return { type: "text", text: string(b["text"], `${at}[${i}].text`, fail) };
    if (b["type"] === "image") fail(`${at}[${i}].type`, '"image" in a tool_result is not supported: a tool message of the internal request holds text only');
    return unsupportedBlock(b["type"], `${at}[${i}]`, fail);
  });
}

/**
 * A user turn's blocks in history order: runs of text and image blocks become user messages, each tool_result a
 * `tool` message where it stands.
 */
function userMessages(blocks: unknown[], at: string, fail: Fail, out: ChatMessage[]): void {
  let parts: ChatContentPart[] = [];
  const flush = (): void => {
    if (parts.length > 0) out.push({ role: "user", content: parts });
    parts = [];
  };
  blocks.forEach((block: unknown, j: number) => {
    const where = `${at}[${j}]`;
    const b = object(block, where, fail);
    switch (b["type"]) {
      case "text":
        parts.push(textPart(b, where, fail));
        return;
      case "image":
        parts.push(imagePart(b, where, fail));
        return;
      case "tool_result": {
        flush();
        const id = string(b["tool_use_id"], `${where}.tool_use_id`, fail);
        const isError = b["is_error"];
        if (isError !== undefined && isError !== null && typeof isError !== "boolean") fail(`${where}.is_error`, "must be a boolean");
        const message: ChatMessage = { role: "tool", tool_call_id: id, content: toolResultContent(b["content"], `${where}.content`, fail) };
        if (isError === true) message[TOOL_ERROR] = true;
        out.push(message);
        return;
      }
      case "tool_use":
        return fail(`${where}.type`, '"tool_use" belongs in an assistant turn');
      default:
        return unsupportedBlock(b["type"], where, fail);
    }
  });
  flush();
}

/** An assistant turn: its text blocks as content, its tool_use blocks as tool calls (their input as JSON arguments). */
function assistantMessage(blocks: unknown[], at: string, fail: Fail): ChatMessage {
  const texts: ChatContentPart[] = [];
  const calls: ChatToolCall[] = [];
  blocks.forEach((block: unknown, j: number) => {
    const where = `${at}[${j}]`;
    const b = object(block, where, fail);
    if (b["type"] === "text") texts.push(textPart(b, where, fail));
    else if (b["type"] === "tool_use") {
      const id = string(b["id"], `${where}.id`, fail);
      const name = string(b["name"], `${where}.name`, fail);
      calls.push({ id, type: "function", function: { name, arguments: JSON.stringify(b["input"] ?? {}) } });
    } else if (b["type"] === "image") fail(`${where}.type`, '"image" is not supported in an assistant turn');
    else unsupportedBlock(b["type"], where, fail);
  });
  const message: ChatMessage = { role: "assistant", content: texts.length === 0 ? null : texts.length === 1 ? (texts[0]?.text ?? "") : texts };
  if (calls.length > 0) message.tool_calls = calls;
  return message;
}

function readMessages(value: unknown, fail: Fail): ChatMessage[] {
  if (value === undefined) fail("messages", "is required");
  if (!Array.isArray(value)) fail("messages", `must be an array, got ${kind(value)}`);
  if (value.length === 0) fail("messages", "must hold at least one message");
  const out: ChatMessage[] = [];
  value.forEach((message: unknown, i: number) => {
    const at = `messages[${i}]`;
    const m = object(message, at, fail);
    const role = m["role"];
    if (role !== "user" && role !== "assistant" && role !== "system") fail(`${at}.role`, `must be "user", "assistant" or "system", got ${shown(role)}`);
    const content = m["content"];
    if (content === undefined) fail(`${at}.content`, "is required");
    if (typeof content !== "string" && !Array.isArray(content)) fail(`${at}.content`, `must be a string or an array of content blocks, got ${kind(content)}`);
    if (content.length === 0) {
      // An empty final assistant turn is an empty prefill: it asks for nothing, so it is left out. Anywhere else an
      // empty turn is refused, as Anthropic refuses it: dropping it would change the history's shape.
      if (role === "assistant" && i === value.length - 1) return;
      fail(`${at}.content`, "must not be empty (only a final assistant turn may be)");
    }
    if (role === "system") out.push({ role: "system", content: systemText(content, `${at}.content`, fail) });
    else if (typeof content === "string") out.push({ role, content });
    else if (role === "user") userMessages(content, `${at}.content`, fail, out);
    else out.push(assistantMessage(content, `${at}.content`, fail));
  });
  return out;
}

/** Custom tools as chat tools; server tools (a `type` other than "custom") are refused, all named. */
function readTools(value: unknown, fail: Fail): ChatTool[] {
  if (!Array.isArray(value)) fail("tools", `must be an array, got ${kind(value)}`);
  const server: string[] = [];
  const tools: ChatTool[] = [];
  value.forEach((tool: unknown, i: number) => {
    const at = `tools[${i}]`;
    const t = object(tool, at, fail);
    const type = t["type"];
    if (type !== undefined && type !== null && type !== "custom") {
      server.push(`${String(type)} (${at})`);
      return;
    }
    for (const key of Object.keys(t))
      if (!TOOL_FIELDS.has(key)) fail(`${at}.${key}`, "is not supported by the router (a custom tool is name, description, input_schema, strict)");
    const fn: ChatTool["function"] = {
      name: string(t["name"], `${at}.name`, fail),
      parameters: object(t["input_schema"], `${at}.input_schema`, fail),
    };
    if (t["description"] !== undefined) fn.description = string(t["description"], `${at}.description`, fail);
    if (t["strict"] !== undefined) {
      if (typeof t["strict"] !== "boolean") fail(`${at}.strict`, `must be a boolean, got ${kind(t["strict"])}`);
      fn.strict = t["strict"];
    }
    tools.push({ type: "function", function: fn });
  });
  if (server.length > 0) {
    fail(
      "tools",
      `server tools are not supported: ${server.join(", ")}; the router forwards custom tools (name, description, input_schema) that your code runs`,
    );
  }
  return tools;
}

/** `tool_choice` onto the chat body: auto, any → required, tool → that function, none; `disable_parallel_tool_use`. */
function readToolChoice(value: unknown, body: ChatBody, fail: Fail): void {
  const choice = object(value, "tool_choice", fail);
  const type = choice["type"];
  const tools = body.tools !== undefined && body.tools.length > 0;
  if (type === "auto" || type === "none") {
    // Without tools both ask for what happens anyway: no tool_choice is sent (OpenAI refuses one without tools).
    if (tools) body.tool_choice = type;
  } else if (type === "any" || type === "tool") {
    if (!tools) fail("tool_choice.type", `${JSON.stringify(type)} needs \`tools\` to choose from`);
    body.tool_choice = type === "any" ? "required" : { type: "function", function: { name: string(choice["name"], "tool_choice.name", fail) } };
  } else fail("tool_choice.type", `must be "auto", "any", "tool" or "none", got ${shown(type)}`);
  const disable = choice["disable_parallel_tool_use"];
  if (disable !== undefined && typeof disable !== "boolean") fail("tool_choice.disable_parallel_tool_use", `must be a boolean, got ${kind(disable)}`);
  if (disable === true && tools && type !== "none") body.parallel_tool_calls = false;
}

/** `output_config`: `format` (a JSON schema the answer must follow) becomes `response_format`; `effort` is refused. */
function readOutputConfig(value: unknown, body: ChatBody, fail: Fail): void {
  if (value === null) return;
  const config = object(value, "output_config", fail);
  for (const key of Object.keys(config)) {
    if (key === "effort") {
      if (config[key] !== null && config[key] !== undefined)
        fail("output_config.effort", "is not supported by the router: its internal request has no effort setting");
    } else if (key !== "format") fail(`output_config.${key}`, "is not supported by the router");
  }
  const format = config["format"];
  if (format === undefined || format === null) return;
  const f = object(format, "output_config.format", fail);
  if (f["type"] !== "json_schema") fail("output_config.format.type", `must be "json_schema", got ${shown(f["type"])}`);
  const schema = object(f["schema"], "output_config.format.schema", fail);
  body.response_format = { type: "json_schema", json_schema: { name: "output", schema, strict: true } };
}

/**
 * Read an untrusted Messages request (the parsed JSON) into the internal chat body. `count` reads a
 * `/v1/messages/count_tokens` body: `max_tokens` is not required there. `deepest` is json.ts's `tooDeep`, passed in
 * (MessagesCore) so the lazily loaded chunk carries no copy of it.
 *
 * @example readMessagesRequest({ model: "chat", max_tokens: 256, messages: [{ role: "user", content: "hi" }] }, fail, false, tooDeep)
 */
export function readMessagesRequest(value: unknown, fail: Fail, count: boolean, deepest: typeof tooDeep): MessagesRead {
  if (!isObject(value)) fail("body", `the request body must be a JSON object, got ${kind(value)}`);
  const deep = deepest(value);
  if (deep !== undefined) fail(deep, `nests more than ${MAX_JSON_DEPTH} levels deep`);
  for (const key of Object.keys(value)) if (!FIELDS.has(key)) fail(key, "is not a field the router's Messages endpoint knows (extra inputs are not permitted)");
  const model = value["model"];
  if (model === undefined) fail("model", "is required: name the route to use");
  if (typeof model !== "string" || model === "") fail("model", `must be a non-empty string (a route name), got ${kind(model)}`);
  const messages = readMessages(value["messages"], fail);
  const system = value["system"] === undefined || value["system"] === null ? "" : systemText(value["system"], "system", fail);
  const body: ChatBody = { model, messages: system === "" ? messages : [{ role: "system", content: system }, ...messages] };
  if (!count) {
    if (value["max_tokens"] === undefined) fail("max_tokens", "is required (the most tokens the answer may hold)");
    body.max_tokens = number(value["max_tokens"], "max_tokens", fail, 1, Number.MAX_SAFE_INTEGER, true);
  }
  if (value["temperature"] !== undefined && value["temperature"] !== null) body.temperature = number(value["temperature"], "temperature", fail, 0, 1);
  if (value["top_p"] !== undefined && value["top_p"] !== null) body.top_p = number(value["top_p"], "top_p", fail, 0, 1);
  if (value["top_k"] !== undefined && value["top_k"] !== null) {
    fail("top_k", "is not supported: the router's internal request has no top-k sampling, so no upstream could honour it");
  }
  const stops = value["stop_sequences"];
  if (stops !== undefined && stops !== null) {
    if (!Array.isArray(stops) || !stops.every((s) => typeof s === "string")) fail("stop_sequences", "must be an array of strings");
    if (stops.length > 0) body.stop = stops;
  }
  if (value["metadata"] !== undefined && value["metadata"] !== null) {
    const metadata = object(value["metadata"], "metadata", fail);
    for (const key of Object.keys(metadata)) if (key !== "user_id") fail(`metadata.${key}`, "is not supported (metadata holds `user_id` only)");
    const user = metadata["user_id"];
    if (user !== undefined && user !== null) body.user = string(user, "metadata.user_id", fail);
  }
  if (value["tools"] !== undefined && value["tools"] !== null) {
    const tools = readTools(value["tools"], fail);
    if (tools.length > 0) body.tools = tools;
  }
  if (value["tool_choice"] !== undefined && value["tool_choice"] !== null) readToolChoice(value["tool_choice"], body, fail);
  const thinking = value["thinking"];
  if (thinking !== undefined && thinking !== null) {
    const type = object(thinking, "thinking", fail)["type"];
    if (type !== "disabled") {
      fail(
        "thinking",
        `${JSON.stringify(type)} is not supported: the router does not serve extended thinking; leave \`thinking\` out or set { "type": "disabled" }`,
      );
    }
  }
  if (value["output_config"] !== undefined) readOutputConfig(value["output_config"], body, fail);
  const speed = value["speed"];
  if (speed !== undefined && speed !== null && speed !== "standard")
    fail("speed", `${JSON.stringify(speed)} is not supported: the router serves standard speed only`);
  const tier = value["service_tier"];
  if (tier !== undefined && tier !== "auto" && tier !== "standard_only") fail("service_tier", `must be "auto" or "standard_only", got ${shown(tier)}`);
  const stream = value["stream"];
  if (stream !== undefined && stream !== null && typeof stream !== "boolean") fail("stream", `must be a boolean, got ${kind(stream)}`);
  const streamed = !count && stream === true;
  if (streamed) {
    body.stream = true;
    // The usage chunk closes every stream: message_delta reports the answer's usage.
    body.stream_options = { include_usage: true };
  }
  return { body, stream: streamed };
}
