/** @module Tests for testPolicy itself: a rule scoped to production gets its severity cases in its own environment, not `dev`. */
import { definePolicy } from "../define.ts";
import { fixture } from "./fixture.ts";
import { testPolicy } from "./policy-tester.ts";

// A custom rule that only applies to production environments (declared, or named so).
const prodOnly = definePolicy({
  id: "acme/prod-descriptions",
  description: "In production, every route has a description.",
  rationale: "On-call engineers read it when a production route pages them.",
  defaultSeverity: "error",
  messages: { missing: "route {{route}} has no description" },
  defaultOptions: {},
  check({ config, production, report }) {
    if (!production) return;
    for (const [id, route] of Object.entries(config.routes)) {
      if (route.description === undefined) report({ node: { kind: "route", id }, messageId: "missing", data: { route: id } });
    }
  },
});

testPolicy({
  policy: prodOnly,
  valid: [
    {
      name: "a staging environment is out of its scope",
      config: fixture((d) => {
        d.environment = "staging";
        d.production = false;
      }),
    },
  ],
  // Its "lowered to warning" and "turned off" cases run in prod too, where the rule applies.
  invalid: [{ name: "prod without descriptions", config: fixture(), errors: [{ messageId: "missing", node: { kind: "route", id: "chat" } }] }],
});
