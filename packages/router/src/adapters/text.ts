/**
 * @module The text of a chat message's content, as the translating adapters (anthropic, bedrock, gemini) send a turn
 * that takes text only: a string as it is, else its parts' non-empty texts a blank line apart, so separate parts never
 * run together. Pure, with no state and no classes: each lazily loaded adapter asset carries a copy.
 */
import type { ChatMessage } from "../protocol/chat.ts";

/**
 * @example messageText([{ type: "text", text: "One." }, { type: "text", text: "" }, { type: "text", text: "Two." }]) // → "One.\n\nTwo."
 */
export function messageText(content: ChatMessage["content"]): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .filter((p) => typeof p.text === "string" && p.text !== "")
    .map((p) => p.text as string)
    .join("\n\n");
}
