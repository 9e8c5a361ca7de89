/** @module Weighted strategy: a random first pick proportional to weight × slow-start factor. */
import type { Strategy, StrategyMember } from "../strategy.ts";

/** Per frozen member array: indices by configured weight (heaviest first, declaration order on ties) and cumulative weights. */
export interface StaticWeights {
  order: Int32Array;
  cumulative: Float64Array;
  total: number;
}
const statics = new WeakMap<readonly StrategyMember[], StaticWeights>();

/** The configured-weight order and cumulative weights of a frozen member array, computed once per array. */
export function staticWeights(members: readonly StrategyMember[]): StaticWeights {
  let s = statics.get(members);
  if (s === undefined) {
    const cumulative = new Float64Array(members.length);
    let total = 0;
    for (let i = 0; i < members.length; i++) {
      total += Math.max(0, (members[i] as StrategyMember).weight);
      cumulative[i] = total;
    }
    s = { order: byWeight(members, (i) => Math.max(0, (members[i] as StrategyMember).weight)), cumulative, total };
    statics.set(members, s);
  }
  return s;
}

/**
 * The index of the first member drawn in proportion to configured weight (one rng() call), or -1
 * when every weight is ≤ 0 (no rng() call). The rest follow in `st.order`.
 */
export function weightedPick(st: StaticWeights, rng: () => number): number {
  if (!(st.total > 0)) return -1;
  const r = rng() * st.total;
  let lo = 0;
  let hi = st.cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((st.cumulative[mid] as number) > r) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function byWeight(members: readonly StrategyMember[], weight: (i: number) => number): Int32Array {
  const idx = Array.from({ length: members.length }, (_, i) => i);
  idx.sort((a, b) => weight(b) - weight(a) || (members[a] as StrategyMember).index - (members[b] as StrategyMember).index);
  return Int32Array.from(idx);
}

/**
 * The first member is drawn at random with probability proportional to its effective weight
 * (configured weight × the breaker's slow-start factor); the rest follow by effective weight,
 * heaviest first, then declaration order. Members with weight ≤ 0 are never drawn first unless
 * every member has weight ≤ 0 (then declaration order). One rng() call per decision.
 * For a frozen member array (the route table's) with no slow start in effect, the order of the
 * rest is computed once and cached, so a decision is O(n).
 */
export const weightedStrategy: Strategy = {
  name: "weighted",
  order(members, ctx) {
    const n = members.length;
    if (n <= 1) return members.slice();
    if (ctx.fullWeight === true && Object.isFrozen(members)) {
      // Fast path: configured weights apply as-is; binary search on the cached cumulative weights.
      const st = staticWeights(members);
      const pick = weightedPick(st, ctx.rng);
      const out: (typeof members)[number][] = [];
      if (pick >= 0) out.push(members[pick] as (typeof members)[number]);
      for (let k = 0; k < n; k++) {
        const i = st.order[k] as number;
        if (i !== pick) out.push(members[i] as (typeof members)[number]);
      }
      return out;
    }
    const eff = new Float64Array(n);
    let total = 0;
    let scaled = false;
    for (let i = 0; i < n; i++) {
      const m = members[i] as StrategyMember;
      let w = 0;
      if (m.weight > 0) {
        const f = ctx.state.breaker(m.model).weight ?? 1;
        if (f !== 1) scaled = true;
        w = m.weight * f;
      }
      eff[i] = w;
      total += w;
    }
    let pick = -1;
    if (total > 0) {
      let r = ctx.rng() * total;
      for (let i = 0; i < n; i++) {
        const w = eff[i] as number;
        if (w <= 0) continue;
        pick = i;
        if (r < w) break;
        r -= w;
      }
    }
    const order = !scaled && Object.isFrozen(members) ? staticWeights(members).order : byWeight(members, (i) => eff[i] as number);
    const out: (typeof members)[number][] = [];
    if (pick >= 0) out.push(members[pick] as (typeof members)[number]);
    for (let k = 0; k < n; k++) {
      const i = order[k] as number;
      if (i !== pick) out.push(members[i] as (typeof members)[number]);
    }
    return out;
  },
};
