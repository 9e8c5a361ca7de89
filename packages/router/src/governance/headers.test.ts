/** @module Unit tests of rate-limit header formatting and the request estimates governance reserves. */
import { describe, expect, it } from "vitest";
import type { Model } from "@switchyard/ir";
import { DEFAULT_RESERVED_OUTPUT_TOKENS, attemptEstimateUsd, reservedTokens } from "./estimate.ts";
import { formatResetDuration, rateLimitHeaders, retryAfterSeconds } from "./headers.ts";

describe("rate-limit headers", () => {
  it.each([
    [0, "0ms"],
    [20, "20ms"],
    [999, "999ms"],
    [1_000, "1s"],
    [1_500, "1.5s"],
    [59_999, "59.999s"],
    [60_000, "1m0s"],
    [90_500, "1m30.5s"],
    [360_000, "6m0s"],
  ])("formats %i ms as %s", (ms, text) => {
    expect(formatResetDuration(ms)).toBe(text);
  });

  it("names OpenAI's headers, only for the buckets a team has", () => {
    expect(rateLimitHeaders({ requests: { capacity: 60, remaining: 59, resetMs: 1_000 }, tokens: undefined })).toEqual({
      "x-ratelimit-limit-requests": "60",
      "x-ratelimit-remaining-requests": "59",
      "x-ratelimit-reset-requests": "1s",
    });
    expect(Object.keys(rateLimitHeaders({ requests: undefined, tokens: { capacity: 1, remaining: 0, resetMs: 5 } }))).toEqual([
      "x-ratelimit-limit-tokens",
      "x-ratelimit-remaining-tokens",
      "x-ratelimit-reset-tokens",
    ]);
  });

  it("Retry-After is whole seconds, at least 1", () => {
    expect(retryAfterSeconds(0)).toBe("1");
    expect(retryAfterSeconds(1_001)).toBe("2");
    expect(retryAfterSeconds(86_400_000)).toBe("86400");
  });
});

describe("estimates", () => {
  const model = { price: { input: 3, output: 15 } } as Model;
  it("prices prompt × input + max_tokens × output per 1M tokens", () => {
    expect(attemptEstimateUsd(model, { promptTokens: 1_000, maxOutputTokens: 2_000 })).toBeCloseTo(0.003 + 0.03, 10);
  });
  it("uses the documented default when max_tokens is absent", () => {
    expect(attemptEstimateUsd(model, { promptTokens: 0, maxOutputTokens: undefined })).toBeCloseTo((DEFAULT_RESERVED_OUTPUT_TOKENS * 15) / 1e6, 10);
    expect(reservedTokens({ promptTokens: 10, maxOutputTokens: undefined })).toBe(10 + DEFAULT_RESERVED_OUTPUT_TOKENS);
    expect(reservedTokens({ promptTokens: 10, maxOutputTokens: 5 })).toBe(15);
  });
});
