/** @module Tests for eu-residency/eu-providers-only: the whole chain, reported at the step that leaves. */
import { fixture } from "../testing/fixture.ts";
import { testPolicy } from "../testing/policy-tester.ts";
import policy from "./eu-providers-only.ts";

const euRoute = fixture((d) => {
  d.routes.chat!.residency = "eu";
});

testPolicy({
  policy,
  valid: [
    { name: "an EU route whose whole chain is EU-resident", config: euRoute },
    {
      name: "a non-EU internal route may reach the US",
      config: fixture((d) => {
        d.routes.chat!.fallback = [{ model: "mini-us" }];
      }),
    },
    {
      name: "a confidential route when the option drops confidential",
      config: fixture((d) => {
        d.routes.chat!.dataClass = "confidential";
        d.routes.chat!.fallback = [{ model: "mini-us" }];
      }),
      options: { classes: ["restricted"] },
    },
  ],
  invalid: [
    {
      name: "only the THIRD fallback step leaves the EU",
      config: fixture((d) => {
        d.routes.chat!.residency = "eu";
        d.routes.chat!.fallback = [{ tier: "frontier" }, { model: "mini" }, { model: "mini-us" }];
      }),
      errors: [
        {
          messageId: "fallback",
          node: { kind: "route", id: "chat", path: ["fallback", 2] },
          message: "route chat must stay in the EU (residency eu) but fallback step 3 reaches model mini-us on provider openaiUs (residency us)",
        },
      ],
    },
    {
      name: "a tier member of the primary on a provider without residency",
      config: fixture((d) => {
        d.routes.chat!.residency = "eu";
        d.providers.anyWhere = { kind: "openai", apiKey: { secret: "ANY_KEY" } };
        d.models.roamer = { provider: "anyWhere", name: "r", context: 128_000, price: { input: 0, output: 0 } };
        d.tiers.fast = {
          models: [
            { model: "mini", weight: 1 },
            { model: "roamer", weight: 1 },
          ],
        };
      }),
      errors: [
        {
          messageId: "primary",
          node: { kind: "route", id: "chat", path: ["tier"] },
          message: "route chat must stay in the EU (residency eu) but its primary (tier fast) reaches model roamer on provider anyWhere (residency unset)",
        },
      ],
    },
    {
      name: "confidential data (default classes): long-context target and canary in the US",
      config: fixture((d) => {
        d.routes.chat!.dataClass = "confidential";
        d.routes.chat!.longContext = { over: 16_000, use: { model: "mini-us" } };
        d.routes.chat!.canary = { model: "mini-us", steps: [5], everyMs: 60_000 };
      }),
      errors: [
        {
          messageId: "long-context",
          node: { kind: "route", id: "chat", path: ["longContext", "use"] },
          message: /data class confidential\) but its long-context target reaches model mini-us on provider openaiUs/,
        },
        {
          messageId: "canary",
          node: { kind: "route", id: "chat", path: ["canary", "model"] },
          message: "route chat must stay in the EU (data class confidential) but its canary reaches model mini-us on provider openaiUs (residency us)",
        },
      ],
    },
    {
      name: "a `when` rule whose target leaves the EU, reported at the rule",
      config: fixture((d) => {
        d.routes.chat!.residency = "eu";
        d.routes.chat!.when = [
          { if: { tag: "risk:high" }, use: { tier: "frontier" } },
          { if: { complexity: "high" }, use: { model: "mini-us" } },
        ];
      }),
      errors: [
        {
          messageId: "rule",
          node: { kind: "route", id: "chat", path: ["when", 1, "use"] },
          message: "route chat must stay in the EU (residency eu) but its rule 2 target reaches model mini-us on provider openaiUs (residency us)",
        },
      ],
    },
    {
      name: "restricted data, with classes configured",
      config: fixture((d) => {
        d.routes.chat!.dataClass = "internal";
        d.routes.chat!.fallback = [{ model: "mini-us" }];
      }),
      options: { classes: ["internal"] },
      errors: [{ messageId: "fallback", node: { kind: "route", id: "chat", path: ["fallback", 0] } }],
    },
    {
      name: "an unknown data class in options",
      config: euRoute,
      options: { classes: ["secret"] },
      errors: [
        {
          policyId: "eu-residency/eu-providers-only",
          messageId: "invalid-options",
          severity: "error",
          node: { kind: "selection", id: "0", path: ["options", "classes", 0] },
        },
      ],
    },
  ],
});
