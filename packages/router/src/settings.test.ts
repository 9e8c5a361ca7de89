/** @module settings.test — the one parser of the router's numeric environment settings. */
import { describe, expect, it } from "vitest";
import { positiveIntSetting } from "./settings.ts";

describe("positiveIntSetting", () => {
  it("reads a positive whole number, with surrounding white space; unset or empty is the default", () => {
    expect(positiveIntSetting({ X: "500" }, "X", 7)).toBe(500);
    expect(positiveIntSetting({ X: " 65536\n" }, "X", 7)).toBe(65_536);
    expect(positiveIntSetting({}, "X", 7)).toBe(7);
    expect(positiveIntSetting({ X: "" }, "X", 7)).toBe(7);
  });

  it.each(["0", "-5", "1.5", "1e6", "0x10", "ten", "9".repeat(16), "12 000"])("refuses %j, naming the variable", (value) => {
    expect(positiveIntSetting({ X: value }, "X", 7)).toEqual({ error: `X must be a positive whole number, got "${value.trim().slice(0, 40)}"` });
  });
});
