/** @module Type tests for the policy API: options and message ids are checked where a policy is written. */
import { describe, expectTypeOf, it } from "vitest";
import { definePack, definePolicy, type Policy, type PolicyPack } from "@switchyard/policies";

describe("definePolicy", () => {
  it("types options from defaultOptions and message ids from messages", () => {
    const policy = definePolicy({
      id: "acme/example",
      description: "d",
      rationale: "r",
      defaultSeverity: "warning",
      messages: { missing: "route {{route}} is missing", extra: "x" },
      defaultOptions: { limit: 5 },
      check({ options, report }) {
        expectTypeOf(options.limit).toEqualTypeOf<number>();
        report({ node: { kind: "route", id: "r" }, messageId: "missing", data: { route: "r" } });
        // @ts-expect-error a misspelt message id is a type error
        report({ node: { kind: "route", id: "r" }, messageId: "mising" });
        // @ts-expect-error "router" is not a node kind
        report({ node: { kind: "router", id: "r" }, messageId: "extra" });
      },
    });
    expectTypeOf(policy).toEqualTypeOf<Policy<{ limit: number }, "missing" | "extra">>();
    // A pack holds policies with different options and message ids.
    expectTypeOf(definePack({ id: "acme", description: "d", policies: [policy] })).toEqualTypeOf<PolicyPack>();
  });

  it("rejects an unknown severity and options that are not an object", () => {
    definePolicy({
      id: "acme/x",
      description: "d",
      rationale: "r",
      // @ts-expect-error severities are error | warning | off
      defaultSeverity: "fatal",
      messages: { m: "m" },
      defaultOptions: {},
      check() {},
    });
    definePolicy({
      id: "acme/y",
      description: "d",
      rationale: "r",
      defaultSeverity: "error",
      messages: { m: "m" },
      // @ts-expect-error options are an object of named values
      defaultOptions: 5,
      check() {},
    });
  });
});
