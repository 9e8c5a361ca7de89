/** @module Tests for baseline/multi-provider. */
import { fixture } from "../testing/fixture.ts";
import { testPolicy } from "../testing/policy-tester.ts";
import policy from "./multi-provider.ts";

testPolicy({
  policy,
  valid: [
    { name: "fallback on another provider", config: fixture() },
    {
      name: "a primary tier spanning two providers, no fallback",
      config: fixture((d) => {
        d.tiers.fast = {
          models: [
            { model: "mini", weight: 1 },
            { model: "claude", weight: 1 },
          ],
        };
        d.routes.chat!.fallback = [];
      }),
    },
    {
      name: "a `when` rule on another provider than the fallback",
      config: fixture((d) => {
        d.routes.chat!.when = [{ if: { tag: "risk:high" }, use: { model: "mini-us" } }];
      }),
    },
    {
      name: "canary and long-context on one provider do not matter",
      config: fixture((d) => {
        d.routes.chat!.canary = { model: "mini", steps: [5], everyMs: 1000 };
      }),
    },
  ],
  invalid: [
    {
      name: "a fallback to another model of the same provider",
      config: fixture((d) => {
        d.models.mini2 = { provider: "openaiEu", name: "gpt-4o", context: 128_000, price: { input: 1, output: 4 } };
        d.routes.chat!.fallback = [{ model: "mini2" }];
      }),
      errors: [
        {
          messageId: "single-provider",
          node: { kind: "route", id: "chat" },
          message: "route chat depends on a single provider (openaiEu) through its primary and fallbacks; add a fallback on another provider",
        },
      ],
    },
    {
      name: "a `when` rule whose target is on the fallback's provider: that branch has one provider",
      config: fixture((d) => {
        d.routes.chat!.when = [
          { if: { tag: "risk:high" }, use: { model: "mini" } },
          { if: { tools: true }, use: { model: "claude" } },
        ];
      }),
      errors: [
        {
          messageId: "single-provider-rule",
          node: { kind: "route", id: "chat", path: ["when", 1, "use"] },
          message:
            "route chat: requests its rule 2 matches depend on a single provider (anthropicEu) through the rule's target and the fallbacks; add a fallback on another provider",
        },
      ],
    },
    {
      name: "no fallback at all: a single provider",
      config: fixture((d) => {
        d.routes.chat!.fallback = [];
      }),
      errors: [{ messageId: "single-provider", node: { kind: "route", id: "chat" } }],
    },
    {
      name: "a long-context target on another provider does not count",
      config: fixture((d) => {
        d.routes.chat!.fallback = [{ tier: "fast" }];
        d.routes.chat!.longContext = { over: 16_000, use: { model: "claude" } };
      }),
      errors: [{ messageId: "single-provider", node: { kind: "route", id: "chat" } }],
    },
  ],
});
