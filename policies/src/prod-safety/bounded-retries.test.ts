/** @module Tests for prod-safety/bounded-retries. */
import { fixture } from "../testing/fixture.ts";
import { testPolicy } from "../testing/policy-tester.ts";
import policy from "./bounded-retries.ts";

testPolicy({
  policy,
  valid: [
    { name: "2 attempts", config: fixture() },
    {
      name: "3 attempts: at the bound",
      config: fixture((d) => {
        d.routes.chat!.retry = { attempts: 3 };
      }),
    },
    {
      name: "5 attempts under a raised bound",
      config: fixture((d) => {
        d.routes.chat!.retry = { attempts: 5 };
      }),
      options: { maxAttempts: 5 },
    },
  ],
  invalid: [
    {
      name: "4 attempts",
      config: fixture((d) => {
        d.routes.chat!.retry = { attempts: 4 };
      }),
      errors: [
        {
          messageId: "too-many",
          node: { kind: "route", id: "chat", path: ["retry", "attempts"] },
          message: "route chat retries up to 4 attempts per candidate, above the maximum of 3",
        },
      ],
    },
    {
      name: "a non-integer bound is invalid options",
      config: fixture(),
      options: { maxAttempts: 2.5 },
      errors: [
        {
          policyId: "prod-safety/bounded-retries",
          messageId: "invalid-options",
          severity: "error",
          node: { kind: "selection", id: "0", path: ["options", "maxAttempts"] },
        },
      ],
    },
  ],
});
