/**
 * @module Tool-call ids an OpenAI-compatible upstream accepts. OpenAI and Azure OpenAI refuse a chat history whose
 * `tool_calls[].id` is longer than 40 characters (`400 string too long`), and ids made by other providers can be:
 * a Gemini call's id carries its thought signature (adapters/gemini/translate.ts), hundreds of characters. So a
 * conversation that began on Gemini, then falls back or is routed to OpenAI, would fail there; its long ids are
 * replaced by short ones derived from them (the same id always gives the same short id, so every tool result
 * still answers its call, on every replica, with nothing remembered).
 */
import { createHash } from "node:crypto";
import type { ChatBody, ChatMessage } from "../../protocol/chat.ts";

/** The longest `tool_calls[].id` OpenAI's Chat Completions accepts. */
export const MAX_TOOL_CALL_ID = 40;

/**
 * The id an upstream gets for a client's tool-call id longer than MAX_TOOL_CALL_ID: `call_` and 35 characters of the id's
 * SHA-256 in base64url (210 bits: no two ids of one conversation meet).
 *
 * @example shortToolCallId("call_0__sig__" + "A".repeat(300)) // → "call_" + 35 base64url characters
 */
export function shortToolCallId(id: string): string {
  return `call_${createHash("sha256")
    .update(id)
    .digest("base64url")
    .slice(0, MAX_TOOL_CALL_ID - 5)}`;
}

const tooLong = (id: unknown): id is string => typeof id === "string" && id.length > MAX_TOOL_CALL_ID;

function hasLongId(message: ChatMessage): boolean {
  if (tooLong(message.tool_call_id)) return true;
  const calls = message.tool_calls;
  if (!Array.isArray(calls)) return false;
  for (const call of calls) if (tooLong(call?.id)) return true;
  return false;
}

/**
 * `body` with every tool-call id longer than MAX_TOOL_CALL_ID (an assistant message's `tool_calls[].id` and a tool
 * message's `tool_call_id`) replaced by shortToolCallId(id); undefined when there is none (the usual case: one
 * pass over the messages, nothing copied). The client's body is not changed: the messages that change are copies.
 */
export function withShortToolCallIds(body: ChatBody): ChatBody | undefined {
  const messages = body.messages;
  let i = 0;
  while (i < messages.length && !hasLongId(messages[i]!)) i++;
  if (i === messages.length) return undefined;
  const short = (id: string | undefined): string | undefined => (tooLong(id) ? shortToolCallId(id) : id);
  const out = messages.slice(0, i);
  for (; i < messages.length; i++) {
    const m = messages[i]!;
    if (!hasLongId(m)) {
      out.push(m);
      continue;
    }
    const copy: ChatMessage = { ...m };
    if (m.tool_call_id !== undefined) copy.tool_call_id = short(m.tool_call_id);
    if (Array.isArray(m.tool_calls)) copy.tool_calls = m.tool_calls.map((call) => (tooLong(call?.id) ? { ...call, id: shortToolCallId(call.id) } : call));
    out.push(copy);
  }
  return { ...body, messages: out };
}
