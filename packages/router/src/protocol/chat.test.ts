import { describe, expect, it } from "vitest";
import { RouterError } from "../errors.ts";
import { validateChatBody } from "./chat.ts";
import { MAX_JSON_DEPTH, tooDeep } from "./json.ts";

function paramOf(body: unknown): string | null {
  try {
    validateChatBody(body);
    return null;
  } catch (error) {
    expect(error).toBeInstanceOf(RouterError);
    return (error as RouterError).param ?? "(none)";
  }
}

describe("validateChatBody", () => {
  it("names an out-of-range number by its value (1e999 in JSON is Infinity: not 'got a number')", () => {
    const body = JSON.parse('{"model":"r","messages":[{"role":"user","content":"x"}],"temperature":-1e999}') as unknown;
    expect(() => validateChatBody(body)).toThrow("`temperature` must be a number, got -Infinity");
  });

  it("accepts a minimal body and keeps unknown fields", () => {
    const body = validateChatBody({ model: "r", messages: [{ role: "user", content: "hi" }], seed: 3 });
    expect(body["seed"]).toBe(3);
  });

  it.each([
    [[1, 2], "(none)"],
    [{ messages: [] }, "model"],
    [{ model: 5, messages: [] }, "model"],
    [{ model: "r" }, "messages"],
    [{ model: "r", messages: "hi" }, "messages"],
    [{ model: "r", messages: [] }, "messages"],
    [{ model: "r", messages: [{ content: "x" }] }, "messages[0].role"],
    [{ model: "r", messages: [{ role: "robot", content: "x" }] }, "messages[0].role"],
    [{ model: "r", messages: [{ role: "user", content: 5 }] }, "messages[0].content"],
    [{ model: "r", messages: [{ role: "user" }] }, "messages[0].content"],
    [{ model: "r", messages: [{ role: "tool", content: "x" }] }, "messages[0].tool_call_id"],
    [{ model: "r", messages: [{ role: "user", content: "x" }], stream: "yes" }, "stream"],
    [{ model: "r", messages: [{ role: "user", content: "x" }], max_tokens: 0 }, "max_tokens"],
    [{ model: "r", messages: [{ role: "user", content: "x" }], temperature: "hot" }, "temperature"],
    [{ model: "r", messages: [{ role: "user", content: "x" }], tools: [{ type: "function" }] }, "tools[0].function.name"],
    [{ model: "r", messages: [{ role: "user", content: "x" }], stop: [1] }, "stop"],
  ])("rejects %j at %s", (body, param) => {
    expect(paramOf(body)).toBe(param);
  });

  const nest = (levels: number, leaf: unknown = 1): unknown => {
    let v = leaf;
    for (let i = 0; i < levels; i++) v = i % 2 === 0 ? [v] : { a: v };
    return v;
  };
  const msg = [{ role: "user", content: "x" }];

  it.each([
    ["tools[].function.parameters", { tools: [{ type: "function", function: { name: "f", parameters: nest(100_000) } }] }, "tools[0].function.parameters"],
    [
      "response_format.json_schema.schema",
      { response_format: { type: "json_schema", json_schema: { name: "s", schema: nest(100_000) } } },
      "response_format.json_schema.schema",
    ],
    ["an unknown field", { metadata: nest(100_000) }, "metadata.a[0].a"],
    ["a message", { messages: [{ role: "user", content: [{ type: "text", x: nest(70) }] }] }, "messages[0].content[0]"],
  ])("rejects JSON nested past %s with 400 naming the field", (_name, extra, param) => {
    const body = { model: "r", messages: msg, ...extra };
    expect(paramOf(body)).toBe(param);
    try {
      validateChatBody(body);
    } catch (error) {
      expect((error as RouterError).status).toBe(400);
      expect((error as RouterError).code).toBe("invalid_request");
      expect((error as RouterError).message).toContain(`more than ${MAX_JSON_DEPTH} levels`);
    }
  });

  it("accepts nesting up to the limit (the body is level 1)", () => {
    // body (1) → tools (2) → tools[0] (3) → function (4) → parameters (5) → 59 more levels = 64 (nest(59, {}) is 60 levels).
    const body = { model: "r", messages: msg, tools: [{ type: "function", function: { name: "f", parameters: nest(59, {}) } }] };
    expect(tooDeep(body)).toBeUndefined();
    expect(() => validateChatBody(body)).not.toThrow();
    expect(tooDeep({ ...body, tools: [{ type: "function", function: { name: "f", parameters: nest(60, {}) } }] })).toBe("tools[0].function.parameters");
  });

  it("measures depth without recursion (200k levels do not overflow the check)", () => {
    expect(tooDeep(JSON.parse("[".repeat(200_000) + "]".repeat(200_000)))).toBe("[0][0][0][0]");
    expect(tooDeep("just a string")).toBeUndefined();
  });
});
