/** @module The stream client's job and its answer: plain data over IPC between `streams/run.ts` and `client-worker.ts`. */
import type { Percentiles } from "../load/jobs.ts";

export interface StreamJob {
  /** Full URL of the chat completions endpoint. */
  url: string;
  headers: Record<string, string>;
  /** The JSON body; `{ID}` is replaced by the stream's id (the upstream reads it back from the last message). */
  bodyTemplate: string;
  /** Prefix of the stream ids (and `x-request-id`s) of this job, unique per run. */
  idPrefix: string;
  streams: number;
  /** Streams start evenly over this many ms (a burst of thousands of connects would overflow accept queues). */
  rampMs: number;
  /** Content chunks a complete stream carries. */
  expectChunks: number;
  /** Share of streams the client abandons part-way (socket destroyed), at a uniform time in `abortWindowMs` after its start. */
  abortShare: number;
  abortWindowMs: [number, number];
  /** A stream not ended by then is a failure. */
  deadlineMs: number;
  seed: number;
}

export interface StreamJobResult {
  streams: number;
  /** 200, every chunk, `[DONE]`. */
  ok: number;
  /** Abandoned by the client on purpose. */
  aborted: number;
  /** Failures by cause ("HTTP 502", "socket ECONNRESET", "chunks missing", "deadline", …). */
  failures: Record<string, number>;
  firstError: string | undefined;
  /** Content chunks read, all streams. */
  chunks: number;
  maxOpen: number;
  /** Socket created → connected (a dropped SYN shows here as ~1 s, 3 s… of retransmission). */
  connectMs: Percentiles;
  /** Socket created → response head read. */
  ttfbMs: Percentiles;
  /** Per chunk after a stream's first: (gap between its arrival and the previous chunk's) − (gap between their upstream write times). */
  addedGapMs: Percentiles;
  /** Per chunk: arrival − upstream write time (the path through the system plus the client's own lag). */
  transitMs: Percentiles;
  /** The client's own event-loop delay over the job. */
  clientEldMs: { p50: number; p99: number; max: number };
  clientCpuMs: number;
  /** The streams abandoned, with when (µs, CLOCK_MONOTONIC). */
  aborts: { id: string; atUs: number }[];
  startedAtUs: number;
  endedAtUs: number;
}
