/** @module The choice-strategy interface: how the members of one tier are ordered for a request. */
import type { Capability, Lifecycle, Residency } from "@switchyard/ir";
import type { RoutingState, StrategyName } from "./types.ts";

/** One model of a target (tier member or single model), resolved once by compileRouteTable(). */
export interface StrategyMember {
  model: string;
  provider: string;
  /** Configured weight (1 for a single model or an unweighted tier member). */
  weight: number;
  region: string | undefined;
  residency: Residency | undefined;
  selfHosted: boolean;
  /** Context window in tokens. */
  context: number;
  /** USD per 1M input / output tokens. */
  priceInput: number;
  priceOutput: number;
  lifecycle: Lifecycle;
  /** Declared capabilities; undefined when the model declares none (treated as "not filtered"). */
  capabilities: ReadonlySet<Capability> | undefined;
  /** Position in the tier as declared: the final tie-breaker, so orders are stable. */
  index: number;
}

/** What a strategy may read. No clock or randomness of its own: both are injected here. */
export interface StrategyContext {
  state: RoutingState;
  rng: () => number;
  now: number;
  /** Caller's region hint: among equals, members in this region come first. */
  region: string | undefined;
  promptTokens: number;
  maxOutputTokens: number | undefined;
  /**
   * True when the caller has already seen every member's breaker closed at full weight (no slow
   * start), so a strategy may skip reading breaker weights. Undefined/false: read the state.
   */
  fullWeight?: boolean;
}

/**
 * Orders the eligible members of one target for one request; the first is tried first.
 * Must return a permutation of `members` (a new array; the input is never mutated).
 *
 * @example
 * const s = createStrategy("cost");
 * s.order(members, { state, rng, now, region: "eu", promptTokens: 1000, maxOutputTokens: undefined });
 */
export interface Strategy {
  readonly name: StrategyName;
  order<M extends StrategyMember>(members: readonly M[], ctx: StrategyContext): M[];
}

/** Output tokens assumed by cost comparisons when the caller sets no max_tokens. */
export const DEFAULT_EXPECTED_OUTPUT_TOKENS = 500;

/** Same-region first, then heavier weight, then declaration order: the shared tie-breaker. */
export function compareTies(a: StrategyMember, b: StrategyMember, region: string | undefined): number {
  if (region !== undefined) {
    const ra = a.region === region ? 0 : 1;
    const rb = b.region === region ? 0 : 1;
    if (ra !== rb) return ra - rb;
  }
  if (a.weight !== b.weight) return b.weight - a.weight;
  return a.index - b.index;
}

/**
 * Sort by a per-member numeric key (computed once per member, not per comparison), then compareTies.
 * Returns a new array; the input is not touched. Insertion sort for small tiers (the common case), TimSort beyond 16.
 */
export function orderByKey<M extends StrategyMember>(members: readonly M[], ctx: StrategyContext, key: (m: M) => number): M[] {
  const n = members.length;
  const out = members.slice();
  if (n <= 1) return out;
  const keys = new Array<number>(n);
  for (let i = 0; i < n; i++) keys[i] = key(out[i] as M);
  const region = ctx.region;
  if (n > 16) {
    // Large tiers: TimSort on indices (stable, O(n log n)).
    const idx = Array.from({ length: n }, (_, i) => i);
    idx.sort((a, b) => (keys[a] as number) - (keys[b] as number) || compareTies(members[a] as M, members[b] as M, region));
    for (let i = 0; i < n; i++) out[i] = members[idx[i] as number] as M;
    return out;
  }
  for (let i = 1; i < n; i++) {
    const m = out[i] as M;
    const k = keys[i] as number;
    let j = i - 1;
    while (j >= 0) {
      const kj = keys[j] as number;
      if (kj < k || (kj === k && compareTies(out[j] as M, m, region) <= 0)) break;
      out[j + 1] = out[j] as M;
      keys[j + 1] = kj;
      j--;
    }
    out[j + 1] = m;
    keys[j + 1] = k;
  }
  return out;
}
