/** @module Tests for baseline/fallback-required. */
import { fixture } from "../testing/fixture.ts";
import { testPolicy } from "../testing/policy-tester.ts";
import policy from "./fallback-required.ts";

testPolicy({
  policy,
  valid: [
    { name: "a route with a fallback tier", config: fixture() },
    {
      name: "a route with a fallback model",
      config: fixture((d) => {
        d.routes.chat!.fallback = [{ model: "claude" }];
      }),
    },
  ],
  invalid: [
    {
      name: "a route without fallback",
      config: fixture((d) => {
        delete d.routes.chat!.fallback;
      }),
      errors: [
        {
          messageId: "missing",
          node: { kind: "route", id: "chat", path: ["fallback"] },
          message: "route chat has no fallback chain; add `fallback: [...]` with a tier or model on another provider",
        },
      ],
    },
    {
      name: "an empty chain, on the second of two routes",
      config: fixture((d) => {
        d.routes.other = { model: "mini", fallback: [] };
      }),
      errors: [{ messageId: "missing", node: { kind: "route", id: "other", path: ["fallback"] } }],
    },
  ],
});
