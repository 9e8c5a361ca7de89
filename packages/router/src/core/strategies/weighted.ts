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
    const eff = new Array<number>(n);
    let total = 0;
    for (let i = 0; i < n; i++) {
      const m = members[i] as StrategyMember;
      const w = m.weight > 0 ? m.weight * (ctx.state.breaker(m.model).weight ?? 1) : 0;
      eff[i] = w;
      total += w;
    }
    const idx = Array.from({ length: n }, (_, i) => i);
    idx.sort((a, b) => (eff[b] as number) - (eff[a] as number) || (members[a] as StrategyMember).index - (members[b] as StrategyMember).index);
    if (total > 0) {
      let r = ctx.rng() * total;
      let pick = 0;
      for (let i = 0; i < n; i++) {
        const w = eff[i] as number;
        if (w <= 0) continue;
        pick = i;
        if (r < w) break;
        r -= w;
      }
      const at = idx.indexOf(pick);
      idx.splice(at, 1);
      idx.unshift(pick);
    }
    return idx.map((i) => members[i] as StrategyMember);
  },
};
