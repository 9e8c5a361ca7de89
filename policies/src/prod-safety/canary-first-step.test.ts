/** @module Tests for prod-safety/canary-first-step. */
import { fixture } from "../testing/fixture.ts";
import { testPolicy } from "../testing/policy-tester.ts";
import policy from "./canary-first-step.ts";

const canary = (steps: number[]) =>
  fixture((d) => {
    d.routes.chat!.canary = { model: "claude", steps, everyMs: 60_000, guard: { maxErrorRate: 0.05 } };
  });

testPolicy({
  policy,
  valid: [
    { name: "no canary", config: fixture() },
    { name: "first step at exactly 10 %", config: canary([10, 50, 100]) },
    { name: "25 % allowed by options", config: canary([25, 100]), options: { maxFirstCanaryStep: 25 } },
  ],
  invalid: [
    {
      name: "first step at 25 %",
      config: canary([25, 50, 100]),
      errors: [
        {
          messageId: "too-large",
          node: { kind: "route", id: "chat", path: ["canary", "steps", 0] },
          message: "route chat: canary claude starts at 25 % of traffic, above the 10 % allowed for a first step",
        },
      ],
    },
    {
      name: "a stricter ceiling from options",
      config: canary([5, 100]),
      options: { maxFirstCanaryStep: 1 },
      errors: [{ messageId: "too-large", node: { kind: "route", id: "chat", path: ["canary", "steps", 0] }, message: /above the 1 % allowed/ }],
    },
    {
      name: "a ceiling above 100 is invalid options",
      config: canary([5]),
      options: { maxFirstCanaryStep: 150 },
      errors: [
        {
          policyId: "prod-safety/canary-first-step",
          messageId: "invalid-options",
          severity: "error",
          node: { kind: "selection", id: "0", path: ["options", "maxFirstCanaryStep"] },
        },
      ],
    },
  ],
});
