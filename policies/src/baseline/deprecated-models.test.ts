/** @module Tests for baseline/deprecated-models (now is 2026-06-01). */
import { fixture } from "../testing/fixture.ts";
import { testPolicy } from "../testing/policy-tester.ts";
import policy from "./deprecated-models.ts";

testPolicy({
  policy,
  now: new Date("2026-06-01T12:00:00Z"),
  valid: [
    { name: "GA models, no sunset", config: fixture() },
    {
      name: "a sunset in the future",
      config: fixture((d) => {
        d.models.claude!.sunset = "2026-06-02";
      }),
    },
    {
      name: "a sunset beyond the warning window",
      config: fixture((d) => {
        d.models.claude!.sunset = "2026-07-15";
      }),
      options: { warnDaysBefore: 30 },
    },
  ],
  invalid: [
    {
      name: "a deprecated model still used by a route",
      config: fixture((d) => {
        d.models.claude!.lifecycle = "deprecated";
      }),
      errors: [
        {
          messageId: "deprecated",
          node: { kind: "model", id: "claude", path: ["lifecycle"] },
          severity: "warning",
          message: "model claude is deprecated; still used by route chat",
        },
      ],
    },
    {
      name: "a sunset date that passed today, used by two routes",
      config: fixture((d) => {
        d.models.claude!.sunset = "2026-06-01";
        d.routes.review = { model: "mini", fallback: [{ model: "claude" }] };
      }),
      errors: [
        {
          messageId: "sunset-passed",
          node: { kind: "model", id: "claude", path: ["sunset"] },
          message: "model claude passed its sunset date 2026-06-01; still used by routes chat and review",
        },
      ],
    },
    {
      name: "an unused deprecated model",
      config: fixture((d) => {
        d.models["mini-us"]!.lifecycle = "deprecated";
      }),
      errors: [
        {
          messageId: "deprecated",
          node: { kind: "model", id: "mini-us", path: ["lifecycle"] },
          message: "model mini-us is deprecated; no route uses it: remove it",
        },
      ],
    },
    {
      name: "a sunset within warnDaysBefore",
      config: fixture((d) => {
        d.models.claude!.sunset = "2026-06-15";
      }),
      options: { warnDaysBefore: 30 },
      errors: [
        {
          messageId: "sunset-soon",
          node: { kind: "model", id: "claude", path: ["sunset"] },
          message: "model claude reaches its sunset date 2026-06-15 in 14 days; still used by route chat",
        },
      ],
    },
    {
      name: "invalid options are a finding, not a crash",
      config: fixture(),
      options: { warnDaysBefore: -1 },
      errors: [
        {
          policyId: "baseline/deprecated-models",
          messageId: "invalid-options",
          node: { kind: "selection", id: "0", path: ["options", "warnDaysBefore"] },
          severity: "error",
          message: /^invalid options for policy baseline\/deprecated-models: warnDaysBefore: /,
        },
      ],
    },
  ],
});
