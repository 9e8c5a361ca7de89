import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { canonicalJson, contentHash } from "./canonical.ts";

describe("canonicalJson", () => {
  it("sorts keys at every depth and drops undefined members", () => {
    expect(canonicalJson({ b: 1, a: [2, { d: 3, c: 4 }], u: undefined })).toBe('{"a":[2,{"c":4,"d":3}],"b":1}');
  });

  it("rejects values with no JSON form instead of writing null", () => {
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(/\$\.a: NaN/);
  });

  it("gives equal bytes for equal values whatever the key order", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const shuffled = JSON.parse(
          JSON.stringify(value, (_k, v) => (v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v)),
        );
        expect(canonicalJson(shuffled)).toBe(canonicalJson(value));
        expect(contentHash(shuffled)).toBe(contentHash(value));
      }),
    );
  });

  it("round-trips through JSON.parse", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(canonicalJson(JSON.parse(canonicalJson(value)))).toBe(canonicalJson(value));
      }),
    );
  });
});
