/** @module Cost strategy: cheapest estimated request first. */
import { DEFAULT_EXPECTED_OUTPUT_TOKENS, orderByKey, type Strategy } from "../strategy.ts";

/**
 * Orders by estimated USD for this request: promptTokens × input price + (max_tokens, or
 * DEFAULT_EXPECTED_OUTPUT_TOKENS) × output price; ties by region hint, weight, declaration order.
 */
export const costStrategy: Strategy = {
  name: "cost",
  order(members, ctx) {
    const out = ctx.maxOutputTokens ?? DEFAULT_EXPECTED_OUTPUT_TOKENS;
    const prompt = ctx.promptTokens;
    return orderByKey(members, ctx, (m) => prompt * m.priceInput + out * m.priceOutput);
  },
};
