/**
 * @module Tool-call ids each provider accepts. A chat history's ids were made by whichever provider answered each turn,
 * and providers disagree on what an id may be: OpenAI and Azure OpenAI refuse a `tool_calls[].id` longer than 40
 * characters (`400 string too long`); Anthropic's `tool_use.id` and Bedrock's `toolUseId` must match
 * `^[a-zA-Z0-9_-]+$` (Bedrock: at most 64 characters). A Gemini call's id carries its thought signature
 * (adapters/gemini/translate.ts, hundreds of characters), and other OpenAI-compatible servers make ids like
 * `functions.Bash:0`. So a conversation that began on one provider, then falls back or is routed to another, would be
 * refused there. An id the upstream would refuse is replaced by a short one derived from it: the same id always gives
 * the same short id, so every tool result still answers its call, on every replica, with nothing remembered.
 */
import { createHash } from "node:crypto";
import type { ChatBody, ChatMessage } from "../protocol/chat.ts";

/** The longest `tool_calls[].id` OpenAI's Chat Completions accepts. */
export const MAX_TOOL_CALL_ID = 40;

/**
 * The id an upstream gets for a tool-call id it would refuse: `call_` and 35 characters of the id's SHA-256 in
 * base64url (210 bits: no two ids of one conversation meet), 40 characters that every provider accepts.
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

/** What Anthropic's `tool_use.id` and Bedrock's `toolUseId` may be (Bedrock's limit of 64 characters, for both). */
const TOOL_USE_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * A tool-call id (a call's, or the one a tool result answers) as an anthropic- or bedrock-kind upstream gets it: as it is
 * when it fits `^[a-zA-Z0-9_-]{1,64}$`, else shortToolCallId(id).
 *
 * @example toolUseId("functions.Bash:0") // → "call_" + 35 base64url characters
 */
export function toolUseId(id: string | undefined): string {
  const text = id ?? "";
  return TOOL_USE_ID.test(text) ? text : shortToolCallId(text);
}
