/** @module Tests for diffImpact: which routes a change reaches, and their price and context window before and after. */
import { describe, expect, it } from "vitest";
import { diffConfigs } from "./diff-configs.ts";
import { acmeIr } from "./fixtures.test-helper.ts";
import { diffImpact } from "./impact.ts";

function impactOf(edit: (config: ReturnType<typeof acmeIr>) => void) {
  const old = acmeIr();
  const now = acmeIr();
  edit(now);
  return diffImpact(old, now, diffConfigs(old, now));
}

describe("diffImpact", () => {
  it("prices support-faq moved from fast to frontier at ~20× (3:1 input:output)", () => {
    const impact = impactOf((c) => {
      c.routes["support-faq"]!.tier = "frontier";
      c.routes["support-faq"]!.fallback = [{ tier: "fast" }];
    });
    expect(impact.mix).toEqual({ input: 3, output: 1 });
    expect(impact.routes).toEqual([
      {
        route: "support-faq",
        kind: "update",
        because: ["route"],
        blended: { old: expect.closeTo(0.2625, 10), new: 6 },
        worst: { old: { usdPer1M: 6, model: "claude", via: "fallback" }, new: { usdPer1M: 6, model: "claude", via: "primary" } },
        context: { old: 128_000, new: 200_000 },
      },
    ]);
  });

  it("finds the routes a tier member swap or a model's price change reaches, on either side", () => {
    const swap = impactOf((c) => {
      c.tiers.fast!.models = [
        { model: "gpt-mini", weight: 70 },
        { model: "claude-next", weight: 30 },
      ];
    });
    expect(swap.routes.map((r) => [r.route, r.because])).toEqual([["support-faq", ["tier fast"]]]);
    expect(swap.routes[0]?.context).toEqual({ old: 128_000, new: 128_000 });
    expect(swap.routes[0]?.blended.new).toBeCloseTo(0.7 * 0.2625 + 0.3 * 6, 10);
    // claude is legal-review's primary and support-faq's fallback and long-context target.
    const price = impactOf((c) => {
      c.models.claude!.price = { input: 15, output: 75 };
    });
    expect(price.routes.map((r) => [r.route, r.because])).toEqual([
      ["legal-review", ["model claude"]],
      ["support-faq", ["model claude"]],
    ]);
    expect(price.routes[1]?.worst.new).toEqual({ usdPer1M: 30, model: "claude", via: "fallback" });
    expect(price.routes[1]?.blended.old).toBeCloseTo(0.2625, 10);
    expect(price.routes[1]?.blended.new).toBe(price.routes[1]?.blended.old);
  });

  it("leaves out changes that move no figure, and blends at the cost-guard mix when NEW sets one", () => {
    expect(impactOf((c) => void (c.routes["support-faq"]!.retry.attempts = 3)).routes).toEqual([]);
    // Re-weighting equal-priced members moves the blend only by float noise.
    expect(impactOf((c) => void (c.tiers.fast!.models[0]!.weight = 60)).routes).toEqual([]);
    const mixed = impactOf((c) => {
      c.policies = [{ pack: "cost-guard", severities: {}, options: { mix: { input: 1, output: 1 } } }];
      c.routes["support-faq"]!.tier = "frontier";
      c.routes["support-faq"]!.fallback = [];
    });
    expect(mixed.mix).toEqual({ input: 1, output: 1 });
    expect(mixed.routes[0]?.blended.old).toBeCloseTo(0.375, 10);
    expect(mixed.routes[0]?.blended.new).toBe(9);
  });
});
