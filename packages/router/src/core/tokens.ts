/** @module A documented prompt-token estimate (no tokenizer: the router bundle must stay small). */

/**
 * The estimate, chosen to err on the high side so context-window checks exclude too eagerly rather
 * than send a prompt a model cannot hold:
 * - text: ASCII characters / 4 (OpenAI's rule of thumb for English and code) plus 1 token per
 *   non-ASCII character (CJK is ≈1 token per character; accented Latin is over-counted, on purpose);
 * - each message: +4 tokens of framing (role, separators), +3 once for the reply primer;
 * - each image part: 85 tokens with `detail: "low"`, else 765 (a 1024×1024 image at high detail);
 * - assistant `tool_calls`: function name and JSON arguments counted as text, +4 per call;
 * - `name` fields counted as text, +1.
 */
export const TOKEN_ESTIMATE = {
  charsPerToken: 4,
  perMessage: 4,
  replyPrimer: 3,
  imageLow: 85,
  imageHigh: 765,
  perToolCall: 4,
} as const;

/** The subset of an OpenAI chat message the estimate reads; anything else is ignored. */
export interface ChatMessageLike {
  role?: unknown;
  content?: unknown;
  name?: unknown;
  tool_calls?: unknown;
}

/** Token estimate for one string (see TOKEN_ESTIMATE). */
export function estimateTextTokens(text: string): number {
  let ascii = 0;
  let other = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) ascii++;
    else if (c >= 0xdc00 && c <= 0xdfff)
      continue; // low surrogate: counted with its high half
    else other++;
  }
  return Math.ceil(ascii / TOKEN_ESTIMATE.charsPerToken) + other;
}

function contentTokens(content: unknown): number {
  if (typeof content === "string") return estimateTextTokens(content);
  if (!Array.isArray(content)) return 0;
  let n = 0;
  for (const part of content as unknown[]) {
    if (typeof part !== "object" || part === null) continue;
    const p = part as { type?: unknown; text?: unknown; image_url?: unknown; input_audio?: unknown };
    if (typeof p.text === "string") n += estimateTextTokens(p.text);
    else if (p.type === "image_url" || p.image_url !== undefined) {
      const detail = typeof p.image_url === "object" && p.image_url !== null ? (p.image_url as { detail?: unknown }).detail : undefined;
      n += detail === "low" ? TOKEN_ESTIMATE.imageLow : TOKEN_ESTIMATE.imageHigh;
    }
  }
  return n;
}

/**
 * Estimated prompt tokens of a chat request's messages (see TOKEN_ESTIMATE for the rule).
 * Accepts untrusted input: non-array or malformed entries count as nothing rather than throwing.
 *
 * @example
 * estimateTokens([{ role: "user", content: "Hello there" }]) // → 3 + 4 + 3 = 10
 */
export function estimateTokens(messages: readonly ChatMessageLike[] | unknown): number {
  if (!Array.isArray(messages)) return 0;
  let n = TOKEN_ESTIMATE.replyPrimer;
  for (const m of messages as unknown[]) {
    if (typeof m !== "object" || m === null) continue;
    const msg = m as ChatMessageLike;
    n += TOKEN_ESTIMATE.perMessage + contentTokens(msg.content);
    if (typeof msg.name === "string") n += estimateTextTokens(msg.name) + 1;
    if (Array.isArray(msg.tool_calls)) {
      for (const call of msg.tool_calls as unknown[]) {
        if (typeof call !== "object" || call === null) continue;
        const fn = (call as { function?: unknown }).function;
        n += TOKEN_ESTIMATE.perToolCall;
        if (typeof fn === "object" && fn !== null) {
          const f = fn as { name?: unknown; arguments?: unknown };
          if (typeof f.name === "string") n += estimateTextTokens(f.name);
          if (typeof f.arguments === "string") n += estimateTextTokens(f.arguments);
        }
      }
    }
  }
  return n;
}
