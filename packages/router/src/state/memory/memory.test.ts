/** @module The in-memory stores through every store conformance suite, plus what only they promise (synchronous answers). */
import { describe, expect, it } from "vitest";
import { budgetStoreConformance } from "../budgets.conformance.ts";
import { healthStoreConformance } from "../health.conformance.ts";
import { rateLimitStoreConformance } from "../limits.conformance.ts";
import { rolloutStoreConformance } from "../rollout.conformance.ts";
import { stateStoresConformance } from "../stores.conformance.ts";
import { createMemoryStateStores, MemoryBudgetStore, MemoryHealthStore, MemoryRateLimitStore, MemoryRolloutStore } from "./index.ts";

const memory =
  <S>(create: () => S) =>
  () =>
    Promise.resolve({ store: create(), close: () => Promise.resolve() });

budgetStoreConformance(
  "memory",
  memory(() => new MemoryBudgetStore()),
);
rateLimitStoreConformance(
  "memory",
  memory(() => new MemoryRateLimitStore()),
);
healthStoreConformance(
  "memory",
  memory(() => new MemoryHealthStore()),
);
rolloutStoreConformance(
  "memory",
  memory(() => new MemoryRolloutStore()),
);
stateStoresConformance(
  "memory",
  memory(() => createMemoryStateStores()),
);

describe("createMemoryStateStores", () => {
  it("is kind memory, without a release store", () => {
    const s = createMemoryStateStores();
    expect(s.kind).toBe("memory");
    expect(s.releases).toBeUndefined();
  });

  it("takes breaker options", () => {
    const s = createMemoryStateStores({ breaker: { consecutiveFailures: 2 } });
    s.health.recordAttempt({ model: "m", ok: false, errorClass: "timeout", latencyMs: 1, now: 1 });
    expect(s.view(1).breaker("m").status).toBe("closed");
    s.health.recordAttempt({ model: "m", ok: false, errorClass: "timeout", latencyMs: 1, now: 2 });
    expect(s.view(2).breaker("m").status).toBe("open");
  });

  it("answers synchronously (the router's hot path relies on it)", () => {
    const s = createMemoryStateStores();
    expect(s.health.acquire("m", 0)).not.toBeInstanceOf(Promise);
    const terms = { team: "t", limitUsd: 1, mode: "hard" as const, period: "day" as const, periodStart: 0, periodEnd: 86_400_000 };
    const r = s.budgets.reserve({ ...terms, amountUsd: 0.1, now: 0 });
    expect(r).not.toBeInstanceOf(Promise);
    expect(s.budgets.settle({ team: "t", id: r.id ?? "", costUsd: 0.1, now: 0 })).not.toBeInstanceOf(Promise);
    expect(s.budgets.claimAlert({ team: "t", periodStart: 0, threshold: 0.5 })).not.toBeInstanceOf(Promise);
    expect(s.limits.take({ team: "t", rpm: 1, tpm: 1, tokens: 1, now: 0 })).not.toBeInstanceOf(Promise);
    expect(s.limits.adjustTokens({ team: "t", rpm: 1, tpm: 1, deltaTokens: 1, now: 0 })).toBeUndefined();
    expect(s.rollout.recordCanaryAttempt("r", { model: "m", ok: true, latencyMs: 1, now: 0 })).toBeUndefined();
    expect(s.rollout.holdControllerLease("dev", "me", 1, 0)).toBe(true);
  });
});
