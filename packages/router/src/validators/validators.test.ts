import { describe, expect, it } from "vitest";
import { jsonSchemaValidator, jsonValidator, nonEmptyValidator, regexValidator } from "./index.ts";

const a = (content: string, toolCalls = 0) => ({ content, toolCalls });

describe("validators", () => {
  it.each([
    ["json accepts JSON", jsonValidator({ kind: "json" })(a('{"x":1}')), undefined],
    ["json rejects prose", jsonValidator({ kind: "json" })(a("hello")), "the answer is not valid JSON"],
    ["non-empty rejects whitespace", nonEmptyValidator({ kind: "non-empty" })(a("  ")), "the answer is empty"],
    ["non-empty accepts a tool call", nonEmptyValidator({ kind: "non-empty" })(a("", 1)), undefined],
    ["regex matches", regexValidator({ kind: "regex", pattern: "^yes|no$", flags: "i" })(a("YES")), undefined],
    ["regex rejects", regexValidator({ kind: "regex", pattern: "^\\d+$", flags: "" })(a("12a")), "the answer does not match /^\\d+$/"],
  ])("%s", (_name, got, want) => {
    expect(got).toBe(want);
  });

  it("json-schema checks the parsed answer", () => {
    const check = jsonSchemaValidator({ kind: "json-schema", schema: { type: "object", required: ["ok"], properties: { ok: { type: "boolean" } } } });
    expect(check(a('{"ok":true}'))).toBeUndefined();
    expect(check(a('{"ok":"yes"}'))).toMatch(/does not match the JSON schema/);
    expect(check(a("nope"))).toBe("the answer is not valid JSON");
  });
});
