/** @module Tests for the IR walks shared by the built-in policies. */
import { describe, expect, it } from "vitest";
import { describeStep, groupBySteps, listOf, routeReach, routesByModel } from "./graph.ts";
import { fixture } from "./testing/fixture.ts";

const config = fixture((d) => {
  d.tiers.fast = {
    models: [
      { model: "mini", weight: 1 },
      { model: "mini-us", weight: 1 },
    ],
  };
  d.routes.chat!.fallback = [{ tier: "frontier" }, { model: "mini-us" }];
  d.routes.chat!.canary = { model: "claude", steps: [5], everyMs: 1000 };
  d.routes.other = { model: "mini", fallback: [{ model: "claude" }] };
});

describe("routeReach", () => {
  it("lists primary members, fallback steps, long-context target and canary in order, with DSL paths", () => {
    const reach = routeReach(config, config.routes.chat!);
    expect(reach.map((r) => [r.kind, r.path, r.modelId, r.providerId])).toEqual([
      ["primary", ["tier"], "mini", "openaiEu"],
      ["primary", ["tier"], "mini-us", "openaiUs"],
      ["fallback", ["fallback", 0], "claude", "anthropicEu"],
      ["fallback", ["fallback", 1], "mini-us", "openaiUs"],
      ["long-context", ["longContext", "use"], "claude", "anthropicEu"],
      ["canary", ["canary", "model"], "claude", "anthropicEu"],
    ]);
  });

  it("can be limited to some kinds", () => {
    expect(routeReach(config, config.routes.other!, ["primary"]).map((r) => r.path)).toEqual([["model"]]);
  });
});

describe("groupBySteps", () => {
  it("puts the members of a tier step together and describes each step", () => {
    const steps = groupBySteps(routeReach(config, config.routes.chat!));
    expect(steps.map((s) => [describeStep(s), s.targetKind, s.reaches.map((r) => r.modelId)])).toEqual([
      ["its primary", "tier", ["mini", "mini-us"]],
      ["fallback step 1", "tier", ["claude"]],
      ["fallback step 2", "model", ["mini-us"]],
      ["its long-context target", "tier", ["claude"]],
      ["its canary", "model", ["claude"]],
    ]);
  });
});

describe("routesByModel", () => {
  it("maps each model to the routes that reach it through any step", () => {
    const byModel = routesByModel(config);
    expect(byModel.get("claude")).toEqual(["chat", "other"]);
    expect(byModel.get("mini-us")).toEqual(["chat"]);
  });
});

describe("listOf", () => {
  it("joins like English", () => {
    expect([listOf([]), listOf(["a"]), listOf(["a", "b"]), listOf(["a", "b", "c"])]).toEqual(["", "a", "a and b", "a, b and c"]);
  });
});
