/** @module Unit tests of UTC budget period boundaries (day, ISO week, month ends, leap years). */
import { describe, expect, it } from "vitest";
import { periodBounds } from "./budget-period.ts";

const at = (y: number, m: number, d: number, h = 0, min = 0, s = 0, ms = 0) => Date.UTC(y, m - 1, d, h, min, s, ms);

describe("periodBounds", () => {
  it.each([
    ["day mid-day", "day", at(2027, 3, 14, 13, 5), at(2027, 3, 14), at(2027, 3, 15)],
    ["day at midnight belongs to the new day", "day", at(2027, 3, 15), at(2027, 3, 15), at(2027, 3, 16)],
    ["day's last millisecond", "day", at(2027, 3, 14, 23, 59, 59, 999), at(2027, 3, 14), at(2027, 3, 15)],
    ["week on a Wednesday", "week", at(2026, 11, 25, 8), at(2026, 11, 23), at(2026, 11, 30)],
    ["week on a Sunday night (ISO: still the Monday before)", "week", at(2026, 11, 29, 23, 59), at(2026, 11, 23), at(2026, 11, 30)],
    ["week on Monday 00:00", "week", at(2026, 11, 30), at(2026, 11, 30), at(2026, 12, 7)],
    ["week across a year end", "week", at(2027, 1, 1), at(2026, 12, 28), at(2027, 1, 4)],
    ["month of 31 days, last ms", "month", at(2027, 1, 31, 23, 59, 59, 999), at(2027, 1, 1), at(2027, 2, 1)],
    ["February (28 days)", "month", at(2027, 2, 28, 12), at(2027, 2, 1), at(2027, 3, 1)],
    ["February in a leap year", "month", at(2028, 2, 29, 23), at(2028, 2, 1), at(2028, 3, 1)],
    ["month of 30 days", "month", at(2027, 4, 30, 23, 59), at(2027, 4, 1), at(2027, 5, 1)],
    ["December rolls into January", "month", at(2027, 12, 31, 18), at(2027, 12, 1), at(2028, 1, 1)],
    ["the 1st at 00:00 is the new month", "month", at(2027, 5, 1), at(2027, 5, 1), at(2027, 6, 1)],
  ] as const)("%s", (_name, period, now, start, end) => {
    expect(periodBounds(period, now)).toEqual({ start, end });
  });

  it("every instant lies in [start, end) and the next period starts at end", () => {
    for (const period of ["day", "week", "month"] as const) {
      for (let t = at(2027, 1, 1); t < at(2029, 1, 1); t += 7_777_777_777 / 97) {
        const { start, end } = periodBounds(period, t);
        expect(start).toBeLessThanOrEqual(t);
        expect(end).toBeGreaterThan(t);
        expect(periodBounds(period, end).start).toBe(end);
        expect(periodBounds(period, end - 1).start).toBe(start);
      }
    }
  });
});
