/** @module Tests for baseline/route-has-caller. */
import { fixture } from "../testing/fixture.ts";
import { testPolicy } from "../testing/policy-tester.ts";
import policy from "./route-has-caller.ts";

testPolicy({
  policy,
  valid: [
    { name: "every route is listed by a team with a key", config: fixture() },
    {
      name: "a config without teams is an open router",
      config: fixture((d) => {
        d.teams = {};
        d.routes.other = { model: "mini", fallback: [{ model: "claude" }] };
      }),
    },
  ],
  invalid: [
    {
      name: "a route no team lists",
      config: fixture((d) => {
        d.routes.orphan = { model: "mini", fallback: [{ model: "claude" }] };
      }),
      errors: [
        {
          messageId: "no-team",
          node: { kind: "route", id: "orphan" },
          message: "route orphan is listed by no team, so no caller can use it; add it to a team's `routes` or remove it",
        },
      ],
    },
    {
      name: "a route listed only by a team without keys",
      config: fixture((d) => {
        d.routes.internal = { model: "mini", fallback: [{ model: "claude" }] };
        d.teams.batch = { keys: [], routes: ["internal"], budget: { usd: 10 } };
      }),
      errors: [{ messageId: "no-key", node: { kind: "route", id: "internal" }, message: /listed only by team batch, which has no key/ }],
    },
  ],
});
