/** @module Weighted strategy: a random first pick proportional to weight × slow-start factor. */
import type { Strategy, StrategyMember } from "../strategy.ts";

/**
 * The first member is drawn at random with probability proportional to its effective weight
 * (configured weight × the breaker's slow-start factor); the rest follow by effective weight,
 * heaviest first, then declaration order. Members with weight ≤ 0 are never drawn first unless
 * every member has weight ≤ 0 (then declaration order). One rng() call per decision.
 */
export const weightedStrategy: Strategy = {
  name: "weighted",
  order(members, ctx) {
    const n = members.length;
    if (n <= 1) return members.slice();
    const eff = new Float64Array(n);
    let total = 0;
    for (let i = 0; i < n; i++) {
      const m = members[i] as StrategyMember;
      const w = m.weight > 0 ? m.weight * (ctx.state.breaker(m.model).weight ?? 1) : 0;
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
    // The pick first, then the rest by effective weight (heaviest first), declaration order on ties.
    const out: StrategyMember[] = [];
    const ow: number[] = [];
    if (pick >= 0) {
      out.push(members[pick] as StrategyMember);
      ow.push(Number.POSITIVE_INFINITY);
    }
    const base = out.length;
    for (let i = 0; i < n; i++) {
      if (i === pick) continue;
      const m = members[i] as StrategyMember;
      const w = eff[i] as number;
      out.push(m);
      ow.push(w);
      let j = out.length - 2;
      while (j >= base) {
        const o = out[j] as StrategyMember;
        const wo = ow[j] as number;
        if (wo > w || (wo === w && o.index <= m.index)) break;
        out[j + 1] = o;
        ow[j + 1] = wo;
        j--;
      }
      out[j + 1] = m;
      ow[j + 1] = w;
    }
    return out;
  },
};
