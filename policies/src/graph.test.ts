/** @module Tests for the IR walks shared by the built-in policies. */
import { describe, expect, it } from "vitest";
import { describeStep, groupBySteps, listOf, routeBranches, routeReach, routesByModel } from "./graph.ts";
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

describe("when rules", () => {
  const withRules = fixture((d) => {
    d.routes.chat!.fallback = [{ model: "mini-us" }];
    d.routes.chat!.when = [
      { if: { tag: "risk:high" }, use: { tier: "frontier" } },
      { if: { tools: true }, use: { model: "mini" } },
    ];
  });

  it("routeReach lists each rule's target after the primary, at its `when` path", () => {
    const reach = routeReach(withRules, withRules.routes.chat!, ["primary", "rule", "fallback"]);
    expect(reach.map((r) => [r.kind, r.path, r.modelId])).toEqual([
      ["primary", ["tier"], "mini"],
      ["rule", ["when", 0, "use"], "claude"],
      ["rule", ["when", 1, "use"], "mini"],
      ["fallback", ["fallback", 0], "mini-us"],
    ]);
    expect(groupBySteps(reach).map(describeStep)).toEqual(["its primary", "its rule 1 target", "its rule 2 target", "fallback step 1"]);
  });

  it("routeBranches gives the primary and each rule's target, each followed by the fallbacks", () => {
    const branches = routeBranches(withRules, withRules.routes.chat!);
    expect(branches.map((b) => [b.head, b.path, b.reaches.map((r) => r.modelId)])).toEqual([
      ["primary", ["tier"], ["mini", "mini-us"]],
      [1, ["when", 0, "use"], ["claude", "mini-us"]],
      [2, ["when", 1, "use"], ["mini", "mini-us"]],
    ]);
  });

  it("routesByModel counts a model reached only through a rule", () => {
    const onlyRule = fixture((d) => {
      d.routes.chat!.when = [{ if: { images: true }, use: { model: "mini-us" } }];
    });
    expect(routesByModel(onlyRule).get("mini-us")).toEqual(["chat"]);
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
