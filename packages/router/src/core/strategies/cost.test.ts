/** @module Cost strategy: conformance suite plus its own cases. */
import { describe, expect, it } from "vitest";
import { context, member, runStrategyConformance } from "./conformance.case.ts";
import { costStrategy } from "./cost.ts";

runStrategyConformance({ name: "cost", create: () => costStrategy });

describe("cost strategy", () => {
  const cheapIn = member("cheap-in", { priceInput: 0.1, priceOutput: 10, index: 0 });
  const cheapOut = member("cheap-out", { priceInput: 5, priceOutput: 0.1, index: 1 });

  it("weighs input and output prices by the request's token counts", () => {
    expect(costStrategy.order([cheapIn, cheapOut], context({ promptTokens: 10_000, maxOutputTokens: 10 })).map((m) => m.model)).toEqual([
      "cheap-in",
      "cheap-out",
    ]);
    expect(costStrategy.order([cheapIn, cheapOut], context({ promptTokens: 10, maxOutputTokens: 10_000 })).map((m) => m.model)).toEqual([
      "cheap-out",
      "cheap-in",
    ]);
  });
});
