/** @module priceTokens(): the one pricing rule, cached reads and cache writes at their own prices. */
import { describe, expect, it } from "vitest";
import { priceTokens } from "./price.ts";

describe("priceTokens", () => {
  const claude = { input: 3, output: 15, cachedInput: 0.3, cacheWrite: 3.75 };

  it("prices uncached input, cache reads, cache writes and output each at its price (USD per 1M tokens)", () => {
    const usd = priceTokens(claude, { input: 50_000, cachedInput: 40_000, cacheWrite: 2_000, output: 2_000 });
    expect(usd).toBeCloseTo((8_000 * 3 + 40_000 * 0.3 + 2_000 * 3.75 + 2_000 * 15) / 1e6, 12);
  });

  it("an unset cachedInput or cacheWrite is the input price: as before caching was reported", () => {
    const plain = { input: 2, output: 8 };
    expect(priceTokens(plain, { input: 10_000, cachedInput: 8_000, cacheWrite: 1_000, output: 1_000 })).toBeCloseTo(
      priceTokens(plain, { input: 10_000, output: 1_000 }),
      12,
    );
    expect(priceTokens({ input: 2, output: 8, cachedInput: 0.5 }, { input: 10_000, cachedInput: 8_000, output: 1_000 })).toBeCloseTo(0.016, 12);
  });

  it("details beyond the input (an upstream's odd report) are capped at it: never a negative cost", () => {
    expect(priceTokens(claude, { input: 100, cachedInput: 500, cacheWrite: 500, output: 0 })).toBeCloseTo((100 * 0.3) / 1e6, 12);
    expect(priceTokens(claude, { input: 100, cachedInput: 60, cacheWrite: 500, output: 0 })).toBeCloseTo((60 * 0.3 + 40 * 3.75) / 1e6, 12);
    expect(priceTokens(claude, { input: 100, cachedInput: -5, output: -1 })).toBeCloseTo((100 * 3) / 1e6, 12);
  });
});
