/** @module What governance charges before an answer exists: the token and cost estimates of a request. */
import type { Model } from "@switchyard/ir";
import { priceUsage } from "../execute/usage.ts";

/**
 * Output tokens reserved when the caller sets no `max_tokens`/`max_completion_tokens`. Real usage
 * replaces the estimate afterwards, so this only decides how much headroom an open-ended request
 * holds while it runs (and how far a hard budget can be overshot by requests without a cap).
 */
export const DEFAULT_RESERVED_OUTPUT_TOKENS = 1_024;

/** The tokens a request may use: estimated prompt + its output cap (or the default). */
export function reservedTokens(input: { promptTokens: number; maxOutputTokens: number | undefined }): number {
  return input.promptTokens + (input.maxOutputTokens ?? DEFAULT_RESERVED_OUTPUT_TOKENS);
}

/**
 * The most an attempt on `model` is expected to cost, USD: prompt tokens at the input price plus the
 * output cap at the output price, priced like real usage.
 *
 * @example attemptEstimateUsd(model, { promptTokens: 1_000, maxOutputTokens: 500 })
 */
export function attemptEstimateUsd(model: Model, input: { promptTokens: number; maxOutputTokens: number | undefined }): number {
  const completion = input.maxOutputTokens ?? DEFAULT_RESERVED_OUTPUT_TOKENS;
  return priceUsage(model, { prompt_tokens: input.promptTokens, completion_tokens: completion, total_tokens: input.promptTokens + completion });
}
