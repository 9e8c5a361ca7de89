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
  });
});
