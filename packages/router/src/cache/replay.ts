/**
 * @module A cached answer as a stream, and a streamed answer as one to cache. Pure: the chunks a stored completion is
 * replayed as (through any dialect's StreamEncoder, exactly as an upstream's chunks are), and an encoder wrapper that
 * keeps the chunks a client was sent, so a stream that ended cleanly can be stored.
 */
import type { ChatCompletion, ChatCompletionChunk, Usage } from "../protocol/chat.ts";
import type { StreamEncoder } from "../protocol/dialect.ts";
import { STOP_SEQUENCE } from "../protocol/stop-sequence.ts";

/**
 * The chunks of a completion, in the order an OpenAI-compatible upstream sends them: per choice a role preamble, the
 * content, the tool calls and the finish reason; then, when usage is known, the usage-only chunk (choices: []).
 */
export function replayChunks(completion: ChatCompletion, usage: Usage | undefined): Array<{ chunk: ChatCompletionChunk; usageOnly: boolean }> {
  const base = { id: completion.id, object: "chat.completion.chunk" as const, created: completion.created, model: completion.model };
  const out: Array<{ chunk: ChatCompletionChunk; usageOnly: boolean }> = [];
  const one = (index: number, delta: ChatCompletionChunk["choices"][number]["delta"], finish: string | null, stopSequence?: string): void => {
    const choice: ChatCompletionChunk["choices"][number] = { index, delta, finish_reason: finish };
    if (stopSequence !== undefined) choice[STOP_SEQUENCE] = stopSequence;
    out.push({ chunk: { ...base, choices: [choice] }, usageOnly: false });
  };
  for (const choice of completion.choices) {
    const message = choice.message;
    one(choice.index, { role: "assistant", content: "" }, null);
    if (typeof message.content === "string" && message.content !== "") one(choice.index, { content: message.content }, null);
    if (typeof message.refusal === "string" && message.refusal !== "") one(choice.index, { refusal: message.refusal }, null);
    const calls = message.tool_calls ?? [];
    if (calls.length > 0)
      one(
        choice.index,
        {
          tool_calls: calls.map((call, i) => ({
            index: i,
            id: call.id,
            type: "function" as const,
            function: { name: call.function.name, arguments: call.function.arguments },
          })),
        },
        null,
      );
    one(choice.index, {}, choice.finish_reason, choice[STOP_SEQUENCE]);
  }
  if (usage !== undefined) out.push({ chunk: { ...base, choices: [], usage }, usageOnly: true });
  return out;
}

/** The SSE text of a whole replayed answer in one dialect's events. */
export function replayStream(encoder: StreamEncoder, completion: ChatCompletion, usage: Usage | undefined): string {
  let text = "";
  for (const { chunk, usageOnly } of replayChunks(completion, usage)) text += encoder.chunk(chunk, undefined, usageOnly);
  return text + encoder.end();
}

/** A streamed answer's chunks, kept while they go out; `completion()` is the answer once the stream ended cleanly. */
export class StreamCapture implements StreamEncoder {
  readonly #inner: StreamEncoder;
  /** Joins chunks into a completion (the core's execute.ts completionOf, passed in: this module is a lazily loaded chunk). */
  readonly #join: (events: ReadonlyArray<{ chunk: ChatCompletionChunk }>) => ChatCompletion;
  readonly #chunks: Array<{ chunk: ChatCompletionChunk }> = [];
  #ended = false;
  #failed = false;
  #multiChoice = false;

  constructor(inner: StreamEncoder, join: (events: ReadonlyArray<{ chunk: ChatCompletionChunk }>) => ChatCompletion) {
    this.#inner = inner;
    this.#join = join;
  }

  chunk(chunk: ChatCompletionChunk, raw: string | undefined, usageOnly: boolean): string {
    if (!usageOnly) {
      this.#chunks.push({ chunk });
      for (const choice of chunk.choices) if (choice.index !== 0) this.#multiChoice = true;
    }
    return this.#inner.chunk(chunk, raw, usageOnly);
  }

  end(): string {
    this.#ended = true;
    return this.#inner.end();
  }

  fail(message: string): string {
    this.#failed = true;
    return this.#inner.fail(message);
  }

  /**
   * The answer the client received, when the stream ended cleanly with a finish reason (a cut or failed stream is
   * partial: never cached). Several choices (`n` > 1) are not joined: such a stream is not kept.
   */
  completion(): ChatCompletion | undefined {
    if (!this.#ended || this.#failed || this.#multiChoice) return undefined;
    const completion = this.#join(this.#chunks);
    return completion.choices[0]?.finish_reason === null ? undefined : completion;
  }
}
