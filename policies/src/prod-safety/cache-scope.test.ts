/** @module Tests for prod-safety/cache-scope. */
import { fixture } from "../testing/fixture.ts";
import { testPolicy } from "../testing/policy-tester.ts";
import policy from "./cache-scope.ts";

testPolicy({
  policy,
  valid: [
    { name: "no cache", config: fixture() },
    {
      name: "a confidential route with a team-scoped cache",
      config: fixture((d) => {
        d.routes.chat!.dataClass = "confidential";
        d.routes.chat!.cache = { ttlMs: 600_000, scope: "team" };
      }),
    },
    {
      name: "an internal route sharing its cache across the route",
      config: fixture((d) => {
        d.routes.chat!.cache = { ttlMs: 600_000, scope: "route" };
      }),
    },
  ],
  invalid: [
    {
      name: "a restricted route with a route-scoped cache",
      config: fixture((d) => {
        d.routes.chat!.dataClass = "restricted";
        d.routes.chat!.cache = { ttlMs: 600_000, scope: "route" };
      }),
      errors: [
        {
          messageId: "shared-cache",
          node: { kind: "route", id: "chat", path: ["cache", "scope"] },
          message: 'route chat is restricted but caches answers with scope "route": any team calling it may receive another team\'s answer; use scope "team"',
        },
      ],
    },
  ],
});
