/** @module Latency statistics per deployment: EWMA and a windowed p95 (pure updates). */

export interface LatencyOptions {
  /** EWMA smoothing factor per sample (0..1]; higher reacts faster. */
  alpha: number;
  /** Samples kept for the p95 (the most recent). */
  maxSamples: number;
  /** Samples older than this (relative to the newest) are left out of the p95, ms. */
  windowMs: number;
}

export const DEFAULT_LATENCY_OPTIONS: LatencyOptions = { alpha: 0.3, maxSamples: 128, windowMs: 60_000 };

export interface LatencyStats {
  ewmaMs: number;
  ttftEwmaMs: number | undefined;
  /** Recent samples, oldest first: [at, ms]. */
  recent: readonly (readonly [number, number])[];
  /** p95 of `recent`, computed on update so reads are O(1). */
  p95Ms: number;
  samples: number;
}

/** The 95th percentile (nearest-rank) of a list of numbers; 0 for an empty list. */
export function percentile95(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = values.slice().sort((a, b) => a - b);
  const rank = Math.ceil(0.95 * sorted.length) - 1;
  return sorted[Math.max(0, Math.min(sorted.length - 1, rank))] as number;
}

/** Fold one successful attempt's latency (and ttft, if streamed) into the stats. */
export function latencyOnSample(
  stats: LatencyStats | undefined,
  sample: { latencyMs: number; ttftMs: number | undefined; now: number },
  options: LatencyOptions = DEFAULT_LATENCY_OPTIONS,
): LatencyStats {
  const { latencyMs, ttftMs, now } = sample;
  const a = options.alpha;
  const ewmaMs = stats === undefined ? latencyMs : a * latencyMs + (1 - a) * stats.ewmaMs;
  const prevTtft = stats?.ttftEwmaMs;
  const ttftEwmaMs = ttftMs === undefined ? prevTtft : prevTtft === undefined ? ttftMs : a * ttftMs + (1 - a) * prevTtft;
  const recent = (stats?.recent ?? []).filter(([at]) => at > now - options.windowMs);
  recent.push([now, latencyMs]);
  while (recent.length > options.maxSamples) recent.shift();
  return { ewmaMs, ttftEwmaMs, recent, p95Ms: percentile95(recent.map(([, ms]) => ms)), samples: (stats?.samples ?? 0) + 1 };
}
