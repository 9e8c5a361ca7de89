/** @module Tests for prod-safety/no-mock-providers. */
import { fixture } from "../testing/fixture.ts";
import { testPolicy } from "../testing/policy-tester.ts";
import policy from "./no-mock-providers.ts";

testPolicy({
  policy,
  valid: [
    { name: "real providers", config: fixture() },
    {
      name: "an unused mock provider",
      config: fixture((d) => {
        d.providers.fake = { kind: "mock" };
      }),
    },
  ],
  invalid: [
    {
      name: "a provider overridden to mock reached by primary and long-context",
      config: fixture((d) => {
        d.providers.anthropicEu = { kind: "mock" };
      }),
      errors: [
        {
          messageId: "mock",
          node: { kind: "route", id: "chat", path: ["fallback", 0] },
          message: "route chat reaches model claude on mock provider anthropicEu through fallback step 1 (tier frontier)",
        },
        { messageId: "mock", node: { kind: "route", id: "chat", path: ["longContext", "use"] } },
      ],
    },
  ],
});
