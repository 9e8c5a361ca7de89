/** @module Tests for prod-safety/timeouts-set. */
import { fixture } from "../testing/fixture.ts";
import { testPolicy } from "../testing/policy-tester.ts";
import policy from "./timeouts-set.ts";

testPolicy({
  policy,
  valid: [{ name: "both timeouts set", config: fixture() }],
  invalid: [
    {
      name: "no timeout at all",
      config: fixture((d) => {
        delete d.routes.chat!.timeout;
      }),
      errors: [
        {
          messageId: "missing-both",
          node: { kind: "route", id: "chat", path: ["timeout"] },
          message: 'route chat has no timeouts; set `timeout: { firstToken, total }` (e.g. "5s" and "60s")',
        },
      ],
    },
    {
      name: "only the first-token timeout is missing",
      config: fixture((d) => {
        d.routes.chat!.timeout = { totalMs: 20_000 };
      }),
      errors: [
        {
          messageId: "missing-first-token",
          node: { kind: "route", id: "chat", path: ["timeout"] },
          message: 'route chat has no first-token timeout; set `timeout.firstToken` (e.g. "5s")',
        },
      ],
    },
    {
      name: "only the total is missing",
      config: fixture((d) => {
        d.routes.chat!.timeout = { firstTokenMs: 2000 };
      }),
      errors: [
        {
          messageId: "missing-total",
          node: { kind: "route", id: "chat", path: ["timeout"] },
          message: 'route chat has no total timeout; set `timeout.total` (e.g. "60s")',
        },
      ],
    },
  ],
});
