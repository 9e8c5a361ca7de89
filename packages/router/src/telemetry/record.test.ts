/** @module isoTime is Date#toISOString, whatever the order and spacing of the times asked for. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isoTime } from "./record.ts";

describe("isoTime", () => {
  it("formats like Date#toISOString across seconds, years, negative and fractional times", () => {
    const time = fc.oneof(
      fc.integer({ min: 1_700_000_000_000, max: 1_700_000_005_000 }),
      fc.integer({ min: -8.64e15, max: 8.64e15 }),
      fc.integer({ min: -5000, max: 5000 }),
      fc.double({ min: -1e13, max: 1e13, noNaN: true }),
      fc.constantFrom(0, 999, 1000, -1, -1000, -1001, 253402300799999, 253402300800000, -62167219200000, -62167219200001),
    );
    fc.assert(
      fc.property(fc.array(time, { minLength: 1, maxLength: 20 }), (times) => {
        for (const t of times) expect(isoTime(t)).toBe(new Date(t).toISOString());
      }),
      { numRuns: 2000 },
    );
  });

  it("throws as Date does for a time out of range", () => {
    expect(() => isoTime(Number.NaN)).toThrow(RangeError);
    expect(() => isoTime(8.64e15 + 1)).toThrow(RangeError);
  });
});
