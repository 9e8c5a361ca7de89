/** @module Tests of compileRouteTable(). */
import { describe, expect, it } from "vitest";
import { decide, routeTableFor } from "./decide.ts";
import { mulberry32 } from "./rng.ts";
import { compileRouteTable } from "./route-table.ts";
import { acmeConfig, fakeState, makeConfig, req } from "./testing.ts";

describe("compileRouteTable", () => {
  it("resolves targets, strategies and labels once", () => {
    const t = compileRouteTable(acmeConfig());
    const faq = t.routes.get("support-faq");
    expect(t.production).toBe(true);
    expect(faq?.primary).toMatchObject({ kind: "tier", id: "fast", strategyName: "latency", label: "primary: tier fast (latency)" });
    expect(faq?.primary.members.map((m) => [m.model, m.provider, m.weight, m.region])).toEqual([
      ["gpt-mini", "openai", 70, "us"],
      ["gpt-mini-eu", "azureEu", 30, "eu"],
    ]);
    expect(faq?.fallback.map((f) => [f.label, f.strategyName])).toEqual([
      ["fallback step 1: tier frontier (cost)", "cost"],
      ["fallback step 2: model llama-local", "cost"],
    ]);
    expect(faq?.longContext?.over).toBe(16_000);
    const legal = t.routes.get("legal-review");
    expect(legal?.strategyName).toBe("weighted"); // optimize quality → weighted
    expect(legal?.canary?.member).toMatchObject({ model: "claude-next", staticExclusion: { code: "residency" } });
    expect(legal?.primary.members[0]?.staticExclusion?.code).toBe("residency");
    expect(t.teams.get("legal")).toEqual(new Set(["legal-review"]));
  });

  it("maps optimize to a default strategy when the tier names none", () => {
    const config = makeConfig({
      providers: { p: { kind: "mock" } },
      models: { a: { provider: "p", name: "a", context: 1_000, price: { input: 0, output: 0 } } },
      tiers: { t: { models: [{ model: "a", weight: 1 }] }, s: { models: [{ model: "a", weight: 1 }], strategy: "least-busy" } },
      routes: { c: { tier: "t", optimize: "cost" }, l: { tier: "t", optimize: "latency" }, q: { tier: "t" }, s: { tier: "s", optimize: "cost" } },
    });
    const t = compileRouteTable(config);
    expect(["c", "l", "q", "s"].map((r) => t.routes.get(r)?.strategyName)).toEqual(["cost", "latency", "weighted", "least-busy"]);
  });

  it("an undeclared model or provider is excluded with a reason, never a crash", () => {
    const config = makeConfig({
      providers: { p: { kind: "mock" } },
      models: {
        a: { provider: "p", name: "a", context: 1_000, price: { input: 0, output: 0 } },
        orphan: { provider: "gone", name: "o", context: 1_000, price: { input: 0, output: 0 } },
      },
      tiers: {
        t: {
          models: [
            { model: "ghost", weight: 1 },
            { model: "orphan", weight: 1 },
            { model: "a", weight: 1 },
          ],
        },
      },
      routes: { r: { tier: "t", fallback: [{ tier: "missing" }] } },
    });
    const d = decide(config, req({ route: "r" }), fakeState(), { rng: mulberry32(1), now: 0 });
    expect(d.ok && d.plan.candidates.map((c) => c.model)).toEqual(["a"]);
    expect(d.ok && d.plan.excluded).toEqual([
      { model: "ghost", step: 0, code: "unknown-model", reason: 'model "ghost" is not declared' },
      { model: "orphan", step: 0, code: "unknown-model", reason: 'provider "gone" of model "orphan" is not declared' },
    ]);
  });

  it("decide() caches the table per config object", () => {
    const config = acmeConfig();
    expect(routeTableFor(config)).toBe(routeTableFor(config));
    expect(routeTableFor(acmeConfig())).not.toBe(routeTableFor(config));
  });
});
