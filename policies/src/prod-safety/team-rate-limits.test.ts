/** @module Tests for prod-safety/team-rate-limits. */
import { fixture } from "../testing/fixture.ts";
import { testPolicy } from "../testing/policy-tester.ts";
import policy from "./team-rate-limits.ts";

testPolicy({
  policy,
  valid: [
    { name: "rpm set", config: fixture() },
    {
      name: "tpm alone is enough",
      config: fixture((d) => {
        d.teams.support!.limits = { tpm: 100_000 };
      }),
    },
  ],
  invalid: [
    {
      name: "no limits",
      config: fixture((d) => {
        delete d.teams.support!.limits;
      }),
      errors: [
        {
          messageId: "missing",
          node: { kind: "team", id: "support", path: ["limits"] },
          message: "team support has no rate limits; set `limits: { rpm, tpm }`",
        },
      ],
    },
    {
      name: "an empty limits object",
      config: fixture((d) => {
        d.teams.support!.limits = {};
      }),
      errors: [{ messageId: "missing", node: { kind: "team", id: "support", path: ["limits"] } }],
    },
  ],
});
