/** @module The jobs the load-generator process runs, and what it answers. Plain data over IPC. */

export interface Target {
  /** Full URL of the chat completions endpoint. */
  url: string;
  headers: Record<string, string>;
  /** JSON request body for a non-streaming call; the streaming variant adds `"stream": true`. */
  body: string;
  streamBody: string;
}

/** Closed loop: `connections` clients, each sending the next request when the last one answered (autocannon). */
export interface ThroughputJob {
  kind: "throughput";
  target: Target;
  connections: number;
  durationMs: number;
}

/** Open loop at a fixed rate: latency without queueing in the client (undici Pool, sub-ms timing). */
export interface PacedJob {
  kind: "paced";
  target: Target;
  ratePerSecond: number;
  durationMs: number;
  stream: boolean;
}

export type Job = ThroughputJob | PacedJob;

export interface ThroughputResult {
  kind: "throughput";
  ok2xx: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  durationSeconds: number;
  requestsPerSecond: number;
  /** autocannon's own latency percentiles, whole milliseconds. */
  p50Ms: number;
  p99Ms: number;
}

export interface PacedResult {
  kind: "paced";
  sent: number;
  ok: number;
  failed: number;
  /** Replies without the upstream marker (a system answering by itself would show here). */
  unexpected: number;
  /** Milliseconds until the whole reply was read. */
  total: Percentiles;
  /** Milliseconds until the first body byte. */
  ttfb: Percentiles;
  /** Streams: milliseconds until the first content token (the mock's FIRST_TOKEN_TEXT) was read. */
  ttft: Percentiles;
  /** First failure seen, for the report. */
  firstError: string | undefined;
}

export interface Percentiles {
  p50: number;
  p90: number;
  p99: number;
  mean: number;
  count: number;
}

export type JobResult = ThroughputResult | PacedResult;

export type WorkerMessage = { id: number; result: JobResult } | { id: number; error: string };
