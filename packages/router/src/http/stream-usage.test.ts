import { describe, expect, it } from "vitest";
import type { ChatCompletionChunk } from "../protocol/chat.ts";
import { estimateTextTokens } from "../core/tokens.ts";
import { StreamedOutput } from "./stream-usage.ts";

const chunk = (delta: ChatCompletionChunk["choices"][number]["delta"]): ChatCompletionChunk => ({
  id: "c",
  object: "chat.completion.chunk",
  created: 1,
  model: "m",
  choices: [{ index: 0, delta, finish_reason: null }],
});

describe("StreamedOutput", () => {
  it("counts a stream's output as estimateTextTokens counts the joined text, whatever the chunking", () => {
    const text = "Grüße aus Köln — 東京からこんにちは 🙂 and some plain ASCII words to finish.";
    const output = new StreamedOutput();
    // Split every 3 UTF-16 units (a surrogate pair split across chunks included).
    for (let i = 0; i < text.length; i += 3) output.add(chunk({ content: text.slice(i, i + 3) }));
    expect(output.tokens).toBe(estimateTextTokens(text));
  });

  it("counts refusals and tool-call names and arguments; ignores role-only, usage-only and empty chunks", () => {
    const output = new StreamedOutput();
    output.add(chunk({ role: "assistant", content: "" }));
    output.add(chunk({ tool_calls: [{ index: 0, id: "call_1", type: "function", function: { name: "get_weather", arguments: "" } }] }));
    output.add(chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":"Paris"}' } }] }));
    output.add(chunk({ refusal: "no" }));
    output.add({
      id: "c",
      object: "chat.completion.chunk",
      created: 1,
      model: "m",
      choices: [],
      usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
    });
    expect(output.tokens).toBe(estimateTextTokens(`get_weather{"city":"Paris"}no`));
  });
});
