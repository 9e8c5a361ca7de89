/** @module rules.test-d — `when` rules are typed at the literal: targets, teams, condition keys and levels. */
import { describe, it } from "vitest";
import { defineConfig, secret } from "./index.ts";

const providers = { openai: { kind: "openai", apiKey: secret("OPENAI_API_KEY") } } as const;
const models = {
  mini: { provider: "openai", name: "gpt-4o-mini", context: 128_000, price: { input: 0.15, output: 0.6 } },
  big: { provider: "openai", name: "gpt-4o", context: 128_000, price: { input: 2.5, output: 10 } },
} as const;
const tiers = { fast: { models: ["mini"] }, frontier: { models: ["big"] } } as const;
const teams = { support: { keys: [secret("K")], routes: ["chat"] } } as const;

describe("when rules", () => {
  it("accepts every condition and both kinds of target", () => {
    defineConfig({
      providers,
      models,
      tiers,
      routes: {
        chat: {
          tier: "fast",
          complexity: { medium: 20, high: 50 },
          when: [
            { if: { tag: "risk:high" }, use: { tier: "frontier" } },
            { if: { tokens: { over: 4000 }, tools: true, images: false }, use: { model: "big" } },
            { if: { complexity: "high", metadata: { tenant: "acme" }, region: "eu-west" }, use: { tier: "frontier" } },
            { if: { any: [{ team: "support" }, { complexity: "medium" }] }, use: { model: "big" } },
          ],
        },
      },
      teams,
    });
  });

  it("rejects a misspelt tier, model, team, condition key or level at the literal", () => {
    defineConfig({
      providers,
      models,
      tiers,
      routes: {
        chat: {
          tier: "fast",
          when: [
            // @ts-expect-error — `fronteir` is not a tier
            { if: { tag: "risk:high" }, use: { tier: "fronteir" } },
            // @ts-expect-error — `bigg` is not a model
            { if: { tools: true }, use: { model: "bigg" } },
            // @ts-expect-error — `suport` is not a team
            { if: { team: "suport" }, use: { model: "big" } },
            // @ts-expect-error — `tgs` is not a condition
            { if: { tgs: "risk:high" }, use: { model: "big" } },
            // @ts-expect-error — complexity is low, medium or high
            { if: { complexity: "extreme" }, use: { model: "big" } },
          ],
        },
      },
      teams,
    });
  });
});
