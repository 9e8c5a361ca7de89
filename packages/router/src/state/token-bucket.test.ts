/** @module Unit tests of the per-minute token bucket: refill, waiting time, oversized amounts, resizing. */
import { describe, expect, it } from "vitest";
import { bucketSnapshot, fullBucket, msUntil, refill, take } from "./token-bucket.ts";

describe("token bucket", () => {
  it("refills at capacity per minute, never above capacity", () => {
    const b = take(fullBucket(60, 0), 60);
    expect(refill(b, 60, 1_000).level).toBeCloseTo(1);
    expect(refill(b, 60, 30_000).level).toBeCloseTo(30);
    expect(refill(b, 60, 600_000).level).toBe(60);
  });

  it("time going backwards refills nothing and does not rewind", () => {
    const b = refill(take(fullBucket(60, 10_000), 10), 60, 5_000);
    expect(b.level).toBe(50);
    expect(b.at).toBe(10_000);
  });

  it("says how long until an amount is available", () => {
    const b = take(fullBucket(600, 0), 600);
    expect(msUntil(b, 1)).toBe(100);
    expect(msUntil(b, 600)).toBe(60_000);
    expect(msUntil(fullBucket(600, 0), 600)).toBe(0);
  });

  it("an amount above capacity waits for a full bucket, not forever", () => {
    const b = take(fullBucket(100, 0), 50);
    expect(msUntil(b, 1_000)).toBe(30_000);
    expect(msUntil(fullBucket(100, 0), 1_000)).toBe(0);
  });

  it("a capacity of 0 never grants", () => {
    expect(msUntil(fullBucket(0, 0), 1)).toBe(Number.POSITIVE_INFINITY);
  });

  it("resizing keeps the level, clamped to the new capacity", () => {
    const b = take(fullBucket(100, 0), 30);
    expect(refill(b, 50, 0).level).toBe(50);
    expect(refill(b, 200, 0).level).toBe(70);
  });

  it("snapshots whole units remaining and time to full", () => {
    expect(bucketSnapshot(take(fullBucket(60, 0), 1.5))).toEqual({ capacity: 60, remaining: 58, resetMs: 1_500 });
    expect(bucketSnapshot({ capacity: 60, level: -5, at: 0 })).toEqual({ capacity: 60, remaining: 0, resetMs: 65_000 });
  });
});
