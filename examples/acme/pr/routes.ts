// The pull request of docs/reviewing-changes.md#worked-example: examples/acme/routes.ts with support-faq moved
// from the fast tier to frontier (and falling back to fast). `switchyard diff` and `switchyard simulate` show what it costs.
import { defineConfig, secret } from "@switchyard/sdk";

export default defineConfig({
  providers: {
    openai:    { kind: "openai", apiKey: secret("OPENAI_API_KEY"), region: "us" },
    azureEu:   { kind: "openai", baseUrl: "https://acme-eu.openai.azure.com/openai/v1",
                 apiKey: secret("AZURE_EU_KEY"), region: "eu", residency: "eu" },
    anthropic: { kind: "anthropic", apiKey: secret("ANTHROPIC_API_KEY"), region: "us" },
    local:     { kind: "openai", baseUrl: "http://vllm.internal:8000/v1", selfHosted: true, region: "eu", residency: "eu" },
  },
  models: {
    "gpt-mini":    { provider: "openai", name: "gpt-4o-mini", context: 128_000, price: { input: 0.15, output: 0.6 }, owner: "platform" },
    "gpt-mini-eu": { provider: "azureEu", name: "gpt-4o-mini", context: 128_000, price: { input: 0.15, output: 0.6 }, owner: "platform" },
    "claude":      { provider: "anthropic", name: "claude-sonnet-4-5", context: 200_000, price: { input: 3, output: 15 }, owner: "platform" },
    "llama-local": { provider: "local", name: "llama-3.3-70b", context: 32_000, price: { input: 0, output: 0 }, owner: "infra" },
    "gpt-4o-eu":   { provider: "azureEu", name: "gpt-4o", context: 128_000, price: { input: 2.5, output: 10 }, owner: "legal-eng" },
    "gpt-next-eu": { provider: "azureEu", name: "gpt-5", context: 400_000, price: { input: 1.25, output: 10 }, lifecycle: "preview", owner: "legal-eng" },
    // Registered ahead of its rollout: no route reaches it yet (prod-safety allows it only as a guarded canary).
    "claude-next": { provider: "anthropic", name: "claude-next", context: 200_000, price: { input: 3, output: 15 }, lifecycle: "experimental", owner: "platform" },
  },
  tiers: {
    fast:     { models: [{ model: "gpt-mini", weight: 70 }, { model: "gpt-mini-eu", weight: 30 }], strategy: "latency" },
    frontier: { models: ["claude"] },
    // Confidential work stays in the EU: every model of the chain is on an EU-resident provider.
    "frontier-eu": { models: ["gpt-4o-eu"] },
  },
  routes: {
    "support-faq": { tier: "frontier", optimize: "cost", fallback: ["fast", "llama-local"],
                     timeout: { firstToken: "3s", total: "20s" }, retry: { attempts: 2, on: ["429", "5xx", "timeout"] },
                     longContext: { over: 16_000, use: "frontier" }, owner: "support-eng" },
    "legal-review": { tier: "frontier-eu", optimize: "quality", dataClass: "confidential", residency: "eu",
                      fallback: ["llama-local"], validate: [{ kind: "json" }], owner: "legal-eng",
                      timeout: { firstToken: "10s", total: "120s" }, retry: { attempts: 1, on: ["429", "5xx"] },
                      canary: { model: "gpt-next-eu", steps: [5, 25, 100], every: "1h", guard: { maxErrorRate: 0.02 } } },
  },
  teams: {
    support: { keys: [secret("SUPPORT_KEY")], routes: ["support-faq"],
               budget: { usd: 2000, per: "month", mode: "hard", alertAt: [0.5, 0.8] }, limits: { rpm: 600, tpm: 1_000_000 } },
    legal:   { keys: [secret("LEGAL_KEY")], routes: ["legal-review"], budget: { usd: 500, per: "month" }, limits: { rpm: 60, tpm: 200_000 } },
  },
  environments: {
    dev:  { providers: { openai: { kind: "mock" } } },
    prod: { production: true, policies: ["baseline", "eu-residency", "prod-safety"] },
  },
});
