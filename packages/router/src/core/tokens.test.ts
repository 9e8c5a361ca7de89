/** @module Tests of the prompt-token estimate. */
import { describe, expect, it } from "vitest";
import { estimateTextTokens, estimateTokens, TOKEN_ESTIMATE } from "./tokens.ts";

describe("estimateTokens", () => {
  it.each([
    { name: "empty conversation", messages: [], want: 3 },
    { name: "one short message", messages: [{ role: "user", content: "Hello there" }], want: 3 + 4 + 3 },
    {
      name: "two messages",
      messages: [
        { role: "system", content: "x".repeat(40) },
        { role: "user", content: "y".repeat(8) },
      ],
      want: 3 + 4 + 10 + 4 + 2,
    },
    {
      name: "null content (assistant tool call)",
      messages: [{ role: "assistant", content: null, tool_calls: [{ type: "function", function: { name: "getWeather", arguments: '{"city":"Paris"}' } }] }],
      want: 3 + 4 + 4 + 3 + 4,
    },
    { name: "name field", messages: [{ role: "user", name: "alice", content: "" }], want: 3 + 4 + 2 + 1 },
    {
      name: "text and image parts",
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "abcd" },
            { type: "image_url", image_url: { url: "data:…" } },
            { type: "image_url", image_url: { url: "x", detail: "low" } },
          ],
        },
      ],
      want: 3 + 4 + 1 + TOKEN_ESTIMATE.imageHigh + TOKEN_ESTIMATE.imageLow,
    },
  ])("$name", ({ messages, want }) => {
    expect(estimateTokens(messages)).toBe(want);
  });

  it("counts non-ASCII characters one token each (CJK), surrogate pairs once", () => {
    expect(estimateTextTokens("日本語")).toBe(3);
    expect(estimateTextTokens("😀😀")).toBe(2);
    expect(estimateTextTokens("abcd日")).toBe(2);
  });

  it("grows with the prompt, roughly a quarter token per ASCII character", () => {
    const n = estimateTokens([{ role: "user", content: "word ".repeat(4_000) }]);
    expect(n).toBe(3 + 4 + 5_000);
  });

  it("never throws on malformed input", () => {
    expect(estimateTokens(undefined)).toBe(0);
    expect(estimateTokens("nope")).toBe(0);
    expect(estimateTokens([null, 3, { content: 42 }, { content: [null, { type: "image_url" }] }])).toBe(3 + 4 + 4 + TOKEN_ESTIMATE.imageHigh);
  });
});
