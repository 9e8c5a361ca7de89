/** @module Tests for baseline/fallback-context. */
import { fixture } from "../testing/fixture.ts";
import { testPolicy } from "../testing/policy-tester.ts";
import policy from "./fallback-context.ts";

const small = { provider: "anthropicEu", name: "small", context: 8_000, price: { input: 0, output: 0 } };

testPolicy({
  policy,
  valid: [
    { name: "every window covers the threshold", config: fixture() },
    {
      name: "no long-context rule: nothing to cover",
      config: fixture((d) => {
        d.models.small = small;
        d.routes.chat!.fallback = [{ model: "small" }];
        delete d.routes.chat!.longContext;
      }),
    },
    {
      name: "a window exactly at the threshold",
      config: fixture((d) => {
        d.models.small = { ...small, context: 16_000 };
        d.routes.chat!.fallback = [{ model: "small" }];
      }),
    },
  ],
  invalid: [
    {
      name: "the second fallback step is too small",
      config: fixture((d) => {
        d.models.small = small;
        d.routes.chat!.fallback = [{ tier: "frontier" }, { model: "small" }];
      }),
      errors: [
        {
          messageId: "too-small",
          node: { kind: "route", id: "chat", path: ["fallback", 1] },
          message: "route chat: fallback step 2 has model small with a 8,000-token context window, below the route's long-context threshold of 16,000 tokens",
        },
      ],
    },
    {
      name: "a small member of the primary tier",
      config: fixture((d) => {
        d.models.small = small;
        d.tiers.fast = {
          models: [
            { model: "mini", weight: 1 },
            { model: "small", weight: 1 },
          ],
        };
      }),
      errors: [
        {
          messageId: "too-small",
          node: { kind: "route", id: "chat", path: ["tier"] },
          message: /^route chat: its primary \(tier fast\) has model small with a 8,000-token/,
        },
      ],
    },
    {
      name: "a `when` rule's target is too small",
      config: fixture((d) => {
        d.models.small = small;
        d.routes.chat!.when = [{ if: { complexity: "low" }, use: { model: "small" } }];
      }),
      errors: [
        {
          messageId: "too-small",
          node: { kind: "route", id: "chat", path: ["when", 0, "use"] },
          message: /^route chat: its rule 1 target has model small with a 8,000-token/,
        },
      ],
    },
    {
      name: "a long-context target no larger than the threshold",
      config: fixture((d) => {
        d.routes.chat!.longContext = { over: 128_000, use: { model: "mini" } };
      }),
      errors: [
        {
          messageId: "target-too-small",
          node: { kind: "route", id: "chat", path: ["longContext", "use"] },
          message:
            "route chat: its long-context target has model mini with a 128,000-token context window, no larger than the threshold of 128,000 tokens it serves above",
        },
      ],
    },
  ],
});
