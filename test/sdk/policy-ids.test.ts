/**
 * @module policy-ids.test — The SDK spells out the built-in policy ids (`BuiltinPolicyId`, which editors complete in
 * `waive: [{ policy }]`) without depending on @switchyard/policies: the list below is typed as exactly that union, and
 * must equal the ids of the built-in packs, so a policy added on one side only fails here.
 */
import { describe, expect, expectTypeOf, it } from "vitest";
import { builtinPacks } from "@switchyard/policies";
import type { BuiltinPolicyId, PolicyId } from "@switchyard/sdk";

const ids = [
  "baseline/fallback-required",
  "baseline/multi-provider",
  "baseline/fallback-context",
  "baseline/owners-set",
  "baseline/no-inline-secrets",
  "baseline/deprecated-models",
  "baseline/route-has-caller",
  "baseline/production-declared",
  "baseline/prompt-variables",
  "eu-residency/eu-providers-only",
  "prod-safety/no-experimental-models",
  "prod-safety/canary-first-step",
  "prod-safety/team-budget",
  "prod-safety/team-rate-limits",
  "prod-safety/bounded-retries",
  "prod-safety/timeouts-set",
  "prod-safety/approved-providers",
  "prod-safety/no-mock-providers",
  "prod-safety/cache-scope",
  "cost-guard/price-ceiling",
] as const satisfies readonly BuiltinPolicyId[];

describe("BuiltinPolicyId", () => {
  it("is exactly the union of the listed ids, and those are the built-in packs' policies", () => {
    expectTypeOf<(typeof ids)[number]>().toEqualTypeOf<BuiltinPolicyId>();
    expectTypeOf<"acme/route-descriptions">().toMatchTypeOf<PolicyId>();
    expect([...ids].sort()).toEqual(
      Object.values(builtinPacks)
        .flatMap((pack) => pack.policies.map((policy) => policy.id))
        .sort(),
    );
  });
});
