/** @module Tests for baseline/owners-set. */
import { fixture } from "../testing/fixture.ts";
import { testPolicy } from "../testing/policy-tester.ts";
import policy from "./owners-set.ts";

testPolicy({
  policy,
  valid: [{ name: "owners everywhere", config: fixture() }],
  invalid: [
    {
      name: "a model and a route without owner (warning by default)",
      config: fixture((d) => {
        delete d.models.claude!.owner;
        delete d.routes.chat!.owner;
      }),
      errors: [
        {
          messageId: "model",
          node: { kind: "model", id: "claude" },
          severity: "warning",
          message: "model claude has no owner; set `owner` to the team responsible for it",
        },
        {
          messageId: "route",
          node: { kind: "route", id: "chat" },
          severity: "warning",
          message: "route chat has no owner; set `owner` to the team responsible for it",
        },
      ],
    },
    {
      name: "prod raises it to error",
      config: fixture((d) => {
        delete d.routes.chat!.owner;
      }),
      severities: { "baseline/owners-set": "error" },
      environment: "prod",
      errors: [{ messageId: "route", node: { kind: "route", id: "chat" }, severity: "error" }],
    },
  ],
});
