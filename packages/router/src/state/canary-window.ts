/**
 * @module A canary guard window's running counts per arm, as pure functions.
 *
 * Every figure is a count or a sum, plus a bounded list of recent latencies, so a shared store can
 * keep one arm as a Redis hash (HINCRBY / HINCRBYFLOAT on the count fields) and a capped list
 * (LPUSH + LTRIM to CANARY_LATENCY_SAMPLES) and every replica's attempts add up in one window.
 */
import { percentile95 } from "./latency.ts";
import type { AttemptOutcome, CanaryArmWindow } from "./store.ts";

/** Which side of a canary an attempt or a feedback score belongs to. */
export type CanaryArm = "canary" | "baseline";

/** Successful latencies kept per arm for the window's p95 (the most recent ones). */
export const CANARY_LATENCY_SAMPLES = 512;

/** One arm's running counts (what a store keeps; `armWindow` derives what the guard reads). */
export interface CanaryArmCounts {
  /** Attempts that ended (client faults excluded). */
  requests: number;
  /** Failed attempts, validator rejections included. */
  errors: number;
  /** Attempts a response validator rejected. */
  validationFailures: number;
  /** Sum of the cost of successful attempts whose usage was priced, USD … */
  costUsd: number;
  /** … and how many they were. */
  costed: number;
  /** Sum of feedback scores (each 0..1) … */
  scoreSum: number;
  /** … and how many. */
  scores: number;
  /** Latencies of the most recent successful attempts, ms, oldest first (at most CANARY_LATENCY_SAMPLES). */
  latencies: number[];
}

export const emptyArmCounts = (): CanaryArmCounts => ({
  requests: 0,
  errors: 0,
  validationFailures: 0,
  costUsd: 0,
  costed: 0,
  scoreSum: 0,
  scores: 0,
  latencies: [],
});

/** Count one attempt into an arm (mutates: the counts are the store's own). Client faults are not counted. */
export function countAttempt(counts: CanaryArmCounts, outcome: AttemptOutcome): void {
  if (outcome.errorClass === "client") return;
  counts.requests++;
  if (!outcome.ok) {
    counts.errors++;
    if (outcome.errorClass === "validation") counts.validationFailures++;
    return;
  }
  counts.latencies.push(outcome.latencyMs);
  if (counts.latencies.length > CANARY_LATENCY_SAMPLES) counts.latencies.shift();
  if (outcome.costUsd !== undefined && outcome.costUsd >= 0) {
    counts.costUsd += outcome.costUsd;
    counts.costed++;
  }
}

/** Count one feedback score (0..1) into an arm. */
export function countScore(counts: CanaryArmCounts, score: number): void {
  counts.scoreSum += score;
  counts.scores++;
}

/** What the guard and `/admin/state` see of an arm: the counts with the p95 derived and means left to the reader. */
export function armWindow(counts: CanaryArmCounts): CanaryArmWindow {
  const { latencies, ...sums } = counts;
  return { ...sums, p95Ms: latencies.length === 0 ? undefined : percentile95(latencies) };
}
