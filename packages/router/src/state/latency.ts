/** @module Latency statistics per deployment: EWMA per sample, a windowed p95 computed only when read. */

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
  readonly ewmaMs: number;
  readonly ttftEwmaMs: number | undefined;
  /** Recent samples inside the window, oldest first: [at, ms] (a fresh array per read). */
  readonly recent: readonly (readonly [number, number])[];
  /** p95 of `recent`; computed on first read after a sample, then cached. */
  readonly p95Ms: number;
  readonly samples: number;
}

/** The 95th percentile (nearest-rank) of a list of numbers; 0 for an empty list. */
export function percentile95(values: readonly number[]): number {
  if (values.length === 0) return 0;
  return nearestRank95(Float64Array.from(values).sort(), values.length);
}

function nearestRank95(sorted: Float64Array, n: number): number {
  const rank = Math.ceil(0.95 * n) - 1;
  return sorted[Math.max(0, Math.min(n - 1, rank))] as number;
}

/**
 * Stats backed by a ring buffer of the last `maxSamples` samples. Every request folds a sample in,
 * while the p95 is read only by explanations and snapshots: sorting on every sample cost ~6 % of the
 * router's CPU under load, so the sort waits for a read and is cached until the next sample.
 */
class RingLatencyStats implements LatencyStats {
  ewmaMs: number;
  ttftEwmaMs: number | undefined;
  samples = 0;
  readonly #at: Float64Array;
  readonly #ms: Float64Array;
  /** Index of the oldest sample and how many are held. */
  #start = 0;
  #count = 0;
  #lastAt = Number.NEGATIVE_INFINITY;
  #p95: number | undefined;
  readonly #windowMs: number;

  constructor(first: number, options: LatencyOptions) {
    const size = Math.max(1, Math.floor(options.maxSamples));
    this.#at = new Float64Array(size);
    this.#ms = new Float64Array(size);
    this.#windowMs = options.windowMs;
    this.ewmaMs = first;
  }

  push(at: number, ms: number): void {
    const size = this.#at.length;
    // Samples older than the window relative to the newest one leave from the oldest end.
    while (this.#count > 0 && !(this.#at[this.#start]! > at - this.#windowMs)) {
      this.#start = (this.#start + 1) % size;
      this.#count--;
    }
    if (this.#count === size) {
      this.#start = (this.#start + 1) % size;
      this.#count--;
    }
    const slot = (this.#start + this.#count) % size;
    this.#at[slot] = at;
    this.#ms[slot] = ms;
    this.#count++;
    this.#lastAt = at;
    this.#p95 = undefined;
  }

  /** Indexes (into the ring) of the samples still inside the window, oldest first. */
  #inWindow(): number[] {
    const size = this.#at.length;
    const out: number[] = [];
    for (let i = 0; i < this.#count; i++) {
      const slot = (this.#start + i) % size;
      if (this.#at[slot]! > this.#lastAt - this.#windowMs) out.push(slot);
    }
    return out;
  }

  get recent(): readonly (readonly [number, number])[] {
    return this.#inWindow().map((slot) => [this.#at[slot]!, this.#ms[slot]!] as const);
  }

  get p95Ms(): number {
    if (this.#p95 === undefined) {
      const slots = this.#inWindow();
      const values = new Float64Array(slots.length);
      for (let i = 0; i < slots.length; i++) values[i] = this.#ms[slots[i]!]!;
      this.#p95 = slots.length === 0 ? 0 : nearestRank95(values.sort(), slots.length);
    }
    return this.#p95;
  }
}

/**
 * Fold one successful attempt's latency (and ttft, if streamed) into the stats. The stats are updated
 * in place and returned (a store keeps one per deployment; copying the sample window per request
 * would cost more than the routing decision itself): treat `stats` as consumed.
 */
export function latencyOnSample(
  stats: LatencyStats | undefined,
  sample: { latencyMs: number; ttftMs: number | undefined; now: number },
  options: LatencyOptions = DEFAULT_LATENCY_OPTIONS,
): LatencyStats {
  const { latencyMs, ttftMs, now } = sample;
  const a = options.alpha;
  let s: RingLatencyStats;
  if (stats instanceof RingLatencyStats) {
    s = stats;
    s.ewmaMs = a * latencyMs + (1 - a) * s.ewmaMs;
  } else {
    s = new RingLatencyStats(latencyMs, options);
    if (stats !== undefined) {
      // Stats from elsewhere (a plain object): carry their averages and samples over.
      s.ewmaMs = a * latencyMs + (1 - a) * stats.ewmaMs;
      s.ttftEwmaMs = stats.ttftEwmaMs;
      s.samples = stats.samples;
      for (const [at, ms] of stats.recent) s.push(at, ms);
    }
  }
  const prevTtft = s.ttftEwmaMs;
  if (ttftMs !== undefined) s.ttftEwmaMs = prevTtft === undefined ? ttftMs : a * ttftMs + (1 - a) * prevTtft;
  s.push(now, latencyMs);
  s.samples++;
  return s;
}
