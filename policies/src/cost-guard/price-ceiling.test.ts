/** @module Tests for cost-guard/price-ceiling. */
import { describe, expect, it } from "vitest";
import { fixture } from "../testing/fixture.ts";
import { testPolicy } from "../testing/policy-tester.ts";
import policy, { expectedPricePer1M } from "./price-ceiling.ts";

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

testPolicy({
  policy,
  valid: [
    {
      name: "under the default ceiling of $10",
      config: fixture((d) => {
        d.routes.chat!.tier = "frontier";
      }),
    },
    { name: "$1.98 under a $2.00 ceiling", config: mixed, options: { maxUsdPer1M: 2 } },
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
          message: "route chat: tier frontier costs $3.13/1M > ceiling $2.00/1M (input:output 3:1)",
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
          message: "route chat: model claude costs $12.00/1M > ceiling $10.00/1M (input:output 1:3)",
        },
      ],
    },
    {
      name: "a per-route ceiling below the figure",
      config: mixed,
      options: { routeCeilings: { chat: 1.5 } },
      errors: [{ messageId: "over-ceiling", node: { kind: "route", id: "chat", path: ["tier"] }, message: /\$1\.98\/1M > ceiling \$1\.50\/1M/ }],
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
