/** @module Latency strategy: conformance suite plus its own cases. */
import { describe, expect, it } from "vitest";
import { fakeState } from "../testing.ts";
import { context, member, runStrategyConformance } from "./conformance.case.ts";
import { latencyStrategy } from "./latency.ts";

runStrategyConformance({ name: "latency", create: () => latencyStrategy });

describe("latency strategy", () => {
  it("orders by EWMA and tries unmeasured members first", () => {
    const state = fakeState({ latency: { a: { ewmaMs: 300, p95Ms: 0, samples: 3 }, b: { ewmaMs: 100, p95Ms: 0, samples: 3 } } });
    const out = latencyStrategy.order([member("a", { index: 0 }), member("b", { index: 1 }), member("new", { index: 2 })], context({ state }));
    expect(out.map((m) => m.model)).toEqual(["new", "b", "a"]);
  });
});
