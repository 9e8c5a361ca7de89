/** @module parseTags(): `x-switchyard-tags` read into a bounded key → value map, or a 400 naming the header. */
import { describe, expect, it } from "vitest";
import { RouterError } from "../errors.ts";
import { parseTags } from "./tags.ts";

function refusal(header: string): RouterError {
  try {
    parseTags(header);
  } catch (error) {
    if (error instanceof RouterError) return error;
    throw error;
  }
  throw new Error(`accepted ${header}`);
}

describe("parseTags", () => {
  it("reads comma-separated key:value tags (spaces and empty items ignored; a value may hold : / @ +)", () => {
    expect(parseTags("feature:search, tenant:acme ,,")).toEqual({ feature: "search", tenant: "acme" });
    expect(parseTags("source:crm/eu, owner:ops@acme, ver:v1:2+3")).toEqual({ source: "crm/eu", owner: "ops@acme", ver: "v1:2+3" });
    expect(parseTags(["a:1", "b:2"])).toEqual({ a: "1", b: "2" });
    expect(Object.entries(parseTags("__proto__:x") ?? {})).toEqual([["__proto__", "x"]]);
  });

  it("no header or a blank one is no tags", () => {
    expect(parseTags(undefined)).toBeUndefined();
    expect(parseTags(" , ")).toBeUndefined();
  });

  it.each([
    [Array.from({ length: 11 }, (_, i) => `k${i}:v`).join(","), "holds 11 tags; at most 10 are allowed"],
    ["plain", 'tag "plain" is not `key:value`'],
    [":v", 'tag ":v" is not `key:value`'],
    ["k:", 'tag "k:" is not `key:value`'],
    ["k:a b", 'tag "k:a b" is not `key:value`'],
    ["k:é", 'tag "k:é" is not `key:value`'],
    [`k:${"x".repeat(63)}`, "is longer than 64 characters"],
    ["k:1, k:2", "names the tag key `k` twice"],
  ])("refuses %j: 400 invalid_request naming the header", (header, problem) => {
    const error = refusal(header);
    expect(error.status).toBe(400);
    expect(error.code).toBe("invalid_request");
    expect(error.param).toBe("x-switchyard-tags");
    expect(error.message).toContain(`the x-switchyard-tags header`);
    expect(error.message).toContain(problem);
  });
});
