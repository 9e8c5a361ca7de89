/** @module Cost strategy: cheapest estimated request first. */
import { compareTies, DEFAULT_EXPECTED_OUTPUT_TOKENS, type Strategy, type StrategyMember } from "../strategy.ts";

/**
 * Orders by estimated USD for this request: promptTokens × input price + (max_tokens, or
 * DEFAULT_EXPECTED_OUTPUT_TOKENS) × output price; ties by region hint, weight, declaration order.
 */
export const costStrategy: Strategy = {
  name: "cost",
  order(members, ctx) {
    const out = ctx.maxOutputTokens ?? DEFAULT_EXPECTED_OUTPUT_TOKENS;
    const cost = (m: StrategyMember): number => ctx.promptTokens * m.priceInput + out * m.priceOutput;
    return members.slice().sort((a, b) => cost(a) - cost(b) || compareTies(a, b, ctx.region));
  },
};
