/** @module Test helpers for the routing core: a config builder and a hand-built RoutingState (not exported from the package). */
import { type Config, type ConfigInput, ConfigSchema } from "@switchyard/ir";
import type { BreakerView, RoutingRequest, RoutingState } from "./types.ts";

/** Parse an IR input (defaults applied) or throw with the zod issues. */
export function makeConfig(input: Omit<ConfigInput, "irVersion" | "environment"> & { environment?: string }): Config {
  return ConfigSchema.parse({ irVersion: 1, environment: "dev", ...input });
}

/** The north-star example (examples/acme) in IR form. */
export function acmeConfig(environment = "prod"): Config {
  return makeConfig({
    environment,
    providers: {
      openai: { kind: "openai", apiKey: { secret: "OPENAI_API_KEY" }, region: "us" },
      azureEu: { kind: "openai", baseUrl: "https://acme-eu.openai.azure.com/openai/v1", apiKey: { secret: "AZURE_EU_KEY" }, region: "eu", residency: "eu" },
      anthropic: { kind: "anthropic", apiKey: { secret: "ANTHROPIC_API_KEY" }, region: "us" },
      local: { kind: "openai", baseUrl: "http://vllm.internal:8000/v1", selfHosted: true, region: "eu", residency: "eu" },
    },
    models: {
      "gpt-mini": { provider: "openai", name: "gpt-4o-mini", context: 128_000, price: { input: 0.15, output: 0.6 } },
      "gpt-mini-eu": { provider: "azureEu", name: "gpt-4o-mini", context: 128_000, price: { input: 0.15, output: 0.6 } },
      claude: { provider: "anthropic", name: "claude-sonnet-4-5", context: 200_000, price: { input: 3, output: 15 } },
      "llama-local": { provider: "local", name: "llama-3.3-70b", context: 32_000, price: { input: 0, output: 0 } },
      "claude-next": { provider: "anthropic", name: "claude-next", context: 200_000, price: { input: 3, output: 15 }, lifecycle: "experimental" },
    },
    tiers: {
      fast: {
        models: [
          { model: "gpt-mini", weight: 70 },
          { model: "gpt-mini-eu", weight: 30 },
        ],
        strategy: "latency",
      },
      frontier: { models: [{ model: "claude", weight: 1 }] },
    },
    routes: {
      "support-faq": {
        tier: "fast",
        optimize: "cost",
        fallback: [{ tier: "frontier" }, { model: "llama-local" }],
        longContext: { over: 16_000, use: { tier: "frontier" } },
      },
      "legal-review": {
        tier: "frontier",
        dataClass: "confidential",
        residency: "eu",
        fallback: [{ model: "llama-local" }],
        canary: { model: "claude-next", steps: [5, 25, 100], everyMs: 3_600_000 },
      },
    },
    teams: {
      support: { keys: [{ secret: "SUPPORT_KEY" }], routes: ["support-faq"] },
      legal: { keys: [{ secret: "LEGAL_KEY" }], routes: ["legal-review"] },
    },
  });
}

export interface FakeState {
  breakers?: Record<string, BreakerView>;
  latency?: Record<string, { ewmaMs: number; p95Ms: number; samples: number }>;
  inFlight?: Record<string, number>;
  canary?: Record<string, number>;
}

/** A RoutingState from plain data (absent entries: closed breaker, no latency, 0 in flight, canary 0 %). */
export function fakeState(s: FakeState = {}): RoutingState {
  return {
    breaker: (m) => s.breakers?.[m] ?? { status: "closed", openedAt: undefined },
    latency: (m) => s.latency?.[m],
    inFlight: (m) => s.inFlight?.[m] ?? 0,
    canaryPercent: (r) => s.canary?.[r] ?? 0,
  };
}

/** A request with defaults; override what the test is about. */
export function req(r: Partial<RoutingRequest> & { route: string }): RoutingRequest {
  return { team: undefined, promptTokens: 100, maxOutputTokens: undefined, region: undefined, stickyKey: undefined, requires: [], ...r };
}
