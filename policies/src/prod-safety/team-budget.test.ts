/** @module Tests for prod-safety/team-budget. */
import { fixture } from "../testing/fixture.ts";
import { testPolicy } from "../testing/policy-tester.ts";
import policy from "./team-budget.ts";

testPolicy({
  policy,
  valid: [
    { name: "a team with a budget", config: fixture() },
    {
      name: "no teams at all",
      config: fixture((d) => {
        d.teams = {};
      }),
    },
  ],
  invalid: [
    {
      name: "a second team without budget",
      config: fixture((d) => {
        d.teams.legal = { keys: [{ secret: "LEGAL_KEY" }], routes: ["chat"], limits: { rpm: 10 } };
      }),
      errors: [{ messageId: "missing", node: { kind: "team", id: "legal" }, message: "team legal has no budget; set `budget: { usd, per }`" }],
    },
  ],
});
