/** @module MemoryStateStore: the state-store conformance suite plus its own cases. */
import { describe, expect, it } from "vitest";
import { runStateStoreConformance } from "./conformance.case.ts";
import { MemoryStateStore } from "./memory-store.ts";

runStateStoreConformance({ name: "memory", create: () => new MemoryStateStore() });

describe("MemoryStateStore", () => {
  it("takes breaker options", () => {
    const s = new MemoryStateStore({ breaker: { consecutiveFailures: 2 } });
    s.recordAttempt({ model: "m", ok: false, errorClass: "timeout", latencyMs: 1, now: 1 });
    expect(s.view(1).breaker("m").status).toBe("closed");
    s.recordAttempt({ model: "m", ok: false, errorClass: "timeout", latencyMs: 1, now: 2 });
    expect(s.view(2).breaker("m").status).toBe("open");
  });

  it("answers synchronously (the router's hot path relies on it)", () => {
    const s = new MemoryStateStore();
    const lease = s.acquire("m", 0);
    expect(lease).not.toBeInstanceOf(Promise);
    expect(s.snapshot(0)).not.toBeInstanceOf(Promise);
    const terms = { team: "t", limitUsd: 1, mode: "hard" as const, period: "day" as const, periodStart: 0, periodEnd: 86_400_000 };
    expect(s.reserveBudget({ ...terms, amountUsd: 0.1, now: 0 })).not.toBeInstanceOf(Promise);
    expect(s.settleBudget({ team: "t", id: "r1", costUsd: 0.1, now: 0 })).not.toBeInstanceOf(Promise);
    expect(s.claimBudgetAlert({ team: "t", periodStart: 0, threshold: 0.5 })).not.toBeInstanceOf(Promise);
    expect(s.takeRateLimit({ team: "t", rpm: 1, tpm: 1, tokens: 1, now: 0 })).not.toBeInstanceOf(Promise);
    expect(s.peekRateLimit({ team: "t", rpm: 1, tpm: 1, now: 0 })).not.toBeInstanceOf(Promise);
  });
});
