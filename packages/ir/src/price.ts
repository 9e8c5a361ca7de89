/**
 * @module What tokens cost: the one pricing rule of the router (answers, stream settlement, budget estimates), the trace
 * report and `switchyard simulate`. Prices are the catalog's, USD per 1M tokens.
 */
import type { Price } from "./schema.ts";

/** The tokens of one answer, in OpenAI's meaning: `input` counts every prompt token, cached or not. */
export interface TokenCounts {
  /** Every input token: uncached, read from the prompt cache and written to it. */
  input: number;
  /** Of `input`, the tokens read from the provider's prompt cache. */
  cachedInput?: number | undefined;
  /** Of `input`, the tokens written to the prompt cache (Anthropic's cache creation). */
  cacheWrite?: number | undefined;
  /** Every output token, reasoning included. */
  output: number;
}

/**
 * Cost in USD: uncached input × `input` + cached × `cachedInput` + cache writes × `cacheWrite` + output × `output`.
 * An unset `cachedInput` or `cacheWrite` is the `input` price: a catalog that says nothing about caching is charged as
 * before caching was reported, never less than the provider bills (providers bill cache reads at or below the input
 * price; Anthropic bills writes above it, so its models should set `cacheWrite`). Counts that exceed `input` are capped
 * at it: a provider's details never make the cost negative.
 *
 * @example priceTokens({ input: 3, output: 15, cachedInput: 0.3 }, { input: 100_000, cachedInput: 90_000, output: 500 })
 */
export function priceTokens(price: Price, tokens: TokenCounts): number {
  const input = Math.max(0, tokens.input);
  const cached = Math.min(input, Math.max(0, tokens.cachedInput ?? 0));
  const written = Math.min(input - cached, Math.max(0, tokens.cacheWrite ?? 0));
  const uncached = input - cached - written;
  return (
    (uncached * price.input +
      cached * (price.cachedInput ?? price.input) +
      written * (price.cacheWrite ?? price.input) +
      Math.max(0, tokens.output) * price.output) /
    1_000_000
  );
}
