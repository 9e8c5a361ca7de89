/** @module Latency strategy: fastest observed deployment first (EWMA of total latency). */
import { orderByKey, type Strategy } from "../strategy.ts";

/**
 * Orders by the latency EWMA the state reports. A member with no samples yet sorts first
 * (optimistic, so it gets measured). Ties by region hint, weight, declaration order.
 */
export const latencyStrategy: Strategy = {
  name: "latency",
  order(members, ctx) {
    const state = ctx.state;
    return orderByKey(members, ctx, (m) => state.latency(m.model)?.ewmaMs ?? -1);
  },
};
