/** @module Unit tests of the rolling-window aggregator behind the dashboard. */
import { describe, expect, it } from "vitest";
import type { TraceAttempt, TraceRecord } from "../telemetry/types.ts";
import { LiveStats } from "./live-stats.ts";
import { quantile, readLiveStats } from "./live-view.ts";

function attempt(over: Partial<TraceAttempt> = {}): TraceAttempt {
  return {
    model: "a",
    provider: "p",
    region: undefined,
    step: 0,
    attempt: 1,
    outcome: "ok",
    errorClass: undefined,
    status: 200,
    latencyMs: 100,
    ttftMs: undefined,
    reason: "primary",
    after: undefined,
    ...over,
  };
}

function record(over: Partial<TraceRecord> = {}): TraceRecord {
  return {
    v: 1,
    requestId: "r",
    time: "2026-01-01T00:00:00.000Z",
    environment: "test",
    configVersion: "h",
    route: "chat",
    team: "t",
    status: 200,
    outcome: "ok",
    errorCode: undefined,
    stream: false,
    candidates: [],
    attempts: [attempt()],
    model: "a",
    provider: "p",
    inputTokens: 10,
    outputTokens: 5,
    costUsd: 0.01,
    canary: false,
    fallback: false,
    retries: 0,
    validation: "none",
    latencyMs: 100,
    ttftMs: undefined,
    ...over,
  };
}

describe("LiveStats", () => {
  it("counts the live split, canary share, errors and fallback reasons per route", () => {
    let t = 1_000_000;
    const stats = new LiveStats({ now: () => t });
    for (let i = 0; i < 7; i++) stats.write(record({ model: "a" }));
    for (let i = 0; i < 3; i++) stats.write(record({ model: "b", canary: true, attempts: [attempt({ model: "b" })] }));
    stats.write(
      record({
        model: "c",
        fallback: true,
        attempts: [attempt({ outcome: "error", errorClass: "5xx", latencyMs: 5 }), attempt({ model: "c", step: 1, reason: "fallback", after: "5xx" })],
      }),
    );
    // the breaker kept the primary out: the plan started at the fallback
    stats.write(record({ model: "c", fallback: true, attempts: [attempt({ model: "c", step: 1, reason: "fallback" })] }));
    stats.write(record({ outcome: "error", status: 502, model: undefined, costUsd: 0, attempts: [attempt({ outcome: "error", errorClass: "timeout" })] }));
    t += 1_000;
    const view = readLiveStats(stats, t);
    const chat = view.routes["chat"];
    expect(chat).toEqual({
      requests: 13,
      errors: 1,
      fallbacks: 2,
      canary: 3,
      answered: { a: 7, b: 3, c: 2 },
      reasons: { "5xx on a": 1, "primary excluded": 1 },
    });
    expect(view.models["a"]).toMatchObject({ attempts: 9, errors: 2, p50Ms: 100, p95Ms: 100 });
    expect(view.teams["t"]?.requests).toBe(13);
    expect(view.teams["t"]?.costUsd).toBeCloseTo(0.12, 10);
    expect(view.requests).toBe(13);
  });

  it("counts a route's cache hits, misses and bypasses and what the hits saved; a route without a cache has no cache figures", () => {
    const stats = new LiveStats({ now: () => 1_000_000 });
    for (let i = 0; i < 3; i++) stats.write(record({ route: "faq", costUsd: 0, attempts: [], cache: { status: "hit", savedUsd: 0.25 } }));
    stats.write(record({ route: "faq", cache: { status: "miss" } }));
    stats.write(record({ route: "faq", cache: { status: "bypass", reason: "no-store" } }));
    stats.write(record({ route: "chat" }));
    const view = readLiveStats(stats, 1_000_000);
    expect(view.routes["faq"]?.cache).toEqual({ hits: 3, misses: 1, bypass: 1, savedUsd: 0.75 });
    expect(view.routes["faq"]?.requests).toBe(5);
    expect(view.routes["chat"]?.cache).toBeUndefined();
  });

  it("forgets traffic older than the window but keeps total spend since start", () => {
    let t = 0;
    const stats = new LiveStats({ now: () => t, windowMs: 60_000, bucketMs: 10_000 });
    stats.write(record({ costUsd: 1 }));
    t = 30_000;
    stats.write(record({ costUsd: 2 }));
    expect(readLiveStats(stats, t).routes["chat"]?.requests).toBe(2);
    t = 65_000; // the first bucket [0, 10 s) still overlaps the window (5 s, 65 s]
    expect(readLiveStats(stats, t).routes["chat"]?.requests).toBe(2);
    t = 70_000;
    const view = readLiveStats(stats, t);
    expect(view.routes["chat"]?.requests).toBe(1);
    expect(view.teams["t"]?.costUsd).toBe(2);
    expect(view.teams["t"]?.totalCostUsd).toBe(3);
    t = 200_000;
    expect(readLiveStats(stats, t).routes["chat"]).toBeUndefined();
  });

  it("computes latency percentiles from successful attempts only and ignores clients that went away", () => {
    const stats = new LiveStats({ now: () => 0 });
    for (let i = 1; i <= 100; i++) stats.write(record({ attempts: [attempt({ latencyMs: i })] }));
    stats.write(record({ attempts: [attempt({ outcome: "error", errorClass: "timeout", latencyMs: 10_000 })] }));
    stats.write(record({ attempts: [attempt({ outcome: "error", errorClass: "rejected", latencyMs: 1 })] }));
    const a = readLiveStats(stats, 0).models["a"];
    expect(a).toEqual({ attempts: 101, errors: 1, p50Ms: 50, p95Ms: 95 });
  });

  it("keeps a bounded ring of latency samples per bucket", () => {
    const stats = new LiveStats({ now: () => 0, samplesPerBucket: 10 });
    for (let i = 0; i < 100; i++) stats.write(record({ attempts: [attempt({ latencyMs: i < 90 ? 1 : 500 })] }));
    expect(readLiveStats(stats, 0).models["a"]?.p50Ms).toBe(500);
  });

  it("never throws from write, even on a malformed record", () => {
    const stats = new LiveStats();
    expect(() => stats.write({ route: "x" } as unknown as TraceRecord)).not.toThrow();
  });

  it("quantile is nearest-rank", () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2);
    expect(quantile([1, 2, 3, 4], 0.95)).toBe(4);
    expect(quantile([7], 0.5)).toBe(7);
  });
});
