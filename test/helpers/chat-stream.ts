/** @module Read an `openai` client's chat completion stream whole, for tests. */
import type OpenAI from "openai";

/** The stream's text (its deltas joined), its last `finish_reason` and its usage chunk's usage. */
export async function readChatStream(
  stream: AsyncIterable<OpenAI.ChatCompletionChunk>,
): Promise<{ text: string; finish: string | null | undefined; usage: OpenAI.CompletionUsage | null | undefined }> {
  let text = "";
  let finish: string | null | undefined;
  let usage: OpenAI.CompletionUsage | null | undefined;
  for await (const chunk of stream) {
    const choice = chunk.choices[0];
    if (choice?.delta.content) text += choice.delta.content;
    if (choice?.finish_reason) finish = choice.finish_reason;
    if (chunk.usage) usage = chunk.usage;
  }
  return { text, finish, usage };
}
