/** @module Least-busy strategy: conformance suite plus its own cases. */
import { describe, expect, it } from "vitest";
import { fakeState } from "../testing.ts";
import { context, member, runStrategyConformance } from "./conformance.case.ts";
import { leastBusyStrategy } from "./least-busy.ts";

runStrategyConformance({ name: "least-busy", create: () => leastBusyStrategy });

describe("least-busy strategy", () => {
  it("puts the member with the fewest requests in flight first", () => {
    const state = fakeState({ inFlight: { a: 4, b: 0, c: 2 } });
    const out = leastBusyStrategy.order([member("a", { index: 0 }), member("b", { index: 1 }), member("c", { index: 2 })], context({ state }));
    expect(out.map((m) => m.model)).toEqual(["b", "c", "a"]);
  });
});
