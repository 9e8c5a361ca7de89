/** @module The routing core: pure decide(), route tables, strategies, token estimate, sticky buckets, plan rendering. */
export type * from "./types.ts";
export { decide, decideWithTable, routeTableFor } from "./decide.ts";
export { compileRouteTable, type RouteTable, type TableRoute, type TableTarget, type TableMember } from "./route-table.ts";
export { type Strategy, type StrategyMember, type StrategyContext, DEFAULT_EXPECTED_OUTPUT_TOKENS } from "./strategy.ts";
export { strategies, createStrategy, strategyForOptimize } from "./strategies/index.ts";
export { estimateTokens, estimateTextTokens, TOKEN_ESTIMATE, type ChatMessageLike } from "./tokens.ts";
export { chatRequestFeatures, canaryStickyKey, type ChatRequestFeatures } from "./request.ts";
export { stickyBucket, fnv1a32 } from "./sticky.ts";
export { mulberry32 } from "./rng.ts";
export { formatPlan } from "./format-plan.ts";
// Conditional rules and the complexity signal (issue 24).
export {
  complexityScore,
  complexityFeatures,
  complexityLevel,
  scoreOf,
  COMPLEXITY_WEIGHTS,
  DEFAULT_COMPLEXITY_THRESHOLDS,
  type ComplexityFeatures,
} from "./complexity.ts";
export { compileCondition, describeCondition, conditionHolds, type CompiledCondition } from "./rules.ts";
export { matchRule, ruleComplexityScore } from "./decide-rules.ts";
// Budget periods (UTC day, ISO week, calendar month): pure, shared with replays (`switchyard simulate`) so they cut periods as the router does.
export { periodBounds, type PeriodBounds } from "../state/budget-period.ts";
