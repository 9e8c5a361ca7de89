/** @module Governance: team budgets, rate limits and canary progression on top of the StateStore. */
export type { BudgetAlert, AttemptAdmission, AttemptTicket, AttemptClose } from "./types.ts";
export { createGovernor, BUDGET_HEADER, type Governor, type GovernorOptions } from "./governor.ts";
export { DEFAULT_RESERVED_OUTPUT_TOKENS, attemptEstimateUsd, reservedTokens } from "./estimate.ts";
export { formatResetDuration, rateLimitHeaders, retryAfterSeconds } from "./headers.ts";
export { nextCanaryStep, CanaryController, type CanaryProgress, type CanaryNext, type CanaryChange, type CanaryControllerOptions } from "./canary.ts";
