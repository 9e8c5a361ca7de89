/** @module MemoryHealthStore's breakersClosed(): always equal to reading every breaker, over random event sequences. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MemoryHealthStore } from "./memory/health.ts";

const NO_CANARIES = { canaryPercent: () => 0 };

const MODELS = ["a", "b", "c"] as const;
const event = fc.record({
  model: fc.constantFrom(...MODELS),
  kind: fc.constantFrom("ok", "fail", "probe-ok", "probe-fail", "acquire"),
  advanceMs: fc.integer({ min: 0, max: 8_000 }),
});

function allPlainClosed(store: MemoryHealthStore, now: number): boolean {
  const view = store.view(now, NO_CANARIES);
  return MODELS.every((m) => {
    const b = view.breaker(m);
    return b.status === "closed" && (b.weight === undefined || b.weight >= 1);
  });
}

describe("MemoryHealthStore.view().breakersClosed()", () => {
  it("is true for a fresh store", () => {
    expect(new MemoryHealthStore().view(0, NO_CANARIES).breakersClosed?.()).toBe(true);
  });

  it("turns false when a breaker opens and true again only once it has recovered and left slow start", () => {
    const s = new MemoryHealthStore({ breaker: { consecutiveFailures: 1, cooldownMs: 1_000, slowStartMs: 5_000 } });
    s.recordAttempt({ model: "a", ok: true, errorClass: undefined, latencyMs: 1, now: 0 });
    expect(s.view(0, NO_CANARIES).breakersClosed?.()).toBe(true);
    s.recordAttempt({ model: "a", ok: false, errorClass: "timeout", latencyMs: 1, now: 10 });
    expect(s.view(10, NO_CANARIES).breakersClosed?.()).toBe(false);
    expect(s.view(60_000, NO_CANARIES).breakersClosed?.()).toBe(false); // half-open by then: still not plainly closed
    s.recordAttempt({ model: "a", ok: true, errorClass: undefined, latencyMs: 1, now: 2_000, probe: true });
    expect(s.view(2_000, NO_CANARIES).breaker("a").status).toBe("closed");
    expect(s.view(2_000, NO_CANARIES).breakersClosed?.()).toBe(false); // slow start
    expect(s.view(7_000, NO_CANARIES).breakersClosed?.()).toBe(true);
  });

  it("equals reading every breaker, after any sequence of results and probes, now and later", () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 40 }), (events) => {
        const s = new MemoryHealthStore({ breaker: { consecutiveFailures: 2, cooldownMs: 3_000, slowStartMs: 6_000 } });
        let now = 1_000_000;
        for (const e of events) {
          now += e.advanceMs;
          if (e.kind === "acquire")
            void s.acquire(e.model, now).release(); // a memory lease releases synchronously
          else {
            const ok = e.kind === "ok" || e.kind === "probe-ok";
            s.recordAttempt({ model: e.model, ok, errorClass: ok ? undefined : "other", latencyMs: 5, now, probe: e.kind.startsWith("probe") });
          }
          for (const t of [now, now + 3_000, now + 6_000, now + 60_000]) expect(s.view(t, NO_CANARIES).breakersClosed?.()).toBe(allPlainClosed(s, t));
        }
      }),
      { numRuns: 300, seed: 20261127 },
    );
  });
});
