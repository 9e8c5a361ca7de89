/** @module The upstream body of a completion: a splice of the client's text gives the JSON value a re-serialisation gives, or falls back to it. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ChatBody } from "../../protocol/chat.ts";
import { completionBody, spliceModel } from "./request-body.ts";

/** Keys a client might send, including ones that look like `model` or `stream` without being them. */
const key = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.constantFrom("messages", "temperature", "Model", "models", "model ", "streams", "stream_option", "x\\y", 'a"b', "modél", "🙂"),
);
const value = fc.jsonValue({ maxDepth: 3 });
/** Strings that make a scanner trip: quotes, backslashes, braces and the key names themselves. */
const tricky = fc.constantFrom('"model":"x"', '\\"', "\\", "{", "}]", '"stream":true', '\\\\"', "\u2028", "é🙂");
const model = fc.oneof(fc.string({ maxLength: 10 }), tricky);

/** A request object with `model` somewhere among other keys (never stream/stream_options). */
const request = fc.tuple(fc.dictionary(key, fc.oneof(value, tricky), { maxKeys: 5 }), model, fc.nat()).map(([rest, route, at]) => {
  const entries = Object.entries(rest).filter(([k]) => k !== "model" && k !== "stream" && k !== "stream_options" && k !== "__proto__");
  entries.splice(at % (entries.length + 1), 0, ["model", route]);
  return Object.fromEntries(entries) as ChatBody;
});
/** How the client wrote it: compact, indented, or with tabs and CRLFs. */
const layout = fc.constantFrom(undefined, 2, "\t", "\r\n ");

describe("spliceModel", () => {
  it("gives the body with the model replaced, key order and everything else kept (declining only for escaped keys)", () => {
    fc.assert(
      fc.property(request, layout, model, (body, indent, name) => {
        const text = JSON.stringify(body, null, indent);
        const spliced = spliceModel(text, JSON.stringify(name));
        // Declined only where a top-level key is written with an escape.
        const escapedKey = Object.keys(body).some((k) => JSON.stringify(k).includes("\\"));
        if (spliced === undefined) {
          expect(escapedKey).toBe(true);
          return;
        }
        const parsed = JSON.parse(spliced as string) as Record<string, unknown>;
        // Compared with the client's JSON as parsed (the generated object may hold a -0 that JSON writes as 0).
        const sent = JSON.parse(text) as Record<string, unknown>;
        expect(Object.keys(parsed)).toEqual(Object.keys(sent));
        expect(parsed).toEqual({ ...sent, model: name });
      }),
      { numRuns: 500 },
    );
  });

  it.each([
    ["no model", '{"messages":[]}'],
    ["model only inside another value", '{"x":{"model":"a"},"messages":[{"model":"b"}]}'],
    ["model twice (JSON.parse keeps the last)", '{"model":"a","messages":[],"model":"b"}'],
    ["model spelled with an escape", '{"mod\\u0065l":"a","messages":[]}'],
    ["an escape in another key", '{"model":"a","stre\\u0061m":true}'],
    ["model not a string", '{"model":7,"messages":[]}'],
    ["stream present", '{"model":"a","stream":false}'],
    ["stream_options present", '{"stream_options":null,"model":"a"}'],
  ])("declines a splice with %s", (_, text) => {
    expect(spliceModel(text, '"m"')).toBeUndefined();
  });

  it("finds the key past strings full of quotes, backslashes and look-alike keys", () => {
    const text = String.raw`{"messages":[{"role":"user","content":"say \"model\": \\\"x\\\" {\"stream\":true}\\"}],"model" : "chat","n":1}`;
    expect(JSON.parse(spliceModel(text, '"gpt"') as string)).toEqual({ ...JSON.parse(text), model: "gpt" });
  });
});

describe("completionBody", () => {
  const withStream = fc
    .tuple(request, fc.option(fc.boolean(), { nil: undefined }), fc.option(fc.constantFrom(null, { include_usage: true }), { nil: undefined }))
    .map(([body, stream, options]) => {
      const out: ChatBody = { ...body };
      if (stream !== undefined) out.stream = stream;
      if (options !== undefined) out.stream_options = options;
      return out;
    });

  it("sends the same JSON value from the client's text as from the parsed body, which it leaves as it was", () => {
    fc.assert(
      fc.property(withStream, layout, model, (body, indent, name) => {
        const text = JSON.stringify(body, null, indent);
        const parsed = JSON.parse(text) as ChatBody;
        const before = JSON.stringify(parsed);
        const fromObject = completionBody(parsed, name);
        expect(JSON.stringify(parsed)).toBe(before);
        expect(fromObject).toBe(JSON.stringify({ ...parsed, model: name, stream: undefined, stream_options: undefined }));
        expect(JSON.parse(completionBody(parsed, name, text))).toEqual(JSON.parse(fromObject));
      }),
      { numRuns: 500 },
    );
  });

  it("leaves out stream and stream_options", () => {
    const body = { model: "chat", messages: [], stream: false, stream_options: null } as unknown as ChatBody;
    expect(completionBody(body, "m", JSON.stringify(body))).toBe('{"model":"m","messages":[]}');
  });
});
