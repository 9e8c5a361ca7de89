/**
 * @module Replica-local stores a Redis store falls back to in "serve-local" mode while Redis is down.
 * Temporary adapter over MemoryStateStore until the split memory stores (i19-split) land.
 */
import { MemoryStateStore } from "../memory-store.ts";
import type { BudgetStore, RateLimitStore } from "../stores.ts";

export interface LocalStores {
  budgets: BudgetStore;
  limits: RateLimitStore;
}

export function localStores(): LocalStores {
  const m = new MemoryStateStore();
  return {
    budgets: {
      reserve: (r) => m.reserveBudget(r),
      settle: (r) => m.settleBudget(r),
      claimAlert: (r) => m.claimBudgetAlert(r),
      peek: (terms) => ({ spentUsd: 0, reservedUsd: 0, limitUsd: terms.limitUsd, period: terms.period, periodStart: terms.periodStart, periodEnd: terms.periodEnd, mode: terms.mode }),
    },
    limits: {
      take: (r) => m.takeRateLimit(r),
      adjustTokens: (r) => m.adjustRateLimitTokens(r),
      peek: (r) => m.peekRateLimit(r),
    },
  };
}
