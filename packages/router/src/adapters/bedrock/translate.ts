/**
 * @module Pure translation between OpenAI chat-completions and AWS Bedrock's Converse API
 * (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html): requests, responses, usage,
 * stop reasons and ConverseStream events.
 */
import type { Model } from "@switchyard/ir";
import type { ChatBody, ChatCompletion, ChatCompletionChunk, ChatToolCall, Usage } from "../../protocol/chat.ts";
import { markStopSequence } from "../../protocol/stop-sequence.ts";
import { TOOL_ERROR } from "../../protocol/tool-error.ts";
import { toolUseId } from "../tool-call-ids.ts";
import { midConversationSystem, structuredToolName, toUsage } from "../anthropic/translate.ts";
import { type BedrockImageFormat, blocksOf, hasToolBlocks } from "./content.ts";
import { messageText } from "../text.ts";

/** A content block of a Converse message (a union: exactly one member set). Blobs travel as base64 in the JSON protocol. */
export type BedrockBlock =
  | { text: string }
  | { image: { format: BedrockImageFormat; source: { bytes: string } } }
  | { toolUse: { toolUseId: string; name: string; input: unknown } }
  | {
      toolResult: {
        toolUseId: string;
        content: Array<{ text: string } | { image: { format: BedrockImageFormat; source: { bytes: string } } }>;
        status?: "error";
      };
    }
  | { reasoningContent: { reasoningText?: { text: string; signature?: string } } };

export interface BedrockMessage {
  role: "user" | "assistant";
  content: BedrockBlock[];
}

export interface BedrockToolSpec {
  toolSpec: { name: string; description?: string; inputSchema: { json: Record<string, unknown> } };
}

/** The body of `POST /model/{modelId}/converse` (and `/converse-stream`, the same body). */
export interface ConverseRequest {
  messages: BedrockMessage[];
  system?: Array<{ text: string }>;
  inferenceConfig?: { maxTokens?: number; temperature?: number; topP?: number; stopSequences?: string[] };
  toolConfig?: { tools: BedrockToolSpec[]; toolChoice?: { auto: Record<string, never> } | { any: Record<string, never> } | { tool: { name: string } } };
  /** JSON Pointers into the model's own answer to return in `additionalModelResponseFields` (ignored when absent from it). */
  additionalModelResponseFieldPaths?: string[];
}

/** The model's own answer fields asked for by `additionalModelResponseFieldPaths`: an Anthropic model's matched `stop_sequence`. */
export interface BedrockResponseFields {
  stop_sequence?: string | null;
}

export interface BedrockUsage {
  inputTokens?: number;
  outputTokens?: number;
  totalTokens?: number;
  cacheReadInputTokens?: number;
  cacheWriteInputTokens?: number;
}

export interface ConverseResponse {
  output?: { message?: { role?: string; content?: BedrockBlock[] } };
  stopReason?: string;
  additionalModelResponseFields?: BedrockResponseFields | null;
  usage?: BedrockUsage;
}

function parseArguments(args: string): unknown {
  if (args.trim() === "") return {};
  try {
    return JSON.parse(args);
  } catch {
    return { _raw: args };
  }
}

/** The forced tool standing for `response_format`: its input schema is the answer's. */
function structuredTool(body: ChatBody, name: string): BedrockToolSpec {
  const format = body.response_format ?? { type: "json_object" };
  const spec = (format.type === "json_schema" ? format["json_schema"] : undefined) as { schema?: unknown; description?: unknown } | undefined;
  const schema = typeof spec?.schema === "object" && spec.schema !== null ? (spec.schema as Record<string, unknown>) : { type: "object" };
  const description = typeof spec?.description === "string" ? `${spec.description}\n\n` : "";
  return {
    toolSpec: {
      name,
      description: `${description}Give your whole answer as this tool's input: it is the response, a JSON object.`,
      inputSchema: { json: schema },
    },
  };
}

/**
 * Translate a chat-completions body to a Converse request: the system/developer messages before the first other
 * message become `system` blocks; a later one stays at its place as marked user text (midConversationSystem); tool
 * results become `toolResult` blocks in a user turn, assistant tool calls `toolUse` blocks; consecutive turns of one
 * role merge (Converse wants them alternating); `max_tokens` (or the model's maxOutput) is `inferenceConfig.maxTokens`;
 * tools are `toolConfig.tools[].toolSpec`, tool_choice `auto`/`any`/`tool`, and "none" sends no tools.
 * `response_format` (json_schema, json_object) is one forced tool whose input is the answer, as on Anthropic.
 */
export function toConverseRequest(body: ChatBody, model: Model): ConverseRequest {
  const system: Array<{ text: string }> = [];
  const messages: BedrockMessage[] = [];
  const push = (role: "user" | "assistant", blocks: BedrockBlock[]): void => {
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
        if (messages.length === 0) {
          if (text !== "") system.push({ text });
        } else if (text !== "") push("user", [{ text: midConversationSystem(text) }]);
        break;
      }
      case "user":
        push("user", blocksOf(m.content));
        break;
      case "assistant": {
        const blocks: BedrockBlock[] = blocksOf(m.content);
        for (const call of m.tool_calls ?? []) {
          blocks.push({ toolUse: { toolUseId: toolUseId(call.id), name: call.function.name, input: parseArguments(call.function.arguments) } });
        }
        push("assistant", blocks);
        break;
      }
      case "tool":
      case "function": {
        const content = blocksOf(m.content);
        push("user", [
          {
            toolResult: {
              toolUseId: toolUseId(m.tool_call_id ?? m.name),
              content: content.length > 0 ? content : [{ text: "" }],
              ...(m[TOOL_ERROR] === true ? { status: "error" as const } : {}),
            },
          },
        ]);
        break;
      }
    }
  }
  const request: ConverseRequest = { messages };
  if (system.length > 0) request.system = system;
  const inference: NonNullable<ConverseRequest["inferenceConfig"]> = {};
  const maxTokens = body.max_completion_tokens ?? body.max_tokens ?? model.maxOutput;
  if (typeof maxTokens === "number") inference.maxTokens = maxTokens;
  if (typeof body.temperature === "number") inference.temperature = body.temperature;
  if (typeof body.top_p === "number") inference.topP = body.top_p;
  if (typeof body.stop === "string") inference.stopSequences = [body.stop];
  else if (Array.isArray(body.stop) && body.stop.length > 0) inference.stopSequences = body.stop;
  if (Object.keys(inference).length > 0) request.inferenceConfig = inference;
  // Which sequence stopped an Anthropic model is in its own answer's `stop_sequence`, returned only when asked for.
  if (inference.stopSequences !== undefined) request.additionalModelResponseFieldPaths = ["/stop_sequence"];
  const structured = structuredToolName(body);
  if (structured !== undefined) {
    request.toolConfig = { tools: [structuredTool(body, structured)], toolChoice: { tool: { name: structured } } };
  } else if (Array.isArray(body.tools) && body.tools.length > 0 && !(body.tool_choice === "none" && !hasToolBlocks(body.messages))) {
    const tools = body.tools.map((t) => ({
      toolSpec: {
        name: t.function.name,
        ...(t.function.description !== undefined ? { description: t.function.description } : {}),
        inputSchema: { json: t.function.parameters ?? { type: "object", properties: {} } },
      },
    }));
    const choice = body.tool_choice;
    request.toolConfig = { tools };
    if (choice === "auto") request.toolConfig.toolChoice = { auto: {} };
    else if (choice === "required") request.toolConfig.toolChoice = { any: {} };
    else if (typeof choice === "object" && choice !== null) request.toolConfig.toolChoice = { tool: { name: choice.function.name } };
  }
  return request;
}

/** OpenAI's finish_reason for a Converse stopReason. */
export function finishReason(stop: string | undefined): string | null {
  switch (stop) {
    case undefined:
      return null;
    case "max_tokens":
    case "model_context_window_exceeded":
      return "length";
    case "tool_use":
      return "tool_calls";
    case "guardrail_intervened":
    case "content_filtered":
      return "content_filter";
    default:
      return "stop"; // end_turn, stop_sequence, and any reason Bedrock adds
  }
}

/**
 * OpenAI usage from Converse usage: cache reads and writes count as prompt tokens (`inputTokens` is only the uncached
 * rest, as on Anthropic) and are named in `prompt_tokens_details` (`cached_tokens`, `cache_write_tokens`) for pricing.
 */
export function bedrockUsage(u: BedrockUsage): Usage {
  return toUsage({
    input_tokens: u.inputTokens ?? 0,
    output_tokens: u.outputTokens ?? 0,
    ...(u.cacheReadInputTokens !== undefined ? { cache_read_input_tokens: u.cacheReadInputTokens } : {}),
    ...(u.cacheWriteInputTokens !== undefined ? { cache_creation_input_tokens: u.cacheWriteInputTokens } : {}),
  });
}

/** The forced tool's call is the answer itself: it finishes as `stop`, not `tool_calls`. */
function structuredFinish(finish: string | null, structured: string | undefined): string | null {
  return structured !== undefined && finish === "tool_calls" ? "stop" : finish;
}

/**
 * Translate a Converse response to a chat.completion (`id` and `model` from the caller: Converse answers neither).
 * Reasoning blocks are not part of the answer's content. With `structured`, that tool's input is the content, as JSON.
 */
export function fromConverseResponse(response: ConverseResponse, meta: { id: string; model: string; created: number }, structured?: string): ChatCompletion {
  let text = "";
  const toolCalls: ChatToolCall[] = [];
  for (const block of response.output?.message?.content ?? []) {
    if ("toolUse" in block) {
      const use = block.toolUse;
      if (structured !== undefined) {
        if (use.name === structured) text += JSON.stringify(use.input ?? {});
      } else toolCalls.push({ id: use.toolUseId, type: "function", function: { name: use.name, arguments: JSON.stringify(use.input ?? {}) } });
    } else if ("text" in block && structured === undefined) text += block.text;
  }
  const message: ChatCompletion["choices"][number]["message"] = { role: "assistant", content: text === "" && toolCalls.length > 0 ? null : text };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  const completion: ChatCompletion = {
    id: meta.id,
    object: "chat.completion",
    created: meta.created,
    model: meta.model,
    choices: [{ index: 0, message, finish_reason: structuredFinish(finishReason(response.stopReason), structured), logprobs: null }],
    usage: bedrockUsage(response.usage ?? {}),
  };
  markStopSequence(completion.choices[0], response.stopReason, response.additionalModelResponseFields?.stop_sequence);
  return completion;
}

/** A ConverseStream event's payload (the subset read), keyed by its `:event-type` header. */
export interface ConverseStreamEvent {
  role?: string;
  contentBlockIndex?: number;
  start?: { toolUse?: { toolUseId?: string; name?: string } };
  delta?: { text?: string; toolUse?: { input?: string }; reasoningContent?: unknown };
  stopReason?: string;
  additionalModelResponseFields?: BedrockResponseFields | null;
  usage?: BedrockUsage;
}

/**
 * Stateful translator from ConverseStream events to chat.completion.chunk objects: a role chunk on messageStart, text
 * and tool-call deltas, the finish reason on messageStop, and a usage chunk (choices: []) on metadata. The stream is
 * `finished` once messageStop came (metadata, with the usage, follows it).
 */
export class ConverseStreamTranslator {
  /** Converse content-block index → OpenAI tool_calls index. */
  private readonly toolIndex = new Map<number, number>();
  private structuredBlock: number | undefined;
  stopped = false;

  constructor(
    private readonly meta: { id: string; model: string; created: number },
    private readonly structured?: string,
  ) {}

  private chunk(delta: ChatCompletionChunk["choices"][number]["delta"], finish: string | null = null): ChatCompletionChunk {
    const { id, model, created } = this.meta;
    return { id, object: "chat.completion.chunk", created, model, choices: [{ index: 0, delta, finish_reason: finish }] };
  }

  next(type: string, event: ConverseStreamEvent): ChatCompletionChunk[] {
    const index = event.contentBlockIndex ?? 0;
    switch (type) {
      case "messageStart":
        return [this.chunk({ role: "assistant", content: "" })];
      case "contentBlockStart": {
        const use = event.start?.toolUse;
        if (use === undefined) return [];
        if (this.structured !== undefined) {
          if (use.name === this.structured) this.structuredBlock = index;
          return [];
        }
        const at = this.toolIndex.size;
        this.toolIndex.set(index, at);
        return [this.chunk({ tool_calls: [{ index: at, id: use.toolUseId ?? "", type: "function", function: { name: use.name ?? "", arguments: "" } }] })];
      }
      case "contentBlockDelta": {
        const delta = event.delta;
        const input = delta?.toolUse?.input;
        if (this.structured !== undefined) {
          return index === this.structuredBlock && typeof input === "string" && input !== "" ? [this.chunk({ content: input })] : [];
        }
        if (typeof delta?.text === "string" && delta.text !== "") return [this.chunk({ content: delta.text })];
        if (typeof input === "string" && this.toolIndex.has(index))
          return [this.chunk({ tool_calls: [{ index: this.toolIndex.get(index) ?? 0, function: { arguments: input } }] })];
        return []; // reasoning deltas are not part of the answer
      }
      case "messageStop": {
        this.stopped = true;
        const last = this.chunk({}, structuredFinish(finishReason(event.stopReason), this.structured));
        markStopSequence(last.choices[0], event.stopReason, event.additionalModelResponseFields?.stop_sequence);
        return [last];
      }
      case "metadata":
        if (event.usage === undefined) return [];
        return [
          {
            id: this.meta.id,
            object: "chat.completion.chunk",
            created: this.meta.created,
            model: this.meta.model,
            choices: [],
            usage: bedrockUsage(event.usage),
          },
        ];
      default:
        return []; // contentBlockStop, and any event type Bedrock adds
    }
  }
}
