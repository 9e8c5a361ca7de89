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

  it("json-schema refuses a schema nested past the depth limit, naming where (no stack overflow at activation)", () => {
    let schema: Record<string, unknown> = { type: "string" };
    for (let i = 0; i < 100_000; i++) schema = { type: "object", properties: { a: schema } };
    expect(() => jsonSchemaValidator({ kind: "json-schema", schema })).toThrow(/more than 64 levels deep \(at `properties\.a\.properties\.a/);
  });

  it("json-schema fails (does not throw) on an answer nested too deep for the library's recursion", () => {
    const check = jsonSchemaValidator({ kind: "json-schema", schema: { $ref: "#/$defs/n", $defs: { n: { type: "array", items: { $ref: "#/$defs/n" } } } } });
    expect(check(a("[[[]]]"))).toBeUndefined();
    const deep = "[".repeat(200_000) + "]".repeat(200_000);
    expect(check(a(deep))).toBe("the answer is nested too deeply to check against the JSON schema");
    expect(jsonValidator({ kind: "json" })(a(deep))).toBeUndefined();
  });
});
