/**
 * @module @switchyard/policies — the policy API, the engine and the built-in packs.
 *
 * @example
 * import { runPolicies } from "@switchyard/policies";
 * const findings = runPolicies({ config, environment: "prod", selections: config.policies, packs: {}, now: new Date() });
 */
import type { PolicyPack } from "./define.ts";
import { type PolicyFinding, type RunPoliciesInput, runPolicies as runWith } from "./engine.ts";
import baseline from "./baseline/index.ts";
import costGuard from "./cost-guard/index.ts";
import euResidency from "./eu-residency/index.ts";
import prodSafety from "./prod-safety/index.ts";

export { definePolicy, definePack, type NodeRef, type OptionsSchema, type Policy, type PolicyContext, type PolicyPack, type PolicyReport } from "./define.ts";
export { ENGINE_POLICY_IDS, effectiveSeverity, renderMessage, shortName, type PolicyFinding, type RunPoliciesInput } from "./engine.ts";
export { chainPricePer1M, expectedPricePer1M, modelPricePer1M, type ChainPrice, type PriceMix } from "./cost-guard/price-ceiling.ts";
// The chain walks the built-in policies use, for custom packs (names are stable: docs/policies.md "Walking a route's chain").
export {
  describeStep,
  formatInt,
  groupBySteps,
  listOf,
  primaryTarget,
  routeReach,
  routeBranches,
  type Branch,
  routesByModel,
  targetModels,
  targetName,
  tierSuffix,
  type Reach,
  type ReachKind,
  type StepReach,
} from "./graph.ts";

/** The packs shipped with Switchyard, by the id a selection names. */
export const builtinPacks: Record<string, PolicyPack> = {
  baseline,
  "eu-residency": euResidency,
  "prod-safety": prodSafety,
  "cost-guard": costGuard,
};

/**
 * Run the selected packs over a compiled config. Pure; never throws. `packs` holds user packs by the
 * string their selection names (e.g. `"./policies/acme.ts"`) and is merged over `builtinPacks`, so
 * callers pass only what they loaded. See `engine.ts` for how unknown packs, severities, options and
 * crashing policies become findings.
 */
export function runPolicies(input: RunPoliciesInput): PolicyFinding[] {
  return runWith(input, builtinPacks);
}
