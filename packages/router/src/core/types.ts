/** @module Types of the routing core: what decide() reads and what it returns. Pure data, no I/O. */
import type { Capability, Config, Strategy } from "@switchyard/ir";
import type { PlanPlacement } from "./placement.ts";

/** What decide() needs to know about one request; extracted from the HTTP body and the caller. */
export interface RoutingRequest {
  /** The route the caller named in `model`. */
  route: string;
  /** The caller's team; undefined when the config has no teams (open router). */
  team: string | undefined;
  /** Prompt tokens (estimated, see tokens.ts). */
  promptTokens: number;
  /** `max_tokens`/`max_completion_tokens` if the caller set one. */
  maxOutputTokens: number | undefined;
  /**
   * Caller's region (the trusted proxy's `x-switchyard-region`, or `router.regionHeader`); undefined: the team's
   * `region`, if any. Region-aware placement orders each target's members nearest to it first (placement.ts).
   */
  region: string | undefined;
  /** Key for sticky canary assignment (the `user` field or the configured header); undefined → per request. */
  stickyKey: string | undefined;
  /** Capabilities the request needs (tools → "tools", image parts → "vision", json response_format → "json"). */
  requires: Capability[];
  // Read by `when` rules only (issue 24; see core/rules.ts). Optional: absent = no tags, no metadata, complexity score 0.
  /** `x-switchyard-tags`, key → value. */
  tags?: Readonly<Record<string, string>>;
  /** The body's `metadata`. */
  metadata?: Readonly<Record<string, string> | null>;
  /** Complexity score 0-100 (`complexityScore(body)`); the router computes it only for routes whose rules test complexity. */
  complexity?: number;
}

export type BreakerStatus = "closed" | "open" | "half-open";

/** What the routing core sees of one model deployment's circuit breaker. */
export interface BreakerView {
  status: BreakerStatus;
  /** Epoch ms when the breaker last opened (open / half-open); may be undefined once closed. */
  openedAt: number | undefined;
  /** Slow-start multiplier in (0, 1] applied to the member's weight after recovery; omitted = 1. */
  weight?: number;
  /** Half-open only: whether another probe may be sent now (probe slots are limited); omitted = true. */
  probeAvailable?: boolean;
}

/** A read-only, synchronous view of live state; the router's StateStores provides it (`view(now)`), tests build it by hand. */
export interface RoutingState {
  breaker(model: string): BreakerView;
  /** Latency stats of a model deployment, undefined before any sample. */
  latency(model: string): { ewmaMs: number; p95Ms: number; samples: number } | undefined;
  /** Requests in flight to a model right now. */
  inFlight(model: string): number;
  /** Current canary share of a route in percent (0 when rolled back or not started). */
  canaryPercent(route: string): number;
  /**
   * Optional: true when every model's breaker() reads "closed" at full weight (none open, half-open or
   * in slow start), so decide() may skip reading each model's breaker. Omitted or false: it reads them.
   */
  breakersClosed?(): boolean;
}

export interface DecideOptions {
  /** Uniform [0, 1) random source; injected so decisions are reproducible. */
  rng: () => number;
  /** Epoch milliseconds. */
  now: number;
  /**
   * Detailed reasons (rank, weight, cost estimate, latency) for each candidate, for `switchyard explain`.
   * Off on the router's hot path, where each candidate carries its precomputed label instead.
   */
  explain?: boolean;
}

/** Why a candidate is in the plan. */
export type CandidateSource = "canary" | "primary" | "long-context" | "fallback";

export interface Candidate {
  model: string;
  provider: string;
  /** 0 for the primary target (or canary / long-context), n for the n-th fallback step. */
  step: number;
  source: CandidateSource;
  /** The tier this candidate came from, if any. */
  tier: string | undefined;
  /** Human-readable reason, e.g. "weighted pick (70 of 100)" or "fallback step 1: tier frontier". */
  reason: string;
  /** True when every candidate's breaker was open and this one is probed because it failed longest ago. */
  probe?: boolean;
}

export type ExclusionCode = "residency" | "data-class" | "lifecycle" | "capability" | "context-window" | "breaker-open" | "duplicate" | "unknown-model";

export interface Exclusion {
  model: string;
  step: number;
  code: ExclusionCode;
  reason: string;
}

export interface Plan {
  route: string;
  /** Ordered: the router tries them in this order. */
  candidates: Candidate[];
  excluded: Exclusion[];
  /** True when the canary model was chosen for this request. */
  canary: boolean;
  /** True when the long-context rule applied. */
  longContext: boolean;
  /** Non-blocking notes, e.g. a deprecated model in the plan. */
  warnings: PlanWarning[];
  /** The strategy that ordered the primary target's members (undefined for a single-model route). */
  strategy: StrategyName | undefined;
  /** The `when` rule that replaced the primary target: its 1-based number and its condition in words. Absent: none matched. */
  rule?: { index: number; condition: string; target: string };
  /** Region-aware placement: the caller's region, its source and its regions nearest first (absent: no region). */
  placement?: PlanPlacement;
}

export interface PlanWarning {
  code: "deprecated-model" | "canary-excluded";
  model: string;
  message: string;
}

/** Name of a choice strategy within a tier: the IR's `tier.strategy` (declared once, in @switchyard/ir). */
export type StrategyName = Strategy;

/**
 * `context_length_exceeded`: every model of the route was left out for its context window alone, so the
 * request itself is too long for the route (the client's error, as OpenAI answers it), not a lack of capacity.
 */
export type DecideErrorCode = "route_not_found" | "route_not_allowed" | "no_candidates" | "context_length_exceeded";

export type Decision = { ok: true; plan: Plan } | { ok: false; code: DecideErrorCode; message: string; excluded: Exclusion[] };

/** decide(config, request, state, options) → Decision; see decide.ts. */
export type Decide = (config: Config, request: RoutingRequest, state: RoutingState, options: DecideOptions) => Decision;
