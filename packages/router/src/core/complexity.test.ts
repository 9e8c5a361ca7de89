import { describe, expect, it } from "vitest";
import { COMPLEXITY_WEIGHTS, complexityFeatures, complexityLevel, complexityScore } from "./complexity.ts";

const user = (content: unknown) => ({ role: "user", content });
const assistant = (content: string) => ({ role: "assistant", content });
const prose = (words: number) => Array.from({ length: words }, (_, i) => ["the", "router", "chooses", "a", "model", "for", "each", "request"][i % 8]).join(" ");
const code = "```ts\nexport function add(a: number, b: number) {\n  return a + b;\n}\n```";
const tool = (name: string) => ({ type: "function", function: { name, parameters: { type: "object" } } });
const image = { type: "image_url", image_url: { url: "https://example.com/a.png" } };

// The documented table (docs/routing.md#complexity): what users can expect of the default thresholds (medium ≥ 15, high ≥ 40).
const table: [string, unknown, `${"low" | "medium" | "high"} (${number})`][] = [
  ["a greeting", { messages: [user("hi")] }, "low (0)"],
  [
    "a one-line question with a system prompt",
    { messages: [{ role: "system", content: "You are terse." }, user("What is the capital of France?")] },
    "low (1)",
  ],
  ["a paragraph of prose (~100 words)", { messages: [user(prose(100))] }, "low (6)"],
  ["a long document (~3,000 words)", { messages: [user(prose(3000))] }, "medium (19)"],
  ["a question about one code block", { messages: [user(`Why does this fail?\n${code}`)] }, "medium (17)"],
  [
    "a six-turn conversation",
    {
      messages: [
        user("a"),
        assistant("b"),
        user("c"),
        assistant("d"),
        user("e"),
        assistant("f"),
        user("g"),
        assistant("h"),
        user("i"),
        assistant("j"),
        user("k"),
      ],
    },
    "medium (15)",
  ],
  ["three tools and a short question", { messages: [user("Book me a table")], tools: [tool("a"), tool("b"), tool("c")] }, "low (11)"],
  ["an image and a question", { messages: [user([{ type: "text", text: "What is in this picture?" }, image])] }, "low (5)"],
  ["mixed English and Japanese", { messages: [user("Translate: 東京の天気はどうですか and reply in English please")] }, "low (6)"],
  ["a long review of two code blocks with tools", { messages: [user(`${prose(800)}\n${code}\n${code}`)], tools: [tool("run"), tool("lint")] }, "high (48)"],
  [
    "a multi-turn multilingual coding session with images",
    {
      messages: [
        user(`Wie behebe ich das? ${code}`),
        assistant("Versuche dies."),
        user([{ type: "text", text: "Immer noch kaputt: ошибка компиляции" }, image]),
        assistant("ok"),
        user(`${prose(400)} ${code}`),
      ],
      tools: [tool("run")],
    },
    "high (54)",
  ],
];

describe("complexityScore", () => {
  it.each(table)("%s → %s", (_name, body, level) => {
    const score = complexityScore(body);
    expect(`${complexityLevel(score)} (${score})`).toBe(level);
  });

  it("is deterministic and within 0..100", () => {
    for (const [, body] of table) {
      const s = complexityScore(body);
      expect(s).toBe(complexityScore(structuredClone(body)));
      expect(s).toBeGreaterThanOrEqual(0);
      expect(s).toBeLessThanOrEqual(100);
    }
  });

  it("never throws on odd bodies and scores them 0", () => {
    for (const body of [undefined, null, 42, "text", {}, { messages: "no" }, { messages: [null, 3, { content: 5 }] }]) expect(complexityScore(body)).toBe(0);
  });

  it("measures turns, code blocks, tools, images and the language mix", () => {
    const f = complexityFeatures({
      messages: [user(`x ${code} y ${code}`), assistant("ok"), user([image, image, { type: "text", text: "ééé abc" }])],
      tools: [tool("a")],
    });
    expect(f).toMatchObject({ userTurns: 2, codeBlocks: 2, tools: 1, images: 2 });
    expect(f.nonAscii).toBeGreaterThan(0);
  });

  it("the language mix is the non-ASCII share of the letters of every text in the head (digits and spaces aside)", () => {
    expect(complexityFeatures({ messages: [user("abcd 1234 !!"), assistant("éé")] }).nonAscii).toBeCloseTo(2 / 6, 10);
    expect(complexityFeatures({ messages: [user("plain English, digits 42 and no accents")] }).nonAscii).toBe(0);
    // Only the head (mixScanChars) counts: non-ASCII text past it leaves the share at 0.
    expect(complexityFeatures({ messages: [user("a".repeat(COMPLEXITY_WEIGHTS.mixScanChars)), user("ééé")] }).nonAscii).toBe(0);
  });

  it("levels follow a route's own thresholds", () => {
    expect(complexityLevel(30)).toBe("medium");
    expect(complexityLevel(40)).toBe("high");
    expect(complexityLevel(30, { medium: 10, high: 30 })).toBe("high");
    expect(complexityLevel(9, { medium: 10, high: 30 })).toBe("low");
  });
});
