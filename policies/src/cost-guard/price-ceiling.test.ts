/** @module Tests for cost-guard/price-ceiling. */
import { describe, expect, it } from "vitest";
import { fixture } from "../testing/fixture.ts";
import { testPolicy } from "../testing/policy-tester.ts";
import policy, { chainPricePer1M, expectedPricePer1M, modelPricePer1M } from "./price-ceiling.ts";

// 70 % mini (0.15/0.6 → 0.2625 at 3:1) + 30 % claude (3/15 → 6) = 1.98375.
const mixed = fixture((d) => {
  d.tiers.fast = {
    models: [
      { model: "mini", weight: 70 },
      { model: "claude", weight: 30 },
    ],
  };
});

describe("expectedPricePer1M", () => {
  it("blends input and output by the mix and weights members", () => {
    expect(expectedPricePer1M(mixed, mixed.routes.chat!, { input: 3, output: 1 })).toBeCloseTo(1.98375, 10);
    expect(expectedPricePer1M(mixed, mixed.routes.chat!, { input: 1, output: 1 })).toBeCloseTo(0.7 * 0.375 + 0.3 * 9, 10);
  });
  it("averages plainly when weights sum to zero", () => {
    // The IR refuses weights ≤ 0 now; the function still copes with a config that was never parsed.
    const config = fixture((d) => {
      d.tiers.fast = {
        models: [
          { model: "mini", weight: 1 },
          { model: "claude", weight: 1 },
        ],
      };
    });
    config.tiers["fast"] = {
      models: [
        { model: "mini", weight: 0 },
        { model: "claude", weight: 0 },
      ],
    };
    expect(expectedPricePer1M(config, config.routes.chat!, { input: 3, output: 1 })).toBeCloseTo((0.2625 + 6) / 2, 10);
  });
});

describe("chainPricePer1M", () => {
  it("prices every step of the chain: expected from the primary, worst case over primary, fallbacks, long context and canary", () => {
    const config = fixture((d) => {
      d.models.big = { provider: "openaiUs", name: "o1-pro", context: 200_000, price: { input: 30, output: 30 }, owner: "platform" };
      d.routes.chat!.fallback = [{ tier: "frontier" }, { model: "big" }];
      d.routes.chat!.canary = { model: "mini-us", steps: [5, 100], everyMs: 3_600_000 };
    });
    const chain = chainPricePer1M(config, config.routes.chat!, { input: 3, output: 1 });
    expect(chain.expected).toBeCloseTo(0.2625, 10);
    expect(chain.worst?.price).toBe(30);
    expect(chain.worst?.reach).toMatchObject({ kind: "fallback", modelId: "big", path: ["fallback", 1] });
    expect(chain.steps.map((s) => [s.step.kind, s.dearest.modelId, Number(s.price.toFixed(4))])).toEqual([
      ["primary", "mini", 0.2625],
      ["fallback", "claude", 6],
      ["fallback", "big", 30],
      ["long-context", "claude", 6],
      ["canary", "mini-us", 0.2625],
    ]);
  });
});

testPolicy({
  policy,
  valid: [
    {
      name: "a declared cache hit ratio of 0.5 brings a $3.13 tier under a $2 ceiling (a miss still pays the worst case in full)",
      config: fixture((d) => {
        d.tiers.frontier = {
          models: [
            { model: "claude", weight: 1 },
            { model: "mini", weight: 1 },
          ],
        };
        d.routes.chat!.tier = "frontier";
        d.routes.chat!.fallback = [{ tier: "fast" }];
        d.routes.chat!.cache = { ttlMs: 600_000, scope: "team", expectedHitRatio: 0.5 };
      }),
      options: { maxUsdPer1M: 2, maxWorstUsdPer1M: 10 },
    },
    {
      name: "under the default ceiling of $10",
      config: fixture((d) => {
        d.routes.chat!.tier = "frontier";
      }),
    },
    { name: "$1.98 under a $2.00 ceiling, with a dearer fallback under a worst-case ceiling", config: mixed, options: { maxUsdPer1M: 2, maxWorstUsdPer1M: 6 } },
    {
      name: "a per-route ceiling above the pack ceiling",
      config: fixture((d) => {
        d.routes.chat!.tier = "frontier";
      }),
      options: { maxUsdPer1M: 1, routeCeilings: { chat: 6 } },
    },
  ],
  invalid: [
    {
      name: "a cache without a declared hit ratio counts nothing",
      config: fixture((d) => {
        d.tiers.frontier = {
          models: [
            { model: "claude", weight: 1 },
            { model: "mini", weight: 1 },
          ],
        };
        d.routes.chat!.tier = "frontier";
        d.routes.chat!.fallback = [{ tier: "fast" }];
        d.routes.chat!.cache = { ttlMs: 600_000, scope: "team" };
      }),
      options: { maxUsdPer1M: 2, maxWorstUsdPer1M: 10 },
      errors: [
        {
          messageId: "over-ceiling",
          node: { kind: "route", id: "chat", path: ["tier"] },
          message: "route chat: tier frontier costs $3.13/1M > ceiling $2.00/1M (input:output 3:1); worst case $6.00/1M",
        },
      ],
    },
    {
      name: "a declared cache hit ratio too small to bring the route under its ceiling",
      config: fixture((d) => {
        d.tiers.frontier = {
          models: [
            { model: "claude", weight: 1 },
            { model: "mini", weight: 1 },
          ],
        };
        d.routes.chat!.tier = "frontier";
        d.routes.chat!.fallback = [{ tier: "fast" }];
        d.routes.chat!.cache = { ttlMs: 600_000, scope: "team", expectedHitRatio: 0.2 };
      }),
      options: { maxUsdPer1M: 2, maxWorstUsdPer1M: 10 },
      errors: [
        {
          messageId: "over-ceiling-cached",
          node: { kind: "route", id: "chat", path: ["tier"] },
          message:
            "route chat: tier frontier costs $2.51/1M ($3.13/1M less the declared cache hit ratio 0.2) > ceiling $2.00/1M (input:output 3:1); worst case $6.00/1M",
        },
      ],
    },
    {
      name: "a frontier tier over a $2 ceiling",
      config: fixture((d) => {
        d.tiers.frontier = {
          models: [
            { model: "claude", weight: 1 },
            { model: "mini", weight: 1 },
          ],
        };
        d.routes.chat!.tier = "frontier";
        d.routes.chat!.fallback = [{ tier: "fast" }];
      }),
      options: { maxUsdPer1M: 2 },
      errors: [
        {
          messageId: "over-ceiling",
          node: { kind: "route", id: "chat", path: ["tier"] },
          message: "route chat: tier frontier costs $3.13/1M > ceiling $2.00/1M (input:output 3:1); worst case $6.00/1M",
        },
        {
          messageId: "step-over-ceiling",
          node: { kind: "route", id: "chat", path: ["longContext", "use"] },
          message:
            "route chat: its long-context target (tier frontier) reaches model claude at $6.00/1M > worst-case ceiling $2.00/1M (input:output 3:1); expected $3.13/1M, worst case $6.00/1M",
        },
      ],
    },
    {
      name: "a single-model route with an output-heavy mix",
      config: fixture((d) => {
        d.routes.chat = { model: "claude", fallback: [{ tier: "fast" }] };
      }),
      options: { maxUsdPer1M: 10, mix: { input: 1, output: 3 } },
      errors: [
        {
          messageId: "over-ceiling",
          node: { kind: "route", id: "chat", path: ["model"] },
          message: "route chat: model claude costs $12.00/1M > ceiling $10.00/1M (input:output 1:3); worst case $12.00/1M",
        },
      ],
    },
    {
      name: "a per-route ceiling below the figure",
      config: mixed,
      options: { routeCeilings: { chat: 1.5 }, maxWorstUsdPer1M: 10 },
      errors: [{ messageId: "over-ceiling", node: { kind: "route", id: "chat", path: ["tier"] }, message: /\$1\.98\/1M > ceiling \$1\.50\/1M/ }],
    },
    {
      name: "a $30/1M fallback under a $5 ceiling: the expected figure passes, the chain does not",
      config: fixture((d) => {
        d.models.big = { provider: "openaiUs", name: "o1-pro", context: 200_000, price: { input: 30, output: 30 }, owner: "platform" };
        d.routes.chat!.fallback = [{ tier: "frontier" }, { model: "big" }];
      }),
      options: { maxUsdPer1M: 5, maxWorstUsdPer1M: 8 },
      errors: [
        {
          messageId: "step-over-ceiling",
          node: { kind: "route", id: "chat", path: ["fallback", 1] },
          message:
            "route chat: fallback step 2 reaches model big at $30.00/1M > worst-case ceiling $8.00/1M (input:output 3:1); expected $0.26/1M, worst case $30.00/1M",
        },
      ],
    },
    {
      name: "a `when` rule escalating to a $30/1M model over the worst-case ceiling",
      config: fixture((d) => {
        d.models.big = { provider: "openaiUs", name: "o1-pro", context: 200_000, price: { input: 30, output: 30 }, owner: "platform" };
        d.routes.chat!.when = [{ if: { tag: "risk:high" }, use: { model: "big" } }];
      }),
      options: { maxUsdPer1M: 5, maxWorstUsdPer1M: 8 },
      errors: [
        {
          messageId: "step-over-ceiling",
          node: { kind: "route", id: "chat", path: ["when", 0, "use"] },
          message: /^route chat: its rule 1 target reaches model big at \$30\.00\/1M > worst-case ceiling \$8\.00\/1M/,
        },
      ],
    },
    {
      name: "a canary and a primary tier member over the ceiling, each at its step",
      config: fixture((d) => {
        d.models.big = { provider: "openaiUs", name: "o1-pro", context: 200_000, price: { input: 30, output: 30 }, owner: "platform" };
        d.tiers.fast = {
          models: [
            { model: "mini", weight: 99 },
            { model: "big", weight: 1 },
          ],
        };
        d.routes.chat!.canary = { model: "big", steps: [5, 100], everyMs: 3_600_000, guard: { maxErrorRate: 0.05 } };
      }),
      options: { maxUsdPer1M: 10 },
      errors: [
        {
          messageId: "step-over-ceiling",
          node: { kind: "route", id: "chat", path: ["tier"] },
          message: /its primary \(tier fast\) reaches model big at \$30\.00\/1M/,
        },
        { messageId: "step-over-ceiling", node: { kind: "route", id: "chat", path: ["canary", "model"] }, message: /its canary reaches model big/ },
      ],
    },
    {
      name: "a mix with no tokens is invalid options",
      config: mixed,
      options: { mix: { input: 0, output: 0 } },
      errors: [
        {
          policyId: "cost-guard/price-ceiling",
          messageId: "invalid-options",
          severity: "error",
          node: { kind: "selection", id: "0", path: ["options", "mix"] },
          message: /positive input or output share/,
        },
      ],
    },
  ],
});

describe("embedding models", () => {
  it("are priced at their input price: they have no output tokens to blend with", () => {
    const model = { kind: "embedding" as const, price: { input: 0.13, output: 0 } };
    expect(modelPricePer1M(model, { input: 3, output: 1 })).toBe(0.13);
    expect(modelPricePer1M({ price: { input: 0.13, output: 0 } }, { input: 3, output: 1 })).toBeCloseTo(0.0975, 10);
  });
});
