/** @module Tests for baseline/production-declared. */
import { describe, expect, it } from "vitest";
import { isProduction, looksLikeProduction } from "@switchyard/ir";
import { fixture } from "../testing/fixture.ts";
import { testPolicy } from "../testing/policy-tester.ts";
import policy from "./production-declared.ts";

describe("names that read as production", () => {
  it("match prod, production, prd and live, alone or as a part", () => {
    for (const name of ["prod", "production", "PRD", "live", "prod-eu", "eu_live", "prod2", "us.prod"]) expect(looksLikeProduction(name), name).toBe(true);
    for (const name of ["dev", "staging", "preprod", "product", "delivery", "default", "liveness"]) expect(looksLikeProduction(name), name).toBe(false);
  });
  it("a declared flag wins over the name", () => {
    expect(isProduction({ environment: "live", production: true })).toBe(true);
    expect(isProduction({ environment: "prod", production: false })).toBe(false);
    expect(isProduction({ environment: "edge", production: true })).toBe(true);
    expect(isProduction({ environment: "prod" })).toBe(true);
  });
});

const withEnvironment = (environment: string, production?: boolean) =>
  fixture((d) => {
    d.environment = environment;
    if (production === undefined) delete d.production;
    else d.production = production;
  });

testPolicy({
  policy,
  valid: [
    { name: "prod declares production", config: withEnvironment("prod", true) },
    { name: "live declares it is not production", config: withEnvironment("live", false) },
    { name: "staging need not declare anything", config: withEnvironment("staging") },
    { name: "an environment of any name may declare production", config: withEnvironment("edge", true) },
  ],
  invalid: [
    {
      name: "live without a declaration",
      config: withEnvironment("live"),
      errors: [
        {
          messageId: "undeclared",
          node: { kind: "environment", id: "live" },
          message:
            "environment live is named like production but does not declare it; set `environments.live.production: true` (or `false` if it is not production)",
        },
      ],
    },
    {
      name: "prod-eu without a declaration",
      config: withEnvironment("prod-eu"),
      errors: [{ messageId: "undeclared", node: { kind: "environment", id: "prod-eu" } }],
    },
  ],
});
