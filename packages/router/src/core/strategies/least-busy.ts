/** @module Least-busy strategy: fewest requests in flight first. */
import { orderByKey, type Strategy } from "../strategy.ts";

/** Orders by requests in flight now (state.inFlight); ties by region hint, weight, declaration order. */
export const leastBusyStrategy: Strategy = {
  name: "least-busy",
  order(members, ctx) {
    const state = ctx.state;
    return orderByKey(members, ctx, (m) => state.inFlight(m.model));
  },
};
