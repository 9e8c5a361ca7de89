/** @module diff/fixtures — the acme north-star config as compiled IR, for diff tests (test-only). */
import { type Config, parseConfig } from "@switchyard/ir";

/** The IR `examples/acme/routes.ts` compiles to with no environment (defaults applied by the schema). */
export function acmeIr(): Config {
  const parsed = parseConfig({
    irVersion: 1,
    environment: "default",
    providers: {
      openai: { kind: "openai", apiKey: { secret: "OPENAI_API_KEY" }, region: "us" },
      azureEu: { kind: "openai", baseUrl: "https://acme-eu.openai.azure.com/openai/v1", apiKey: { secret: "AZURE_EU_KEY" }, region: "eu", residency: "eu" },
      anthropic: { kind: "anthropic", apiKey: { secret: "ANTHROPIC_API_KEY" }, region: "us" },
      local: { kind: "openai", baseUrl: "http://vllm.internal:8000/v1", selfHosted: true, region: "eu", residency: "eu" },
    },
    models: {
      "gpt-mini": { provider: "openai", name: "gpt-4o-mini", context: 128_000, price: { input: 0.15, output: 0.6 }, owner: "platform" },
      "gpt-mini-eu": { provider: "azureEu", name: "gpt-4o-mini", context: 128_000, price: { input: 0.15, output: 0.6 }, owner: "platform" },
      claude: { provider: "anthropic", name: "claude-sonnet-4-5", context: 200_000, price: { input: 3, output: 15 }, owner: "platform" },
      "llama-local": { provider: "local", name: "llama-3.3-70b", context: 32_000, price: { input: 0, output: 0 }, owner: "infra" },
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
        timeout: { firstTokenMs: 3_000, totalMs: 20_000 },
        retry: { attempts: 2, on: ["429", "5xx", "timeout"] },
        longContext: { over: 16_000, use: { tier: "frontier" } },
      },
      "legal-review": {
        tier: "frontier",
        optimize: "quality",
        dataClass: "confidential",
        residency: "eu",
        fallback: [{ model: "llama-local" }],
        validate: [{ kind: "json" }],
        canary: { model: "claude-next", steps: [5, 25, 100], everyMs: 3_600_000, guard: { maxErrorRate: 0.02 } },
      },
    },
    teams: {
      support: {
        keys: [{ secret: "SUPPORT_KEY" }],
        routes: ["support-faq"],
        budget: { usd: 2000, per: "month", mode: "hard", alertAt: [0.5, 0.8] },
        limits: { rpm: 600, tpm: 1_000_000 },
      },
      legal: { keys: [{ secret: "LEGAL_KEY" }], routes: ["legal-review"], budget: { usd: 500, per: "month" } },
    },
  });
  if (!parsed.success) throw new Error(`acme fixture is not valid IR: ${JSON.stringify(parsed.issues)}`);
  return parsed.data;
}
