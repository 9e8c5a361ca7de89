/** @module The dashboard's live aggregator: a TraceSink keeping rolling-window counts per route, model and team. */
import type { TraceRecord, TraceSink } from "../telemetry/types.ts";

export interface LiveStatsOptions {
  /** How far back the live figures reach, ms. Default 5 minutes. */
  windowMs?: number;
  /** Bucket width, ms: old buckets drop off whole. Default 10 s. */
  bucketMs?: number;
  /** Latency samples kept per model per bucket (a ring; enough for p95 without unbounded memory). Default 512. */
  samplesPerBucket?: number;
  /** Width of one time-series bucket (the dashboard's last-hour charts), ms. Default 1 minute. */
  seriesBucketMs?: number;
  /** Time-series buckets kept (the oldest drops off whole). Default 60: the last hour. */
  seriesBuckets?: number;
  /** Request latencies kept per route per series bucket for its p95 (a ring). Default 64. */
  seriesSamples?: number;
  /** Injected clock, epoch ms. */
  now?: () => number;
}

/** One route in one time-series bucket: what the last-hour charts plot. */
export interface SeriesRouteBucket {
  requests: number;
  errors: number;
  fallbacks: number;
  /** Spend, USD (the records' costUsd). */
  costUsd: number;
  /** Whole-request latency of answered requests, ms (ring of seriesSamples). */
  latencies: number[];
  next: number;
}

/** One time-series bucket: routes and teams in [start, start + seriesBucketMs). */
export interface SeriesBucket {
  start: number;
  routes: Map<string, SeriesRouteBucket>;
  teams: Map<string, TeamBucket>;
}

/** The raw last-hour series, as readLiveSeries (live-view.ts) lays it out. */
export interface LiveSeriesWindow {
  bucketMs: number;
  buckets: number;
  /** Oldest first. */
  series: readonly SeriesBucket[];
}

export interface RouteBucket {
  requests: number;
  errors: number;
  /** Requests that tried at least one fallback step. */
  fallbacks: number;
  canary: number;
  /** Successful requests by the model that answered. */
  answered: Map<string, number>;
  /** Fallbacks by why they happened, e.g. `5xx on gpt-mini`. */
  reasons: Map<string, number>;
  /** The response cache's results (requests on a route with a `cache`); undefined until one is seen. */
  cache: CacheCounts | undefined;
}

/** What a route's response cache did with its requests, and what its hits would have cost (USD). */
export interface CacheCounts {
  hits: number;
  misses: number;
  bypass: number;
  savedUsd: number;
}

export interface ModelBucket {
  attempts: number;
  errors: number;
  /** Latency of successful attempts, ms (ring of samplesPerBucket). */
  latencies: number[];
  next: number;
}

export interface TeamBucket {
  requests: number;
  costUsd: number;
}

/** One bucket of the window: counts of the records written in [start, start + bucketMs). */
export interface Bucket {
  start: number;
  routes: Map<string, RouteBucket>;
  models: Map<string, ModelBucket>;
  teams: Map<string, TeamBucket>;
}

/** Rolling-window figures of one route, as read by the snapshot builder. */
export interface RouteStats {
  requests: number;
  errors: number;
  fallbacks: number;
  canary: number;
  answered: Record<string, number>;
  reasons: Record<string, number>;
  /** Absent: no request of the route went through a response cache in the window. */
  cache?: CacheCounts;
}

export interface ModelStats {
  attempts: number;
  errors: number;
  /** Undefined before any successful attempt in the window. */
  p50Ms: number | undefined;
  p95Ms: number | undefined;
}

export interface TeamStats {
  /** In the window. */
  requests: number;
  costUsd: number;
  /** Since the aggregator started (the spend figure when the state store keeps no budgets). */
  totalCostUsd: number;
}

/** What the aggregator knows at one instant; plain JSON. */
export interface LiveStatsView {
  windowMs: number;
  /** Epoch ms the aggregator started (records before it are unknown). */
  since: number;
  requests: number;
  routes: Record<string, RouteStats>;
  models: Record<string, ModelStats>;
  teams: Record<string, TeamStats>;
}

/** The raw window LiveStats keeps, as readLiveStats (live-view.ts) aggregates it. Read-only to its readers. */
export interface LiveWindow {
  windowMs: number;
  since: number;
  buckets: readonly Bucket[];
  /** Spend per team since the aggregator started. */
  totalCost: ReadonlyMap<string, number>;
}

/** Keys come from the config through the trace record; the cap only guards against a runaway producer. */
const MAX_KEYS = 2_000;
/** Routes and teams per time-series bucket: with 60 buckets and 64 samples, at most ~4 MB of latencies. */
const MAX_SERIES_KEYS = 200;

/**
 * A TraceSink that keeps the last few minutes of traffic in fixed buckets: per route the live split of
 * answering models, canary share, errors and fallbacks with their reasons; per model attempts, errors and
 * latency samples; per team requests and spend. `write` is O(attempts) and never throws. It only records:
 * readLiveStats (live-view.ts) sums the window when the dashboard is read, so in router.mjs that code
 * ships in the dashboard's compressed chunk while this class, on the request path, is in the core.
 *
 * @example
 * const stats = new LiveStats({ now: Date.now });
 * sinks.push(stats);            // the router fans every TraceRecord into it
 * readLiveStats(stats, Date.now()).routes["chat"]?.answered // → { "gpt-mini": 70, "gpt-mini-eu": 30 }
 */
export class LiveStats implements TraceSink {
  readonly windowMs: number;
  readonly bucketMs: number;
  readonly #samples: number;
  readonly #now: () => number;
  readonly #since: number;
  readonly #buckets: Bucket[] = [];
  readonly #totalCost = new Map<string, number>();
  readonly seriesBucketMs: number;
  readonly seriesBuckets: number;
  readonly #seriesSamples: number;
  readonly #series: SeriesBucket[] = [];

  constructor(options: LiveStatsOptions = {}) {
    this.windowMs = options.windowMs ?? 5 * 60_000;
    this.bucketMs = options.bucketMs ?? 10_000;
    this.#samples = options.samplesPerBucket ?? 512;
    this.seriesBucketMs = options.seriesBucketMs ?? 60_000;
    this.seriesBuckets = options.seriesBuckets ?? 60;
    this.#seriesSamples = options.seriesSamples ?? 64;
    this.#now = options.now ?? Date.now;
    this.#since = this.#now();
  }

  write(record: TraceRecord): void {
    try {
      this.#add(record, this.#now());
    } catch {
      // a sink must never fail a request
    }
  }

  async close(): Promise<void> {
    this.#buckets.length = 0;
    this.#series.length = 0;
  }

  #addSeries(record: TraceRecord, now: number): void {
    const bucket = bucketAt(this.#series, now, this.seriesBucketMs, this.seriesBucketMs * this.seriesBuckets, (start) => ({
      start,
      routes: new Map(),
      teams: new Map(),
    }));
    const route = record.route === undefined ? undefined : entry(bucket.routes, record.route, newSeriesRouteBucket, MAX_SERIES_KEYS);
    if (route !== undefined) {
      route.requests++;
      route.costUsd += record.costUsd;
      if (record.outcome === "error") route.errors++;
      else ring(route, record.latencyMs, this.#seriesSamples);
      if (record.attempts.some((a) => a.reason === "fallback")) route.fallbacks++;
    }
    countTeam(bucket.teams, record, MAX_SERIES_KEYS);
  }

  #add(record: TraceRecord, now: number): void {
    this.#addSeries(record, now);
    const bucket = bucketAt(this.#buckets, now, this.bucketMs, this.windowMs, (start) => ({ start, routes: new Map(), models: new Map(), teams: new Map() }));
    if (record.route !== undefined) {
      const route = entry(bucket.routes, record.route, newRouteBucket);
      if (route !== undefined) {
        route.requests++;
        if (record.outcome === "error") route.errors++;
        if (record.canary) route.canary++;
        if (record.outcome === "ok" && record.model !== undefined) bump(route.answered, record.model);
        const cache = record.cache;
        if (cache !== undefined) {
          const counts = (route.cache ??= { hits: 0, misses: 0, bypass: 0, savedUsd: 0 });
          if (cache.status === "hit") counts.hits++;
          else if (cache.status === "miss") counts.misses++;
          else counts.bypass++;
          counts.savedUsd += cache.savedUsd ?? 0;
        }
        const index = record.attempts.findIndex((a) => a.reason === "fallback");
        if (index >= 0) {
          route.fallbacks++;
          const before = record.attempts[index - 1];
          // No attempt before the first fallback: decide() left the primary out (breaker open, residency…).
          bump(
            route.reasons,
            before === undefined ? "primary excluded" : `${record.attempts[index]?.after ?? before.errorClass ?? "error"} on ${before.model}`,
          );
        }
      }
    }
    for (const attempt of record.attempts) {
      // a client that went away says nothing about the model
      if (attempt.errorClass === "rejected") continue;
      const model = entry(bucket.models, attempt.model, newModelBucket);
      if (model === undefined) continue;
      model.attempts++;
      if (attempt.outcome === "error") model.errors++;
      else ring(model, attempt.latencyMs, this.#samples);
    }
    countTeam(bucket.teams, record, MAX_KEYS);
    if (record.team !== undefined) {
      if (this.#totalCost.size < MAX_KEYS || this.#totalCost.has(record.team))
        this.#totalCost.set(record.team, (this.#totalCost.get(record.team) ?? 0) + record.costUsd);
    }
  }

  /** The time-series buckets of the last `seriesBuckets` × `seriesBucketMs` before `now`, oldest first, for readLiveSeries (live-view.ts). */
  series(now: number = this.#now()): LiveSeriesWindow {
    prune(this.#series, now - this.seriesBucketMs * this.seriesBuckets, this.seriesBucketMs);
    return { bucketMs: this.seriesBucketMs, buckets: this.seriesBuckets, series: this.#series };
  }

  /** The buckets overlapping the window ending at `now`, oldest first, for readLiveStats (live-view.ts). */
  window(now: number = this.#now()): LiveWindow {
    prune(this.#buckets, now - this.windowMs, this.bucketMs);
    const oldest = now - this.windowMs;
    return {
      windowMs: this.windowMs,
      since: this.#since,
      buckets: this.#buckets.filter((bucket) => bucket.start + this.bucketMs > oldest),
      totalCost: this.#totalCost,
    };
  }
}

/** The bucket of `list` (oldest first) holding `now`, appended when new, after dropping the buckets older than `span`. */
function bucketAt<B extends { start: number }>(list: B[], now: number, width: number, span: number, make: (start: number) => B): B {
  const start = now - (now % width);
  const last = list[list.length - 1];
  if (last !== undefined && last.start === start) return last;
  const bucket = make(start);
  list.push(bucket);
  prune(list, now - span, width);
  return bucket;
}

/** Drop the buckets that ended by `oldest`. */
function prune(list: { start: number }[], oldest: number, width: number): void {
  let drop = 0;
  while (drop < list.length && (list[drop]?.start ?? 0) + width <= oldest) drop++;
  if (drop > 0) list.splice(0, drop);
}

/** Keep `value` in a ring of at most `max` latency samples. */
function ring(into: { latencies: number[]; next: number }, value: number, max: number): void {
  if (into.latencies.length < max) into.latencies.push(value);
  else {
    into.latencies[into.next] = value;
    into.next = (into.next + 1) % max;
  }
}

function countTeam(teams: Map<string, TeamBucket>, record: TraceRecord, max: number): void {
  const team = record.team === undefined ? undefined : entry(teams, record.team, () => ({ requests: 0, costUsd: 0 }), max);
  if (team !== undefined) {
    team.requests++;
    team.costUsd += record.costUsd;
  }
}

function newSeriesRouteBucket(): SeriesRouteBucket {
  return { requests: 0, errors: 0, fallbacks: 0, costUsd: 0, latencies: [], next: 0 };
}

function newRouteBucket(): RouteBucket {
  return { requests: 0, errors: 0, fallbacks: 0, canary: 0, answered: new Map(), reasons: new Map(), cache: undefined };
}

function newModelBucket(): ModelBucket {
  return { attempts: 0, errors: 0, latencies: [], next: 0 };
}

function entry<T>(map: Map<string, T>, key: string, create: () => T, max = MAX_KEYS): T | undefined {
  let value = map.get(key);
  if (value === undefined) {
    if (map.size >= max) return undefined;
    value = create();
    map.set(key, value);
  }
  return value;
}

function bump(map: Map<string, number>, key: string): void {
  if (map.size < MAX_KEYS || map.has(key)) map.set(key, (map.get(key) ?? 0) + 1);
}
