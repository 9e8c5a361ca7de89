/** @module Chat content as Converse content blocks: text, and images as bytes (pure helpers shared by the adapter and its refusals). */
import type { ChatContentPart, ChatMessage } from "../../protocol/chat.ts";

export type BedrockImageFormat = "png" | "jpeg" | "gif" | "webp";

const IMAGE_FORMATS: Readonly<Record<string, BedrockImageFormat>> = {
  "image/png": "png",
  "image/jpeg": "jpeg",
  "image/jpg": "jpeg",
  "image/gif": "gif",
  "image/webp": "webp",
};

/** A `data:image/…;base64,…` URL as a Converse image (its bytes), or undefined for anything else (an http URL, another type). */
export function imageOf(part: ChatContentPart): { image: { format: BedrockImageFormat; source: { bytes: string } } } | undefined {
  const ref = part.image_url;
  const url = typeof ref === "string" ? ref : ref?.url;
  const m = typeof url === "string" ? /^data:([^;,]+);base64,(.*)$/s.exec(url) : null;
  const format = m === null ? undefined : IMAGE_FORMATS[(m[1] ?? "").toLowerCase()];
  return format === undefined ? undefined : { image: { format, source: { bytes: m?.[2] ?? "" } } };
}

export function blocksOf(content: ChatMessage["content"]): Array<{ text: string } | NonNullable<ReturnType<typeof imageOf>>> {
  if (typeof content === "string") return content === "" ? [] : [{ text: content }];
  if (!Array.isArray(content)) return [];
  const blocks: Array<{ text: string } | NonNullable<ReturnType<typeof imageOf>>> = [];
  for (const part of content) {
    if (part.type === "text" && typeof part.text === "string" && part.text !== "") blocks.push({ text: part.text });
    else if (part.type === "image_url") {
      const image = imageOf(part);
      if (image !== undefined) blocks.push(image);
    }
  }
  return blocks;
}

/** The conversation holds tool calls or tool results. */
export function hasToolBlocks(messages: readonly ChatMessage[]): boolean {
  return messages.some((m) => m.role === "tool" || m.role === "function" || (m.tool_calls?.length ?? 0) > 0);
}
