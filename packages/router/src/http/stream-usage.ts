/**
 * @module What a stream cut part-way has cost: the output it carried, counted as it went by (the
 * router's documented token estimate, core/tokens.ts), so a stream the client abandoned, or the
 * upstream broke, settles its budget on what was produced rather than on nothing. The upstream's own
 * usage report comes only with the stream's last chunk; when it came, it is used instead.
 */
import { TOKEN_ESTIMATE } from "../core/tokens.ts";
import type { ChatCompletionChunk, Usage } from "../protocol/chat.ts";
import type { RequestContext } from "../execute/context.ts";
import { priceUsage } from "../execute/usage.ts";

/** The output text of a stream so far, as character counts (estimateTextTokens' rule, kept incrementally). */
export class StreamedOutput {
  #ascii = 0;
  #other = 0;

  /** Count the output one chunk carries: content, refusal, tool-call names and arguments. */
  add(chunk: ChatCompletionChunk): void {
    const choices = chunk.choices;
    for (let i = 0; i < choices.length; i++) {
      const delta = (choices[i] as ChatCompletionChunk["choices"][number]).delta as ChatCompletionChunk["choices"][number]["delta"] | undefined;
      if (delta === undefined || delta === null) continue;
      if (typeof delta.content === "string") this.#count(delta.content);
      if (typeof delta.refusal === "string") this.#count(delta.refusal);
      const calls = delta.tool_calls;
      if (Array.isArray(calls)) {
        for (const call of calls) {
          if (typeof call.function?.name === "string") this.#count(call.function.name);
          if (typeof call.function?.arguments === "string") this.#count(call.function.arguments);
        }
      }
    }
  }

  #count(text: string): void {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c < 0x80) this.#ascii++;
      else if (c < 0xdc00 || c > 0xdfff) this.#other++; // a low surrogate counts with its high half
    }
  }

  /** Estimated output tokens so far. */
  get tokens(): number {
    return Math.ceil(this.#ascii / TOKEN_ESTIMATE.charsPerToken) + this.#other;
  }
}

/**
 * A stream ended before the upstream reported usage: price what was produced (the prompt estimate
 * and the output counted so far) at the answering model's price. Does nothing when usage is known.
 */
export function settleProduced(ctx: RequestContext, promptTokens: number, output: StreamedOutput): void {
  if (ctx.usage !== undefined || ctx.answered === undefined) return;
  const completion = output.tokens;
  const usage: Usage = { prompt_tokens: promptTokens, completion_tokens: completion, total_tokens: promptTokens + completion };
  ctx.usage = usage;
  const model = ctx.release.config.models[ctx.answered.model];
  if (model !== undefined) ctx.costUsd = priceUsage(model, usage);
}
