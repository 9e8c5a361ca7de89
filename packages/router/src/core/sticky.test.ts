/** @module Tests of stickyBucket(): stability, range, spread, salting. */
import { describe, expect, it } from "vitest";
import { fnv1a32, stickyBucket } from "./sticky.ts";

describe("stickyBucket", () => {
  it("is stable across calls and releases (pinned values: changing the hash would move users across a canary)", () => {
    expect(fnv1a32("")).toBe(2872998923);
    expect(fnv1a32("alice")).toBe(2263979945);
    expect(stickyBucket("alice", "legal-review/claude-next")).toBeCloseTo(24.616574170067906, 10);
    expect(stickyBucket("bob", "legal-review/claude-next")).toBeCloseTo(13.320461474359035, 10);
    expect(stickyBucket("alice", "legal-review/claude-next")).toBe(stickyBucket("alice", "legal-review/claude-next"));
  });

  it("stays in [0, 100)", () => {
    for (let i = 0; i < 5_000; i++) {
      const b = stickyBucket(`user-${i}`, "salt");
      expect(b).toBeGreaterThanOrEqual(0);
      expect(b).toBeLessThan(100);
    }
  });

  it("spreads sequential keys evenly over ten deciles", () => {
    const N = 20_000;
    const deciles = new Array<number>(10).fill(0);
    for (let i = 0; i < N; i++) {
      const d = Math.floor(stickyBucket(`user-${i}`, "route/canary") / 10);
      deciles[d] = (deciles[d] ?? 0) + 1;
    }
    for (const c of deciles) expect(Math.abs(c / N - 0.1)).toBeLessThan(0.01);
  });

  it("the salt reshuffles who is in the first bucket", () => {
    const users = Array.from({ length: 2_000 }, (_, i) => `u${i}`);
    const a = new Set(users.filter((u) => stickyBucket(u, "r1/m") < 10));
    const b = users.filter((u) => stickyBucket(u, "r2/m") < 10);
    const overlap = b.filter((u) => a.has(u)).length;
    expect(overlap / b.length).toBeLessThan(0.25); // independent draws overlap ≈ 10 %
  });
});
