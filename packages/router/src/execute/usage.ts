/** @module Pricing usage from the catalog (`model.price` is USD per 1M tokens) with the IR's one pricing rule. */
import { type Model, type TokenCounts, priceTokens } from "@switchyard/ir";
import type { Usage } from "../protocol/chat.ts";

/** A provider's count, when it sent one that is a count (details are upstream data: anything else reads as none). */
function count(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** The token counts of a usage report: cached and cache-write input from `prompt_tokens_details`. */
export function usageTokens(usage: Usage): TokenCounts {
  const details = usage.prompt_tokens_details;
  return {
    input: usage.prompt_tokens,
    cachedInput: count(details?.cached_tokens),
    cacheWrite: count(details?.cache_write_tokens),
    output: usage.completion_tokens,
  };
}

/** Reasoning tokens of a usage report, when the provider reported them. */
export function reasoningTokens(usage: Usage): number | undefined {
  return count(usage.completion_tokens_details?.reasoning_tokens);
}

/** Cost in USD of a usage report at a model's price (cached input and cache writes at their own prices). */
export function priceUsage(model: Model, usage: Usage): number {
  return priceTokens(model.price, usageTokens(usage));
}
