/** @module Latency strategy: fastest observed deployment first (EWMA of total latency). */
import { compareTies, type Strategy, type StrategyMember } from "../strategy.ts";

/**
 * Orders by the latency EWMA the state reports. A member with no samples yet sorts first
 * (optimistic, so it gets measured). Ties by region hint, weight, declaration order.
 */
export const latencyStrategy: Strategy = {
  name: "latency",
  order(members, ctx) {
    const score = (m: StrategyMember): number => ctx.state.latency(m.model)?.ewmaMs ?? -1;
    return members.slice().sort((a, b) => score(a) - score(b) || compareTies(a, b, ctx.region));
  },
};
