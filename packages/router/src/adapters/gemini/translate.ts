/**
 * @module Pure translation between OpenAI Chat Completions and Google's Gemini API (`generateContent`,
 * `streamGenerateContent?alt=sse`, `batchEmbedContents`): requests, answers, stream chunks, usage and errors.
 * Wire format: https://ai.google.dev/api/generate-content and https://ai.google.dev/api/embeddings.
 */
import { RouterError } from "../../errors.ts";
import type { ChatBody, ChatCompletion, ChatCompletionChunk, ChatContentPart, ChatMessage, ChatToolCall, Usage } from "../../protocol/chat.ts";
import type { EmbeddingsBody } from "../../protocol/embeddings.ts";
import type { FailureClass } from "../../errors.ts";
import type { UpstreamErrorDetail } from "../types.ts";
import { messageText } from "../text.ts";

export interface GeminiPart {
  text?: string;
  /** A thought summary (only sent when `includeThoughts` is asked; never the answer's content). */
  thought?: boolean;
  thoughtSignature?: string;
  inlineData?: { mimeType: string; data: string };
  functionCall?: { name: string; args?: Record<string, unknown>; id?: string };
  functionResponse?: { name: string; response: Record<string, unknown>; id?: string };
}

export interface GeminiContent {
  role: "user" | "model";
  parts: GeminiPart[];
}

export interface GeminiFunctionDeclaration {
  name: string;
  description?: string;
  /** JSON Schema as the client wrote it (`parameters` takes only an OpenAPI subset and refuses `additionalProperties`). */
  parametersJsonSchema?: Record<string, unknown>;
}

export interface GeminiGenerationConfig {
  temperature?: number;
  topP?: number;
  maxOutputTokens?: number;
  stopSequences?: string[];
  presencePenalty?: number;
  frequencyPenalty?: number;
  seed?: number;
  responseMimeType?: string;
  /** JSON Schema as the client wrote it (`responseSchema` takes only an OpenAPI subset). */
  responseJsonSchema?: Record<string, unknown>;
}

export interface GeminiRequest {
  contents: GeminiContent[];
  systemInstruction?: { parts: Array<{ text: string }> };
  tools?: Array<{ functionDeclarations: GeminiFunctionDeclaration[] }>;
  toolConfig?: { functionCallingConfig: { mode: "AUTO" | "ANY" | "NONE"; allowedFunctionNames?: string[] } };
  generationConfig?: GeminiGenerationConfig;
}

export interface GeminiUsageMetadata {
  promptTokenCount?: number;
  candidatesTokenCount?: number;
  totalTokenCount?: number;
  cachedContentTokenCount?: number;
  thoughtsTokenCount?: number;
  toolUsePromptTokenCount?: number;
}

export interface GeminiCandidate {
  content?: { role?: string; parts?: GeminiPart[] };
  finishReason?: string;
  index?: number;
}

/** A `generateContent` answer, and each event of a `streamGenerateContent` stream (the same shape, one slice each). */
export interface GeminiResponse {
  candidates?: GeminiCandidate[];
  promptFeedback?: { blockReason?: string };
  usageMetadata?: GeminiUsageMetadata;
  modelVersion?: string;
  responseId?: string;
  /** An error event mid-stream carries Google's error instead. */
  error?: GoogleError;
}

/** Google's error body (https://cloud.google.com/apis/design/errors): `{ error: { code, message, status, details } }`. */
export interface GoogleError {
  code?: number;
  message?: string;
  status?: string;
  details?: Array<{ "@type"?: string; reason?: string; retryDelay?: string }>;
}

/** What of `body` the Gemini API cannot honour, and why (`unsupported_parameter`, naming the field). */
export function geminiRefusal(body: ChatBody, provider: string, api = "Google's Gemini API"): RouterError | undefined {
  const refuse = (param: string, why: string): RouterError =>
    new RouterError("unsupported_parameter", `\`${param}\` cannot be honoured by provider \`${provider}\` (${api}): ${why}`, { param });
  const n = body["n"];
  if (n !== undefined && n !== null && n !== 1) return refuse("n", "the router asks it for one candidate per request");
  if (body["logprobs"] === true) return refuse("logprobs", "the router does not translate its log probabilities");
  const top = body["top_logprobs"];
  if (top !== undefined && top !== null && top !== 0) return refuse("top_logprobs", "the router does not translate its log probabilities");
  const bias = body["logit_bias"];
  if (typeof bias === "object" && bias !== null && Object.keys(bias).length > 0) return refuse("logit_bias", "it has no logit bias");
  if (body["audio"] !== undefined && body["audio"] !== null) return refuse("audio", "the router does not ask it for audio output");
  const format = body.response_format?.type;
  if (format !== undefined && format !== "text" && format !== "json_schema" && format !== "json_object") {
    return refuse("response_format.type", `it has no \`${format}\` output`);
  }
  for (let i = 0; i < body.messages.length; i++) {
    const content = (body.messages[i] as ChatMessage).content;
    if (!Array.isArray(content)) continue;
    for (let j = 0; j < content.length; j++) {
      const part = content[j] as ChatContentPart;
      const problem = partProblem(part);
      if (problem !== undefined) return refuse(`messages[${i}].content[${j}]`, problem);
    }
  }
  return undefined;
}

/** Why a content part cannot reach Gemini inline, or undefined. */
function partProblem(part: ChatContentPart): string | undefined {
  if (part.type === "text") return undefined;
  if (part.type === "image_url") {
    const url = imageUrlOf(part);
    if (url === undefined) return "an image part needs `image_url.url`";
    if (dataUrl(url) === undefined) return "it takes images inline only: send a `data:` URL (base64), not an http(s) URL";
    return undefined;
  }
  if (part.type === "input_audio") {
    const audio = part["input_audio"] as { data?: unknown; format?: unknown } | undefined;
    return typeof audio?.data === "string" && typeof audio.format === "string" ? undefined : "an audio part needs `input_audio.data` and `format`";
  }
  if (part.type === "file") {
    const data = (part["file"] as { file_data?: unknown } | undefined)?.file_data;
    return typeof data === "string" && dataUrl(data) !== undefined ? undefined : "it takes files inline only: `file.file_data` as a `data:` URL";
  }
  return `it takes no \`${part.type}\` content`;
}

function imageUrlOf(part: ChatContentPart): string | undefined {
  const ref = part.image_url;
  const url = typeof ref === "string" ? ref : ref?.url;
  return typeof url === "string" ? url : undefined;
}

/** A base64 `data:` URL's media type and data. */
function dataUrl(url: string): { mimeType: string; data: string } | undefined {
  const m = /^data:([^;,]+)(?:;[^,]*)?;base64,(.*)$/s.exec(url);
  return m === null ? undefined : { mimeType: m[1] as string, data: m[2] as string };
}

/** A message's content as Gemini parts (geminiRefusal has refused what cannot be sent). */
function partsOf(content: ChatMessage["content"]): GeminiPart[] {
  if (typeof content === "string") return content === "" ? [] : [{ text: content }];
  if (!Array.isArray(content)) return [];
  const parts: GeminiPart[] = [];
  for (const part of content) {
    if (part.type === "text" && typeof part.text === "string" && part.text !== "") parts.push({ text: part.text });
    else if (part.type === "image_url") {
      const inline = dataUrl(imageUrlOf(part) ?? "");
      if (inline !== undefined) parts.push({ inlineData: inline });
    } else if (part.type === "input_audio") {
      const audio = part["input_audio"] as { data: string; format: string };
      parts.push({ inlineData: { mimeType: `audio/${audio.format}`, data: audio.data } });
    } else if (part.type === "file") {
      const inline = dataUrl(String((part["file"] as { file_data?: unknown }).file_data));
      if (inline !== undefined) parts.push({ inlineData: inline });
    }
  }
  return parts;
}

/** A tool's result as Gemini's `functionResponse.response` (a JSON object): the result itself when it is one, else `{ result }`. */
function toolResponse(text: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
    return { result: parsed };
  } catch {
    return { result: text };
  }
}

function parseArguments(args: string): Record<string, unknown> {
  if (args.trim() === "") return {};
  try {
    const parsed: unknown = JSON.parse(args);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : { value: parsed };
  } catch {
    return { _raw: args };
  }
}

/**
 * Tool-call ids the router gives Gemini's function calls carry the call's `thoughtSignature` (Gemini 2.5+ signs its
 * calls and Gemini 3 refuses a history whose calls lack theirs): `call_<n>` alone, or `call_<n>__sig__<signature>`, the
 * signature in base64url so the id stays within `[A-Za-z0-9_-]` (what Anthropic accepts as a tool_use id, should the
 * history travel there).
 */
const SIGNATURE_MARK = "__sig__";

/**
 * What a replayed call without a signature of its own carries (a call another model made, or the client wrote): the
 * value Google documents for skipping the check (https://ai.google.dev/gemini-api/docs/thought-signatures).
 */
export const SKIP_SIGNATURE = "skip_thought_signature_validator";

export function toolCallId(index: number, call: { id?: string }, signature: string | undefined): string {
  const id = typeof call.id === "string" && call.id !== "" ? call.id : `call_${index}`;
  if (signature === undefined || signature === "") return id;
  return `${id}${SIGNATURE_MARK}${signature.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")}`;
}

function signatureOf(id: string): string | undefined {
  const at = id.indexOf(SIGNATURE_MARK);
  if (at === -1) return undefined;
  const url = id.slice(at + SIGNATURE_MARK.length);
  return url.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (url.length % 4)) % 4);
}

/**
 * Translate a chat-completions body to a `generateContent` request: system/developer messages become
 * `systemInstruction` (joined by a blank line, wherever they stand); user turns `role: "user"`, assistant turns
 * `role: "model"` with their tool calls as `functionCall` parts; tool results `functionResponse` parts in a user turn
 * (named after the call they answer: Gemini matches results to calls by name and order, so ids are not sent; a call's
 * `thoughtSignature`, carried in its id, goes back beside it, SKIP_SIGNATURE on a turn's first call that has none);
 * consecutive turns of one role merge, as Gemini wants them alternating. Images, audio and files travel inline
 * (`inlineData`). `tools` become `functionDeclarations` with their JSON Schema as `parametersJsonSchema`; `tool_choice`
 * the `functionCallingConfig` mode (`required` ANY, a named function ANY with `allowedFunctionNames`, `none` NONE);
 * sampling the `generationConfig`, and `response_format` `responseMimeType` `application/json` with the schema as
 * `responseJsonSchema`.
 */
export function toGeminiRequest(body: ChatBody): GeminiRequest {
  const system: string[] = [];
  const contents: GeminiContent[] = [];
  const callNames = new Map<string, string>();
  const push = (role: GeminiContent["role"], parts: GeminiPart[]): void => {
    if (parts.length === 0) return;
    const last = contents[contents.length - 1];
    if (last !== undefined && last.role === role) last.parts.push(...parts);
    else contents.push({ role, parts });
  };
  for (const m of body.messages) {
    switch (m.role) {
      case "system":
      case "developer": {
        const text = messageText(m.content);
        if (text !== "") system.push(text);
        break;
      }
      case "user":
        push("user", partsOf(m.content));
        break;
      case "assistant": {
        const parts = partsOf(m.content);
        (m.tool_calls ?? []).forEach((call, j) => {
          callNames.set(call.id, call.function.name);
          const part: GeminiPart = { functionCall: { name: call.function.name, args: parseArguments(call.function.arguments) } };
          // Gemini signs the first call of a turn (parallel calls after it carry none).
          const signature = signatureOf(call.id) ?? (j === 0 ? SKIP_SIGNATURE : undefined);
          if (signature !== undefined) part.thoughtSignature = signature;
          parts.push(part);
        });
        push("model", parts);
        break;
      }
      case "tool":
      case "function": {
        const callId = String(m.tool_call_id ?? "");
        const name = callNames.get(callId) ?? m.name ?? callId;
        push("user", [{ functionResponse: { name, response: toolResponse(messageText(m.content)) } }]);
        break;
      }
    }
  }
  const request: GeminiRequest = { contents };
  if (system.length > 0) request.systemInstruction = { parts: [{ text: system.join("\n\n") }] };
  if (Array.isArray(body.tools) && body.tools.length > 0) {
    request.tools = [
      {
        functionDeclarations: body.tools.map((t) => ({
          name: t.function.name,
          ...(t.function.description !== undefined ? { description: t.function.description } : {}),
          ...(t.function.parameters !== undefined ? { parametersJsonSchema: t.function.parameters } : {}),
        })),
      },
    ];
    const choice = body.tool_choice;
    if (choice === "required") request.toolConfig = { functionCallingConfig: { mode: "ANY" } };
    else if (typeof choice === "object" && choice !== null) {
      request.toolConfig = { functionCallingConfig: { mode: "ANY", allowedFunctionNames: [choice.function.name] } };
    } else if (choice === "none") request.toolConfig = { functionCallingConfig: { mode: "NONE" } };
    else if (choice === "auto") request.toolConfig = { functionCallingConfig: { mode: "AUTO" } };
  }
  const config = generationConfig(body);
  if (Object.keys(config).length > 0) request.generationConfig = config;
  return request;
}

function generationConfig(body: ChatBody): GeminiGenerationConfig {
  const config: GeminiGenerationConfig = {};
  if (typeof body.temperature === "number") config.temperature = body.temperature;
  if (typeof body.top_p === "number") config.topP = body.top_p;
  const max = body.max_completion_tokens ?? body.max_tokens;
  if (typeof max === "number") config.maxOutputTokens = max;
  if (typeof body.stop === "string") config.stopSequences = [body.stop];
  else if (Array.isArray(body.stop) && body.stop.length > 0) config.stopSequences = body.stop;
  for (const [from, to] of [
    ["presence_penalty", "presencePenalty"],
    ["frequency_penalty", "frequencyPenalty"],
    ["seed", "seed"],
  ] as const) {
    const value = body[from];
    if (typeof value === "number") config[to] = value;
  }
  const format = body.response_format;
  if (format?.type === "json_object") config.responseMimeType = "application/json";
  else if (format?.type === "json_schema") {
    config.responseMimeType = "application/json";
    const schema = (format["json_schema"] as { schema?: unknown } | undefined)?.schema;
    if (typeof schema === "object" && schema !== null) config.responseJsonSchema = schema as Record<string, unknown>;
  }
  return config;
}

/**
 * OpenAI usage from Gemini's `usageMetadata`: prompt tokens are `promptTokenCount` (which includes the cached
 * `cachedContentTokenCount`) plus `toolUsePromptTokenCount`; completion tokens are `candidatesTokenCount` plus
 * `thoughtsTokenCount` (Gemini counts thinking apart from the answer, and bills it as output), the thinking named
 * `reasoning_tokens`, the cache read `cached_tokens`, so pricing reads them as it does OpenAI's.
 */
export function toUsage(u: GeminiUsageMetadata): Usage {
  const prompt = (u.promptTokenCount ?? 0) + (u.toolUsePromptTokenCount ?? 0);
  const thoughts = u.thoughtsTokenCount ?? 0;
  const completion = (u.candidatesTokenCount ?? 0) + thoughts;
  const usage: Usage = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
  if (typeof u.cachedContentTokenCount === "number") usage.prompt_tokens_details = { cached_tokens: u.cachedContentTokenCount };
  if (typeof u.thoughtsTokenCount === "number") usage.completion_tokens_details = { reasoning_tokens: thoughts };
  return usage;
}

/** Finish reasons that mean Gemini's filters stopped the answer (https://ai.google.dev/api/generate-content#FinishReason). */
const FILTERED: ReadonlySet<string> = new Set(["SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY", "LANGUAGE"]);

/** OpenAI's finish_reason for a Gemini `finishReason` (`tools`: the answer holds function calls). */
export function mapFinish(reason: string | undefined, tools: boolean): string | null {
  if (reason === undefined || reason === "" || reason === "FINISH_REASON_UNSPECIFIED") return null;
  if (reason === "MAX_TOKENS") return "length";
  if (FILTERED.has(reason)) return "content_filter";
  return tools ? "tool_calls" : "stop";
}

/**
 * Finish reasons that say the model failed to answer (a call it could not form, a call to no declared tool): the
 * attempt fails as `invalid_response`, so the router retries or falls back instead of answering nothing.
 */
const FAILED: ReadonlySet<string> = new Set(["MALFORMED_FUNCTION_CALL", "UNEXPECTED_TOOL_CALL", "TOO_MANY_TOOL_CALLS"]);

export function failedFinish(reason: string | undefined): boolean {
  return reason !== undefined && FAILED.has(reason);
}

/** The answer's parts: its text (thought summaries left out) and its function calls as OpenAI tool calls. */
function readParts(parts: GeminiPart[] | undefined, firstIndex: number): { text: string; calls: ChatToolCall[] } {
  let text = "";
  const calls: ChatToolCall[] = [];
  for (const part of parts ?? []) {
    if (part.thought === true) continue;
    if (typeof part.text === "string") text += part.text;
    else if (part.functionCall !== undefined) {
      const call = part.functionCall;
      calls.push({
        id: toolCallId(firstIndex + calls.length, call, part.thoughtSignature),
        type: "function",
        function: { name: call.name, arguments: JSON.stringify(call.args ?? {}) },
      });
    }
  }
  return { text, calls };
}

/**
 * Translate a `generateContent` answer to a chat.completion. A prompt Gemini's filters blocked (`promptFeedback.
 * blockReason`, no candidate) answers empty content with `finish_reason: "content_filter"`, as OpenAI's own filter does.
 */
export function fromGeminiResponse(response: GeminiResponse, created: number, model: string): ChatCompletion {
  const candidate = response.candidates?.[0];
  const { text, calls } = readParts(candidate?.content?.parts, 0);
  const blocked = candidate === undefined && typeof response.promptFeedback?.blockReason === "string";
  const message: ChatCompletion["choices"][number]["message"] = { role: "assistant", content: text === "" && calls.length > 0 ? null : text };
  if (calls.length > 0) message.tool_calls = calls;
  const finish = blocked ? "content_filter" : (mapFinish(candidate?.finishReason, calls.length > 0) ?? "stop");
  const completion: ChatCompletion = {
    id: responseId(response),
    object: "chat.completion",
    created,
    model: response.modelVersion ?? model,
    choices: [{ index: 0, message, finish_reason: finish, logprobs: null }],
  };
  if (response.usageMetadata !== undefined) completion.usage = toUsage(response.usageMetadata);
  return completion;
}

function responseId(response: GeminiResponse): string {
  return typeof response.responseId === "string" && response.responseId !== "" ? `chatcmpl-${response.responseId}` : "chatcmpl-gemini";
}

/**
 * Stateful translator from `streamGenerateContent?alt=sse` events (each a GeminiResponse holding the next slice) to
 * chat.completion.chunk objects: a role chunk first, text deltas, each function call as one whole tool-call delta
 * (Gemini does not stream a call's arguments), the finish reason once a candidate carries one, and a final usage
 * chunk (choices: []) from the last `usageMetadata` seen. `finished` is set by a finish reason or a blocked prompt:
 * a stream that ends without either was cut.
 */
export class GeminiStreamTranslator {
  private id = "chatcmpl-gemini";
  private model: string;
  private started = false;
  private calls = 0;
  private usage: GeminiUsageMetadata | undefined;
  finished = false;
  /** The finish reason that says the model failed (failedFinish), for the adapter to throw. */
  failed: string | undefined;

  constructor(
    private readonly created: number,
    model: string,
  ) {
    this.model = model;
  }

  private chunk(delta: ChatCompletionChunk["choices"][number]["delta"], finish: string | null = null): ChatCompletionChunk {
    return { id: this.id, object: "chat.completion.chunk", created: this.created, model: this.model, choices: [{ index: 0, delta, finish_reason: finish }] };
  }

  next(event: GeminiResponse): ChatCompletionChunk[] {
    if (this.finished) {
      // Only a late usage report counts after the finish reason.
      if (event.usageMetadata !== undefined) this.usage = event.usageMetadata;
      return [];
    }
    const out: ChatCompletionChunk[] = [];
    if (!this.started) {
      this.started = true;
      if (typeof event.responseId === "string" && event.responseId !== "") this.id = `chatcmpl-${event.responseId}`;
      if (typeof event.modelVersion === "string") this.model = event.modelVersion;
      out.push(this.chunk({ role: "assistant", content: "" }));
    }
    if (event.usageMetadata !== undefined) this.usage = event.usageMetadata;
    const candidate = event.candidates?.[0];
    if (candidate === undefined) {
      if (typeof event.promptFeedback?.blockReason === "string") {
        this.finished = true;
        out.push(this.chunk({}, "content_filter"));
      }
      return out;
    }
    const { text, calls } = readParts(candidate.content?.parts, this.calls);
    if (text !== "") out.push(this.chunk({ content: text }));
    for (const call of calls) {
      out.push(this.chunk({ tool_calls: [{ index: this.calls++, id: call.id, type: "function", function: call.function }] }));
    }
    if (failedFinish(candidate.finishReason)) {
      this.failed = candidate.finishReason;
      return out;
    }
    const finish = mapFinish(candidate.finishReason, this.calls > 0);
    if (finish !== null) {
      this.finished = true;
      out.push(this.chunk({}, finish));
    }
    return out;
  }

  /** The last chunk: the usage Gemini reported (choices: []), when it did. */
  end(): ChatCompletionChunk | undefined {
    if (this.usage === undefined) return undefined;
    return { id: this.id, object: "chat.completion.chunk", created: this.created, model: this.model, choices: [], usage: toUsage(this.usage) };
  }
}

/**
 * `batchEmbedContents` request for an embeddings body of strings (token arrays are refused by the adapter): one request
 * per input, `outputDimensionality` the client's `dimensions`, else the model's declared ones (Gemini's embedding models
 * default to their longest vectors, e.g. 3072, which a route declaring 768 would not expect).
 */
export function toGeminiEmbedRequest(body: EmbeddingsBody, modelName: string, modelDimensions?: number): { requests: Array<Record<string, unknown>> } {
  const inputs = typeof body.input === "string" ? [body.input] : (body.input as string[]);
  const dimensions = body.dimensions ?? modelDimensions;
  return {
    requests: inputs.map((text) => ({
      model: `models/${modelName}`,
      content: { parts: [{ text }] },
      ...(dimensions !== undefined ? { outputDimensionality: dimensions } : {}),
    })),
  };
}

/**
 * Google's error in OpenAI's terms: its failure class (by HTTP status, except a 400 about the router's own key or
 * account, `API_KEY_INVALID` or `FAILED_PRECONDITION` such as an unsupported region or billing, which is the
 * deployment's `provider_4xx`), the detail a client's 4xx passes on, and the `RetryInfo` delay of a 429.
 */
export function readGoogleError(
  status: number,
  classOf: (status: number) => FailureClass,
  error: GoogleError | undefined,
): { errorClass: FailureClass; detail: UpstreamErrorDetail | undefined; summary: string; retryAfterMs: number | undefined } {
  const reasons = (error?.details ?? []).map((d) => d.reason).filter((r): r is string => typeof r === "string");
  const deployment = reasons.includes("API_KEY_INVALID") || error?.status === "FAILED_PRECONDITION" || error?.status === "PERMISSION_DENIED";
  const errorClass = status === 400 && deployment ? "provider_4xx" : classOf(status);
  const delay = (error?.details ?? []).find((d) => typeof d.retryDelay === "string")?.retryDelay;
  const seconds = delay === undefined ? NaN : Number(/^([\d.]+)s$/.exec(delay)?.[1]);
  const retryAfterMs = Number.isFinite(seconds) ? Math.round(seconds * 1000) : undefined;
  if (typeof error?.message !== "string" || deployment) {
    return { errorClass, detail: undefined, summary: deployment && typeof error?.status === "string" ? `(${error.status})` : "", retryAfterMs };
  }
  const oneLine = error.message.replace(/\s+/g, " ").trim();
  const contextLength = /exceeds the maximum number of tokens|input token count .* exceeds/i.test(oneLine);
  const label = [error.status, ...reasons].filter((v) => v !== undefined).join(", ");
  return {
    errorClass,
    detail: {
      message: oneLine.slice(0, 500),
      type: "invalid_request_error",
      code: contextLength ? "context_length_exceeded" : null,
      contextLength,
    },
    summary: `${label === "" ? "" : `(${label}) `}${oneLine}`.slice(0, 200),
    retryAfterMs,
  };
}
