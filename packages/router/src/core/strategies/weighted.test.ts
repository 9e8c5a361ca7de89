/** @module Weighted strategy: conformance suite plus its own cases. */
import { describe, expect, it } from "vitest";
import { mulberry32 } from "../rng.ts";
import { fakeState } from "../testing.ts";
import { context, member, runStrategyConformance } from "./conformance.case.ts";
import { weightedStrategy } from "./weighted.ts";

runStrategyConformance({
  name: "weighted",
  create: () => weightedStrategy,
  skip: {
    "region-tiebreak": "the first member is a random draw by weight, so there are no ties for the region to break",
    "declaration-order-tiebreak": "equal weights are drawn at random, not kept in declaration order",
  },
});

describe("weighted strategy", () => {
  const members = [member("a", { weight: 60, index: 0 }), member("b", { weight: 30, index: 1 }), member("c", { weight: 10, index: 2 })];

  it("draws first members in proportion to weight", () => {
    const rng = mulberry32(99);
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
    const N = 5_000;
    for (let i = 0; i < N; i++) {
      const first = weightedStrategy.order(members, context({ rng }))[0]?.model ?? "";
      counts[first] = (counts[first] ?? 0) + 1;
    }
    expect(Math.abs((counts["a"] ?? 0) / N - 0.6)).toBeLessThan(0.04);
    expect(Math.abs((counts["b"] ?? 0) / N - 0.3)).toBeLessThan(0.04);
    expect(Math.abs((counts["c"] ?? 0) / N - 0.1)).toBeLessThan(0.03);
  });

  it("follows the pick with the rest heaviest first", () => {
    const out = weightedStrategy.order(members, context({ rng: () => 0.95 })).map((m) => m.model); // r = 95 → c
    expect(out).toEqual(["c", "a", "b"]);
  });

  it("never draws a zero-weight member first while others have weight", () => {
    const rng = mulberry32(3);
    const zero = [member("z", { weight: 0, index: 0 }), member("y", { weight: 1, index: 1 })];
    for (let i = 0; i < 500; i++) expect(weightedStrategy.order(zero, context({ rng }))[0]?.model).toBe("y");
  });

  it("scales weights by the breaker's slow-start factor", () => {
    const state = fakeState({ breakers: { a: { status: "closed", openedAt: 0, weight: 0.01 } } });
    const rng = mulberry32(4);
    let a = 0;
    for (let i = 0; i < 2_000; i++) if (weightedStrategy.order(members, context({ rng, state }))[0]?.model === "a") a++;
    expect(a / 2_000).toBeLessThan(0.05); // 0.6 × 0.01 against 0.4
  });
});
