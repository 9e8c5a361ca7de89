/**
 * @module The embedded mock provider's answers: deterministic replies, configurable latency and failure injection, no
 * network. Loaded by the adapter's first call (index.ts): in router.mjs a compressed chunk unpacked then. The core's
 * UpstreamError and classifyStatus come in as `MockCore`.
 */
import type { MockBehaviour } from "@switchyard/ir";
import { estimateTextTokens, estimateTokens } from "../../core/tokens.ts";
import { type ChatBody, type ChatCompletion, type ChatCompletionChunk, type Usage, lastUserText } from "../../protocol/chat.ts";
import { type EmbeddingsResponse, inputsOf, vectorToBase64 } from "../../protocol/embeddings.ts";
import type { AdapterCall, AdapterInit, CompletionResult, EmbedCall, ProviderAdapter, StreamEvent, UpstreamError, classifyStatus } from "../types.ts";

/** What the answers use of the router's core: its error class (one copy, for `instanceof`) and status classes. */
export interface MockCore {
  UpstreamError: typeof UpstreamError;
  classifyStatus: typeof classifyStatus;
}

const DEFAULT_BEHAVIOUR: MockBehaviour = { ttftMs: 0, interChunkMs: 0, failRate: 0, failStatus: 503 };
const DEFAULT_REPLY = 'Mock reply from {model} on route {route}: you said "{prompt}".';

/** FNV-1a over a string, as a fraction in [0, 1): the deterministic coin for failure injection. */
export function mockCoin(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // murmur3's finaliser: sequential request ids must not give correlated coins.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0) return signal.aborted ? Promise.reject(signal.reason) : Promise.resolve();
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** The mock's reply text for a call: the template with {route}, {model} and {prompt} filled in. */
export function mockReply(behaviour: MockBehaviour, call: Pick<AdapterCall, "body" | "modelId" | "route">): string {
  const prompt = lastUserText(call.body).replace(/\s+/g, " ").trim().slice(0, 200);
  const text = (behaviour.reply ?? DEFAULT_REPLY).replaceAll("{route}", call.route).replaceAll("{model}", call.modelId).replaceAll("{prompt}", prompt);
  const rf = call.body.response_format?.type;
  return rf === "json_object" || rf === "json_schema" ? JSON.stringify({ reply: text }) : text;
}

function forcedTool(body: ChatBody): string | undefined {
  const tools = body.tools ?? [];
  if (tools.length === 0) return undefined;
  const choice = body.tool_choice;
  if (choice === "required") return tools[0]?.function.name;
  if (typeof choice === "object" && choice !== null) return choice.function.name;
  return undefined;
}

/** The mock's usage report: `cachedTokens` (configured) of the prompt as read from a prompt cache, OpenAI's way. */
function mockUsage(prompt: number, completion: number, cachedTokens: number | undefined): Usage {
  const usage: Usage = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
  if (cachedTokens !== undefined) usage.prompt_tokens_details = { cached_tokens: Math.min(cachedTokens, prompt) };
  return usage;
}

/**
 * The mock adapter's calls. A call fails (HTTP `failStatus`) when the coin for `requestId:attempt:model` lands under
 * `failRate`, so the same request id fails the same way on every run; a forced tool choice answers with a tool call; a
 * JSON response_format answers JSON.
 *
 * @example createMockCalls(init, { UpstreamError, classifyStatus })
 */
export function createMockCalls(init: AdapterInit, core: MockCore): Required<Pick<ProviderAdapter, "complete" | "stream" | "embed">> {
  const { UpstreamError, classifyStatus } = core;
  const behaviour: MockBehaviour = { ...DEFAULT_BEHAVIOUR, ...init.provider.mock };

  const maybeFail = (call: AdapterCall): void => {
    if (behaviour.failRate > 0 && mockCoin(`${call.requestId}:${call.attempt}:${call.modelId}`) < behaviour.failRate) {
      const status = behaviour.failStatus;
      throw new UpstreamError(classifyStatus(status), `${init.providerId} (mock) injected a ${status} failure`, { status });
    }
  };

  const answer = (call: AdapterCall): { text: string; tool: string | undefined; usage: Usage; id: string; model: string; created: number } => {
    const tool = forcedTool(call.body);
    const text = tool === undefined ? mockReply(behaviour, call) : "";
    const prompt = estimateTokens(call.body.messages);
    const completion = tool === undefined ? estimateTextTokens(text) : 5;
    return {
      text,
      tool,
      usage: mockUsage(prompt, completion, behaviour.cachedTokens),
      id: `chatcmpl-mock-${call.requestId}-${call.attempt}`,
      model: call.model.name,
      created: Math.floor(Date.now() / 1000),
    };
  };

  return {
    async complete(call: AdapterCall): Promise<CompletionResult> {
      await sleep(behaviour.ttftMs, call.signal);
      maybeFail(call);
      const a = answer(call);
      const message: ChatCompletion["choices"][number]["message"] =
        a.tool === undefined
          ? { role: "assistant", content: a.text }
          : { role: "assistant", content: null, tool_calls: [{ id: `call_${a.id}`, type: "function", function: { name: a.tool, arguments: "{}" } }] };
      const completion: ChatCompletion = {
        id: a.id,
        object: "chat.completion",
        created: a.created,
        model: a.model,
        choices: [{ index: 0, message, finish_reason: a.tool === undefined ? "stop" : "tool_calls", logprobs: null }],
        usage: a.usage,
      };
      return { text: JSON.stringify(completion), completion, usage: a.usage };
    },

    async stream(call: AdapterCall): Promise<AsyncIterable<StreamEvent>> {
      maybeFail(call);
      const a = answer(call);
      const chunk = (delta: ChatCompletionChunk["choices"][number]["delta"], finish: string | null = null): StreamEvent => ({
        chunk: { id: a.id, object: "chat.completion.chunk", created: a.created, model: a.model, choices: [{ index: 0, delta, finish_reason: finish }] },
      });
      const pieces = a.text.match(/\S+\s*/g) ?? [];
      return (async function* (): AsyncGenerator<StreamEvent> {
        await sleep(behaviour.ttftMs, call.signal);
        yield chunk({ role: "assistant", content: "" });
        if (a.tool !== undefined) {
          yield chunk({ tool_calls: [{ index: 0, id: `call_${a.id}`, type: "function", function: { name: a.tool, arguments: "{}" } }] });
        }
        for (const piece of pieces) {
          await sleep(behaviour.interChunkMs, call.signal);
          yield chunk({ content: piece });
        }
        yield chunk({}, a.tool === undefined ? "stop" : "tool_calls");
        yield { chunk: { id: a.id, object: "chat.completion.chunk", created: a.created, model: a.model, choices: [], usage: a.usage } };
      })();
    },

    /** Deterministic unit vectors (the same input and model give the same vector), `dimensions` long (the request's, else the model's). */
    async embed(call: EmbedCall): Promise<EmbeddingsResponse> {
      await sleep(behaviour.ttftMs, call.signal);
      maybeFail(call);
      const length = call.embeddings.dimensions ?? call.model.dimensions ?? 8;
      let tokens = 0;
      const data = inputsOf(call.embeddings.input).map((input, index) => {
        const text = typeof input === "string" ? input : input.join(" ");
        tokens += typeof input === "string" ? estimateTextTokens(input) : input.length;
        const vector = mockVector(`${call.model.name}:${text}`, length);
        return { object: "embedding" as const, index, embedding: call.embeddings.encoding_format === "base64" ? vectorToBase64(vector) : vector };
      });
      return { object: "list", data, model: call.model.name, usage: { prompt_tokens: tokens, total_tokens: tokens } };
    },
  };
}

/** A unit vector of `length` drawn from a seed string (xorshift32 from its FNV hash): the mock's embedding of a text. */
export function mockVector(seed: string, length: number): number[] {
  let state = Math.floor(mockCoin(seed) * 4294967295) | 1;
  const vector: number[] = [];
  let norm = 0;
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    const value = (state >>> 0) / 4294967296 - 0.5;
    vector.push(value);
    norm += value * value;
  }
  const scale = norm === 0 ? 1 : 1 / Math.sqrt(norm);
  // Rounded to float32, so a base64 answer decodes to exactly the float one.
  return vector.map((value) => Math.fround(value * scale));
}
