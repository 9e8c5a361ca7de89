/** @module Least-busy strategy: fewest requests in flight first. */
import { compareTies, type Strategy } from "../strategy.ts";

/** Orders by requests in flight now (state.inFlight); ties by region hint, weight, declaration order. */
export const leastBusyStrategy: Strategy = {
  name: "least-busy",
  order(members, ctx) {
    return members.slice().sort((a, b) => ctx.state.inFlight(a.model) - ctx.state.inFlight(b.model) || compareTies(a, b, ctx.region));
  },
};
