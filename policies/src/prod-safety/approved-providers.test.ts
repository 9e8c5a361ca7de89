/** @module Tests for prod-safety/approved-providers. */
import { fixture } from "../testing/fixture.ts";
import { testPolicy } from "../testing/policy-tester.ts";
import policy from "./approved-providers.ts";

testPolicy({
  policy,
  valid: [
    { name: "an empty allowlist allows all", config: fixture() },
    { name: "approved by kind", config: fixture(), options: { approvedProviders: ["openai", "anthropic"] } },
    { name: "approved by id and kind", config: fixture(), options: { approvedProviders: ["openai", "anthropicEu"] } },
  ],
  invalid: [
    {
      name: "anthropic not approved",
      config: fixture(),
      options: { approvedProviders: ["openai"] },
      errors: [
        {
          messageId: "not-approved",
          node: { kind: "provider", id: "anthropicEu" },
          message: "provider anthropicEu (kind anthropic) is not on the approved list (openai)",
        },
      ],
    },
    {
      name: "only one id approved",
      config: fixture(),
      options: { approvedProviders: ["openaiEu"] },
      errors: [
        { messageId: "not-approved", node: { kind: "provider", id: "anthropicEu" } },
        { messageId: "not-approved", node: { kind: "provider", id: "openaiUs" } },
      ],
    },
  ],
});
