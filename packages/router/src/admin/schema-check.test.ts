/** @module The release check's JSON Schema subset: each keyword, paths, unions, and refusal of keywords it does not implement. */
import { describe, expect, it } from "vitest";
import { configJsonSchema } from "@switchyard/ir";
import { auditSchema, compileSchemaCheck } from "./schema-check.ts";

const check = (schema: Record<string, unknown>, value: unknown) => compileSchemaCheck(schema, "config").check(value);

describe("compileSchemaCheck", () => {
  it("compiles the IR's generated schema (every keyword it uses is implemented)", () => {
    expect(() => auditSchema(configJsonSchema())).not.toThrow();
  });

  it("refuses a schema with a keyword or format it does not implement, rather than ignoring it", () => {
    expect(() => auditSchema({ type: "object", properties: { a: { type: "string", contentEncoding: "base64" } } })).toThrow(/keyword "contentEncoding"/);
    expect(() => auditSchema({ type: "string", format: "email" })).toThrow(/format "email"/);
    expect(() => auditSchema({ anyOf: [{ $ref: "#/x" }] })).toThrow(/keyword "\$ref"/);
  });

  it.each([
    [{ type: "string" }, 1, "invalid_type", "expected string, got integer"],
    [{ type: "integer" }, 1.5, "invalid_type", "expected integer, got number"],
    [{ type: "number" }, "1", "invalid_type", "expected number, got string"],
    [{ type: "object" }, [], "invalid_type", "expected object, got array"],
    [{ const: 1 }, 2, "invalid_value", "must be 1"],
    [{ enum: ["a", "b"] }, "c", "invalid_value", 'must be one of "a", "b", got "c"'],
    [{ type: "string", minLength: 1 }, "", "too_small", "must be at least 1 character(s)"],
    [{ type: "string", pattern: "^[A-Z]+$" }, "abc", "invalid_format", 'must match ^[A-Z]+$, got "abc"'],
    [{ type: "string", format: "uri" }, "not a url", "invalid_format", 'must be a valid uri, got "not a url"'],
    [{ type: "string", format: "date" }, "2026-13-45", "invalid_format", 'must be a valid date, got "2026-13-45"'],
    [{ type: "number", minimum: 0 }, -1, "too_small", "must be ≥ 0, got -1"],
    [{ type: "number", exclusiveMinimum: 0 }, 0, "too_small", "must be > 0, got 0"],
    [{ type: "number", maximum: 1 }, 2, "too_big", "must be ≤ 1, got 2"],
    [{ type: "array", minItems: 1 }, [], "too_small", "must have at least 1 item(s)"],
  ])("%j refuses %j: %s", (schema, value, code, message) => {
    expect(check(schema, value)).toEqual([{ code, message, path: "config" }]);
  });

  it("accepts what matches", () => {
    expect(check({ type: "string", format: "uri" }, "https://x.example/v1")).toEqual([]);
    expect(check({ type: "string", format: "date" }, "2026-11-26")).toEqual([]);
    expect(check({ type: "integer", minimum: 0, maximum: 10 }, 10)).toEqual([]);
  });

  it("objects: every problem, with paths; unknown keys; bad key names; nested arrays", () => {
    const schema = {
      type: "object",
      properties: { name: { type: "string" }, tags: { type: "array", items: { type: "string" } } },
      required: ["name", "id"],
      additionalProperties: false,
    };
    expect(check(schema, { name: 1, tags: ["a", 2], extra: true })).toEqual([
      { code: "missing_field", message: "missing required field `id`", path: "config.id" },
      { code: "invalid_type", message: "expected string, got integer", path: "config.name" },
      { code: "invalid_type", message: "expected string, got integer", path: "config.tags.1" },
      { code: "unrecognized_keys", message: "unknown key `extra`", path: "config.extra" },
    ]);
    const map = { type: "object", propertyNames: { type: "string", pattern: "^[a-z]+$" }, additionalProperties: { type: "number" } };
    expect(check(map, { ok: 1, "Bad Key": 2, fine: "x" })).toEqual([
      { code: "invalid_format", message: 'must match ^[a-z]+$, got "Bad Key"', path: "config.Bad Key" },
      { code: "invalid_type", message: "expected number, got string", path: "config.fine" },
    ]);
  });

  it("unions: the closest branch's problems, or one union error; oneOf refuses two matches", () => {
    const secretOrString = {
      anyOf: [
        { type: "string" },
        { type: "object", properties: { secret: { type: "string", pattern: "^[A-Z_]+$" } }, required: ["secret"], additionalProperties: false },
      ],
    };
    expect(check(secretOrString, "literal")).toEqual([]);
    expect(check(secretOrString, { secret: "lower" })).toEqual([
      { code: "invalid_format", message: 'must match ^[A-Z_]+$, got "lower"', path: "config.secret" },
    ]);
    expect(check(secretOrString, 3)).toEqual([{ code: "invalid_union", message: "does not match any allowed shape (got integer)", path: "config" }]);
    expect(check({ oneOf: [{ type: "number" }, { type: "integer" }] }, 3)).toEqual([
      { code: "invalid_union", message: "matches more than one of the allowed shapes", path: "config" },
    ]);
    expect(check({ oneOf: [{ type: "number" }, { type: "string" }] }, 3)).toEqual([]);
  });
});
