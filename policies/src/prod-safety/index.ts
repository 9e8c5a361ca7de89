/** @module The `prod-safety` pack: guard rails for production traffic. */
import { definePack } from "../define.ts";
import approvedProviders from "./approved-providers.ts";
import boundedRetries from "./bounded-retries.ts";
import cacheScope from "./cache-scope.ts";
import canaryFirstStep from "./canary-first-step.ts";
import noExperimentalModels from "./no-experimental-models.ts";
import noMockProviders from "./no-mock-providers.ts";
import teamBudget from "./team-budget.ts";
import teamRateLimits from "./team-rate-limits.ts";
import timeoutsSet from "./timeouts-set.ts";

export default definePack({
  id: "prod-safety",
  description:
    "Guard rails for production: GA models only, small canaries, budgets and limits, bounded retries, timeouts, approved providers, team-scoped caches on confidential routes.",
  policies: [noExperimentalModels, canaryFirstStep, teamBudget, teamRateLimits, boundedRetries, timeoutsSet, approvedProviders, noMockProviders, cacheScope],
});
