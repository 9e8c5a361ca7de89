/** @module Telemetry contracts: the trace record every request produces, and the sink interface that receives it. */
import type { FailureClass, RouterErrorCode } from "../errors.ts";
import type { CandidateSource, ExclusionCode } from "../core/types.ts";
import type { TraceCache } from "../cache/types.ts";

/** Bumped when a field of TraceRecord changes meaning (readers such as `switchyard report` check it). */
export const TRACE_SCHEMA_VERSION = 1 as const;

/**
 * Why an attempt happened: the plan's first choice (`primary`, `canary`, `long-context`), another try
 * on the same candidate (`retry`), or the next candidate after the previous one failed (`fallback`).
 */
export type AttemptReason = "primary" | "canary" | "long-context" | "retry" | "fallback";

/** One candidate of the plan, as decided (before any attempt). */
export interface TraceCandidate {
  model: string;
  provider: string;
  /** 0 for the primary target, n for the n-th fallback step. */
  step: number;
  source: CandidateSource;
  tier: string | undefined;
  /** decide()'s human-readable reason, e.g. "weighted pick (70 of 100)". */
  reason: string;
}

/**
 * A model decide() left out of the plan, and why (an open breaker, residency, a missing capability, the context
 * window…): what explains a fallback that was never tried, or a `no_candidates` refusal.
 */
export interface TraceExclusion {
  model: string;
  /** The step (0 primary, n the n-th fallback) the model was left out of. */
  step: number;
  code: ExclusionCode;
  /** decide()'s words, e.g. "circuit breaker open". */
  reason: string;
}

/** One upstream attempt. Never holds a key, a prompt or a completion. */
export interface TraceAttempt {
  model: string;
  provider: string;
  /** The provider's region from the config (undefined when the config names none). */
  region: string | undefined;
  /** The candidate's position in the plan (0 = primary). */
  step: number;
  /** 1-based attempt number on this candidate. */
  attempt: number;
  outcome: "ok" | "error";
  errorClass: FailureClass | undefined;
  /** Upstream HTTP status, when the upstream answered. */
  status: number | undefined;
  latencyMs: number;
  /** Time to the first token (streams: first substantive chunk; non-streaming: the whole answer). */
  ttftMs: number | undefined;
  reason: AttemptReason;
  /** For `retry`/`fallback`: the failure class of the attempt before that caused this one. */
  after: FailureClass | undefined;
}

/** Validator outcome of the request: no validators on the route, the answer passed, or answers failed them. */
export type ValidationOutcome = "none" | "passed" | "failed";

/**
 * One record per chat request, success or failure (including 4xx refused before routing: 400, 401,
 * 403, 404, 413, 429). Costs are USD from the catalog price of the answering model.
 */
export interface TraceRecord {
  v: typeof TRACE_SCHEMA_VERSION;
  requestId: string;
  /** ISO-8601 time the request arrived. */
  time: string;
  environment: string;
  /** The active release hash (`x-switchyard-config-version`). */
  configVersion: string;
  /** The route as configured; undefined when the request named no known route (never user input). */
  route: string | undefined;
  team: string | undefined;
  /** HTTP status sent to the client (200 for a stream that started, even if it failed later). */
  status: number;
  outcome: "ok" | "error";
  /** The router's error code when outcome is `error` (or `stream_interrupted` after a started stream). */
  errorCode: RouterErrorCode | "stream_interrupted" | "client_gone" | undefined;
  stream: boolean;
  /** The plan's candidates in order (empty when the request never reached decide()). */
  candidates: TraceCandidate[];
  attempts: TraceAttempt[];
  /** The model and provider that answered. */
  model: string | undefined;
  provider: string | undefined;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  /** True when the canary model was chosen for this request. */
  canary: boolean;
  /** True when the answer came from a fallback step (step > 0). */
  fallback: boolean;
  /** Attempts beyond the first on the same candidate. */
  retries: number;
  validation: ValidationOutcome;
  /** Whole request, ms. */
  latencyMs: number;
  /** Time to first token of the answering attempt, ms. */
  ttftMs: number | undefined;
  /** The caller's W3C `traceparent` header, when valid: the OTLP request span joins the caller's trace. */
  traceparent?: string;
  /**
   * The caller's region hint (`x-switchyard-region`), when it sent one that reads as a region id: what decide()
   * preferred, and what `switchyard simulate` replays the request with.
   */
  region?: string;
  /** Of inputTokens, those read from the provider's prompt cache, when it reported them (priced at `price.cachedInput`). */
  cachedInputTokens?: number;
  /** Of inputTokens, those written to the prompt cache (Anthropic), when reported (priced at `price.cacheWrite`). */
  cacheWriteTokens?: number;
  /** Of outputTokens, those spent on reasoning, when reported. */
  reasoningTokens?: number;
  /** The request's `user` (OpenAI's end-user id), cut to 256 characters. */
  user?: string;
  /** The inbound API the client spoke, when not Chat Completions: `responses`, `messages`, `embeddings`. */
  api?: string;
  /** The request's `metadata` (OpenAI's string map: at most 16 pairs, checked when read). */
  metadata?: Record<string, string>;
  /** The caller's `x-switchyard-tags` (at most 10 `key:value`), for `switchyard report --by tag`. Never a metric label. */
  tags?: Record<string, string>;
  /**
   * Routes with a `cache`: `hit` (answered from the cache: no attempt, $0; `savedUsd` what the answer cost when made),
   * `miss` (looked up, answered fresh) or `bypass` (not looked up: `reason` no-store, no-cache or sampled).
   */
  cache?: TraceCache;
  /** The prompt the request named (`prompt` or `x-switchyard-prompt`): its id, the version rendered (12 hex digits of its text's SHA-256) and, under a prompt canary, the arm drawn. */
  prompt?: { id: string; version: string; arm?: "canary" | "baseline" };
  // What `when` rules read and chose (issue 24), so `switchyard simulate` can replay requests through rules.
  /** The 1-based `when` rule whose target replaced the route's primary (absent: none matched, or the route has none). */
  rule?: number;
  /** The request's complexity score (0-100), when the route's rules test complexity (the router scores only then). */
  complexity?: number;
  /** Capabilities the request needed (`tools`, `vision`, `json`), when any. */
  requires?: string[];
  /** The models decide() left out, when any (also when it refused the request: `no_candidates`). */
  excluded?: TraceExclusion[];
  /** Only when the route sets `logPayloads: true`: the request messages and the answer text. */
  payload?: { messages: unknown; completion: string | undefined };
}

/**
 * A decision the router made that is not a request: a canary promoted to its next step or rolled back,
 * and why. Written by the replica whose controller made it (with shared state, the lease holder: one
 * event per decision across replicas). In a JSONL trace file it is a line with a `kind`; readers of
 * request records (`switchyard report`, `switchyard simulate`) skip such lines.
 */
export interface CanaryTraceEvent {
  v: typeof TRACE_SCHEMA_VERSION;
  kind: "canary";
  /** ISO-8601 time of the decision. */
  time: string;
  environment: string;
  /** The active release hash when the decision was made. */
  configVersion: string;
  route: string;
  /** The canary model. */
  model: string;
  /** `advance`: promoted to the next step; `rollback`: back to 0 %. */
  action: "advance" | "rollback";
  /** The step now in force (-1 once rolled back), and its traffic share in percent. */
  step: number;
  percent: number;
  /** The guard's verdict in words, as /admin/state and `switchyard release status` show it. */
  reason: string;
}

/** Events a sink may receive besides request records. */
export type TraceEvent = CanaryTraceEvent;

/**
 * Where trace records go. `write` is called on the request path and must never block or throw
 * (buffer and export in the background); `close` flushes what it can and releases resources.
 * `event`, when a sink has it, receives the router's decisions (canary promotions and rollbacks) under the same rules.
 */
export interface TraceSink {
  write(record: TraceRecord): void;
  event?(event: TraceEvent): void;
  close(): Promise<void>;
}
