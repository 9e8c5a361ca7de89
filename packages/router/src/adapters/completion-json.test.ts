/** @module readCompletion agrees with the full JSON.parse on every text: usage, verdicts, the completion. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ChatBody } from "../http/chat-body.ts";
import { parseCompletion, readCompletion, scanCompletion } from "./completion-json.ts";
import { completionBody } from "./openai/index.ts";

type Outcome = { ok: true; usage: unknown; completion: unknown } | { ok: false; code: string; message: string };

function outcome(read: (text: string, provider: string) => { usage: unknown; completion: unknown }, text: string): Outcome {
  try {
    const r = read(text, "up");
    return { ok: true, usage: r.usage, completion: r.completion };
  } catch (error) {
    const e = error as { errorClass: string; message: string };
    return { ok: false, code: e.errorClass, message: e.message };
  }
}

/** The cheap read and the full parse must give the same result (usage deep-equal, same error). */
function agree(text: string): void {
  expect(outcome(readCompletion, text)).toStrictEqual(outcome(parseCompletion, text));
}

/** Strings that try to fool a scanner: quotes, escapes, the key names, unicode, lone surrogates. */
const tricky = fc.oneof(
  fc.string(),
  fc.string({ unit: "binary" }),
  fc.constantFrom('"usage":', '{"usage":{"prompt_tokens":1}}', "choices", '\\"', "\\", "\u2028", "\ud800", "é", "😀", '"choices":[', "}", "]"),
);
const usageValue = fc.oneof(
  fc.record({ prompt_tokens: fc.nat(), completion_tokens: fc.nat(), total_tokens: fc.nat() }),
  fc.record({ prompt_tokens: fc.nat(), completion_tokens: fc.nat(), total_tokens: fc.nat(), prompt_tokens_details: fc.record({ cached_tokens: fc.nat(), usage: tricky }) }),
  fc.constant(null),
  fc.jsonValue({ maxDepth: 2 }),
);
const toolCall = fc.record({ id: tricky, type: fc.constant("function"), function: fc.record({ name: tricky, arguments: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) }) });
const message = fc.record(
  { role: fc.constant("assistant"), content: fc.oneof(tricky, fc.constant(null)), tool_calls: fc.array(toolCall, { maxLength: 2 }), usage: fc.jsonValue({ maxDepth: 2 }) },
  { requiredKeys: ["role"] },
);
const choice = fc.record({ index: fc.nat(), message, finish_reason: fc.constantFrom("stop", "tool_calls", null) });
const completion = fc.record(
  {
    id: tricky,
    object: fc.constant("chat.completion"),
    created: fc.integer(),
    model: tricky,
    choices: fc.oneof(fc.array(choice, { maxLength: 3 }), fc.jsonValue({ maxDepth: 1 })),
    usage: usageValue,
    extra: fc.dictionary(tricky, fc.jsonValue({ maxDepth: 3 }), { maxKeys: 3 }),
  },
  { requiredKeys: [] },
);

/** Serialise with the usage key first, last or anywhere, pretty-printed or not, and sometimes a duplicate key. */
const completionText = fc
  .tuple(completion, fc.nat(), fc.constantFrom(undefined, 0, 1, 2, "\t", " \r\n"), fc.option(fc.tuple(fc.constantFrom("usage", "choices"), usageValue)))
  .map(([value, rotate, indent, duplicate]) => {
    const keys = Object.keys(value);
    const k = keys.length === 0 ? 0 : rotate % keys.length;
    const ordered = Object.fromEntries([...keys.slice(k), ...keys.slice(0, k)].map((key) => [key, (value as Record<string, unknown>)[key]]));
    let text = JSON.stringify(ordered, null, indent);
    if (duplicate !== null && text.endsWith("}") && keys.length > 0) text = `${text.slice(0, -1)},"${duplicate[0]}":${JSON.stringify(duplicate[1])}}`;
    return text;
  });

describe("readCompletion", () => {
  it("gives the full parse's usage and verdict for generated completions", () => {
    fc.assert(fc.property(completionText, agree), { numRuns: 2000 });
  });

  it("gives the full parse's verdict for broken and mutated texts", () => {
    const mutated = fc.tuple(completionText, fc.nat(), fc.nat({ max: 3 }), fc.constantFrom("", " ", '"', "\\", ",", "}", "]", "{", "[", ":", "0", "-", ".", "e", "\u0001", "n", "x", "\ud800")).map(([text, at, cut, insert]) => {
      const i = text.length === 0 ? 0 : at % text.length;
      return text.slice(0, i) + insert + text.slice(i + cut);
    });
    fc.assert(fc.property(mutated, agree), { numRuns: 3000 });
    fc.assert(fc.property(fc.json(), agree), { numRuns: 1000 });
    fc.assert(fc.property(fc.string({ unit: "binary" }), agree), { numRuns: 500 });
  });

  it("agrees on hand-picked edge cases", () => {
    const cases = [
      "",
      " ",
      "{}",
      "[]",
      "null",
      '{"choices":[]}',
      ' \n{"choices" : [ ] , "usage" : null }\r\n',
      '{"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}',
      '{"usage":{"total_tokens":1},"choices":[],"usage":{"total_tokens":2}}',
      '{"choices":[],"choices":{}}',
      '{"choices":{},"choices":[]}',
      '{"us\\u0061ge":{"total_tokens":7},"choices":[]}',
      '{"cho\\u0069ces":[]}',
      '{"choices":[{"message":{"content":"\\"usage\\": {\\"total_tokens\\": 99}"}}],"usage":{"total_tokens":1}}',
      '{"choices":[],"usage":{"a":[1,2,{"b":"\\u00e9\\ud83d\\ude00"}]}}',
      '{"choices":[],"usage":1e5}',
      '{"choices":[],"usage":-0.5E-3}',
      '{"choices":[],"usage":01}',
      '{"choices":[],"usage":1.}',
      '{"choices":[],"usage":.5}',
      '{"choices":[],"usage":+1}',
      '{"choices":[],"usage":tru}',
      '{"choices":[],"usage":"\\x"}',
      '{"choices":[],"usage":"\\u12G4"}',
      '{"choices":[],"usage":"a\tb"}',
      '{"choices":[],}',
      '{"choices":[1,]}',
      '{"choices":[]}x',
      '{"choices":[]',
      '\ufeff{"choices":[]}',
      `{"choices":[],"deep":${"[".repeat(400)}${"]".repeat(400)}}`,
      `{"choices":[],"deep":${"[".repeat(400)}${"]".repeat(399)}}`,
    ];
    for (const text of cases) agree(text);
  });

  it("reads usage from the scan and builds the completion only when asked", () => {
    const text = '{"id":"x","choices":[{"index":0,"message":{"role":"assistant","content":"hi"}}],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}';
    expect(scanCompletion(text)).toBe(1);
    const read = readCompletion(text, "up");
    expect(read.usage).toStrictEqual({ prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 });
    expect(read.text).toBe(text);
    expect(read.completion).toStrictEqual(JSON.parse(text));
    expect(read.completion).toBe(read.completion);
  });

  it("rejects an invalid answer as invalid_response", () => {
    expect(() => readCompletion("<html>", "up")).toThrow(expect.objectContaining({ errorClass: "invalid_response", message: "up's response is not valid JSON" }));
    expect(() => readCompletion('{"object":"error"}', "up")).toThrow(expect.objectContaining({ errorClass: "invalid_response", message: "up's response has no `choices`" }));
  });
});

describe("completionBody", () => {
  const reference = (body: ChatBody, model: string): string => JSON.stringify({ ...body, model, stream: undefined, stream_options: undefined });

  it("is the spread-and-stringify text, key order included, and leaves the body as it was", () => {
    const body = fc.record(
      {
        stream: fc.oneof(fc.boolean(), fc.constant(null)),
        model: fc.string(),
        messages: fc.array(fc.record({ role: fc.constant("user"), content: tricky }), { minLength: 1, maxLength: 2 }),
        stream_options: fc.oneof(fc.constant(null), fc.record({ include_usage: fc.boolean() })),
        max_tokens: fc.nat(),
        metadata: fc.dictionary(tricky, fc.jsonValue({ maxDepth: 2 })),
      },
      { requiredKeys: ["model", "messages"] },
    );
    fc.assert(
      fc.property(body, fc.string(), fc.nat(), (b, model, rotate) => {
        const keys = Object.keys(b);
        const k = rotate % keys.length;
        const chat = JSON.parse(JSON.stringify(Object.fromEntries([...keys.slice(k), ...keys.slice(0, k)].map((key) => [key, (b as Record<string, unknown>)[key]])))) as ChatBody;
        const before = JSON.stringify(chat);
        expect(completionBody(chat, model)).toBe(reference(chat, model));
        expect(JSON.stringify(chat)).toBe(before);
      }),
      { numRuns: 500 },
    );
  });
});
