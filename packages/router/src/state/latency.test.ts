/** @module Latency stats: the lazily computed p95 matches a sort of the window, EWMA, window and capacity. */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { type LatencyStats, latencyOnSample, percentile95 } from "./latency.ts";

const OPTS = { alpha: 0.5, maxSamples: 8, windowMs: 1_000 };

function feed(samples: readonly (readonly [number, number])[], options = OPTS): LatencyStats | undefined {
  let s: LatencyStats | undefined;
  for (const [now, latencyMs] of samples) s = latencyOnSample(s, { latencyMs, ttftMs: undefined, now }, options);
  return s;
}

describe("latency stats", () => {
  it("percentile95 is nearest-rank and 0 for no values", () => {
    expect(percentile95([])).toBe(0);
    expect(percentile95([5])).toBe(5);
    expect(percentile95(Array.from({ length: 20 }, (_, i) => (20 - i) * 10))).toBe(190);
    expect(percentile95([3, 1, 2, 10, 100])).toBe(100);
  });

  it("EWMA, ttft EWMA and the sample count", () => {
    let s = latencyOnSample(undefined, { latencyMs: 100, ttftMs: undefined, now: 1 }, OPTS);
    expect(s).toMatchObject({ ewmaMs: 100, ttftEwmaMs: undefined, samples: 1, p95Ms: 100 });
    s = latencyOnSample(s, { latencyMs: 200, ttftMs: 40, now: 2 }, OPTS);
    expect(s).toMatchObject({ ewmaMs: 150, ttftEwmaMs: 40, samples: 2 });
    s = latencyOnSample(s, { latencyMs: 200, ttftMs: 20, now: 3 }, OPTS);
    expect(s.ttftEwmaMs).toBe(30);
  });

  it("keeps the last maxSamples samples inside the window, oldest first", () => {
    const s = feed(Array.from({ length: 12 }, (_, i) => [i, i * 10] as const));
    expect(s?.recent.map(([, ms]) => ms)).toEqual([40, 50, 60, 70, 80, 90, 100, 110]);
    expect(s?.samples).toBe(12);
    const later = latencyOnSample(s, { latencyMs: 7, ttftMs: undefined, now: 5_000 }, OPTS);
    expect(later.recent).toEqual([[5_000, 7]]);
    expect(later.p95Ms).toBe(7);
  });

  it("the p95 read after any sequence equals percentile95 of the window (cache invalidated per sample)", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 400 }), fc.integer({ min: 0, max: 5_000 })), { minLength: 1, maxLength: 40 }), (steps) => {
        let s: LatencyStats | undefined;
        let now = 0;
        const window: [number, number][] = [];
        for (const [gap, ms] of steps) {
          now += gap;
          s = latencyOnSample(s, { latencyMs: ms, ttftMs: undefined, now }, OPTS);
          window.push([now, ms]);
          const inside = window.filter(([at]) => at > now - OPTS.windowMs).slice(-OPTS.maxSamples);
          expect(s.p95Ms).toBe(percentile95(inside.map(([, v]) => v)));
        }
      }),
    );
  });

  it("carries over plain stats objects", () => {
    const plain: LatencyStats = { ewmaMs: 100, ttftEwmaMs: 10, recent: [[0, 100]], p95Ms: 100, samples: 1 };
    const s = latencyOnSample(plain, { latencyMs: 300, ttftMs: undefined, now: 10 }, OPTS);
    expect(s).toMatchObject({ ewmaMs: 200, ttftEwmaMs: 10, samples: 2, p95Ms: 300 });
    expect(s.recent).toEqual([
      [0, 100],
      [10, 300],
    ]);
  });
});
