/** @module Tests of the pure circuit-breaker transitions. */
import { describe, expect, it } from "vitest";
import { breakerOnResult, breakerStatus, breakerView, breakerWeight, DEFAULT_BREAKER_OPTIONS, initialBreaker, type BreakerOptions } from "./circuit-breaker.ts";

const opts: BreakerOptions = { ...DEFAULT_BREAKER_OPTIONS, consecutiveFailures: 3, cooldownMs: 1_000, maxCooldownMs: 3_000, slowStartMs: 10_000 };

describe("circuit breaker transitions", () => {
  it("is a pure function of its inputs", () => {
    const s0 = initialBreaker(opts);
    const frozen = JSON.stringify(s0);
    breakerOnResult(s0, { ok: false, now: 1 }, opts);
    expect(JSON.stringify(s0)).toBe(frozen);
  });

  it("caps the doubling cooldown", () => {
    let s = initialBreaker(opts);
    for (let i = 0; i < 3; i++) s = breakerOnResult(s, { ok: false, now: 0 }, opts);
    let t = 0;
    const cooldowns: number[] = [];
    for (let round = 0; round < 4; round++) {
      t += s.cooldownMs;
      expect(breakerStatus(s, t)).toBe("half-open");
      s = breakerOnResult(s, { ok: false, now: t }, opts);
      cooldowns.push(s.cooldownMs);
    }
    expect(cooldowns).toEqual([2_000, 3_000, 3_000, 3_000]);
  });

  it("ignores late results while open (the cooldown stands)", () => {
    let s = initialBreaker(opts);
    for (let i = 0; i < 3; i++) s = breakerOnResult(s, { ok: false, now: 0 }, opts);
    const after = breakerOnResult(s, { ok: true, now: 10 }, opts);
    expect(after).toBe(s);
  });

  it("success after a half-open probe resets the cooldown and ramps the weight", () => {
    let s = initialBreaker(opts);
    for (let i = 0; i < 3; i++) s = breakerOnResult(s, { ok: false, now: 0 }, opts);
    s = breakerOnResult(s, { ok: false, now: 1_000 }, opts); // failed probe: cooldown 2 s
    s = breakerOnResult(s, { ok: true, now: 3_000 }, opts);
    expect(breakerStatus(s, 3_000)).toBe("closed");
    expect(s.cooldownMs).toBe(1_000);
    expect(breakerWeight(s, 3_000, opts)).toBe(opts.slowStartMinWeight);
    expect(breakerWeight(s, 8_000, opts)).toBeCloseTo(0.5);
    expect(breakerView(s, 13_000, opts)).toMatchObject({ status: "closed", weight: 1 });
  });
});
