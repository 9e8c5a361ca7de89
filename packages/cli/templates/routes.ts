/**
 * Switchyard routing config (written by `switchyard init`). The compiler turns it into a
 * self-contained router per environment:
 *
 *   npx --no-install switchyard check --env prod    # types, semantic checks, the prod policy packs
 *   npx --no-install switchyard build --env dev     # dist/dev/router.mjs (mock providers: no keys)
 *   SWITCHYARD_TEAM_KEY=dev-key node dist/dev/router.mjs
 *
 * Your editor type-checks this file through @switchyard/sdk: a misspelt tier, model or route is a
 * red squiggle here, not a failed deploy. Reference: the `docs/` folder of the Switchyard repository.
 */
import { defineConfig, secret } from "@switchyard/sdk";

export default defineConfig({
  // Where requests go. Keys are never written here: secret("NAME") reads the router's environment.
  providers: {
    openai: { kind: "openai", apiKey: secret("OPENAI_API_KEY"), region: "us" },
    anthropic: { kind: "anthropic", apiKey: secret("ANTHROPIC_API_KEY"), region: "us" },
  },
  // The models clients may reach, with the price per 1M tokens (input, output) for budgets.
  models: {
    "gpt-mini": { provider: "openai", name: "gpt-4o-mini", context: 128_000, price: { input: 0.15, output: 0.6 }, owner: "platform" },
    claude: { provider: "anthropic", name: "claude-sonnet-4-5", context: 200_000, price: { input: 3, output: 15 }, owner: "platform" },
  },
  // A tier is a pool of interchangeable models; routes name tiers, so a model swap is one line.
  tiers: {
    fast: { models: ["gpt-mini"] },
  },
  // What clients call: the OpenAI API's `model` field names the route.
  routes: {
    chat: {
      tier: "fast",
      // When the tier's models fail (after the retries), the request goes to the next entry.
      fallback: ["claude"],
      retry: { attempts: 2, on: ["429", "5xx", "timeout"] },
      timeout: { firstToken: "5s", total: "60s" },
      description: "General chat: the fast tier, Claude when OpenAI fails",
      owner: "platform",
    },
  },
  // Who may call which routes, with a spending cap and rate limits.
  teams: {
    app: {
      keys: [secret("SWITCHYARD_TEAM_KEY")],
      routes: ["chat"],
      budget: { usd: 100, per: "month", alertAt: [0.8] },
      limits: { rpm: 600 },
    },
  },
  // Per-environment overrides and policy packs (`switchyard check --env <name>`).
  environments: {
    // dev answers from built-in mock providers: no keys, no network.
    dev: {
      providers: { openai: { kind: "mock" }, anthropic: { kind: "mock" } },
      policies: ["baseline"],
    },
    // prod is held to the production guard rails (budgets, limits, timeouts, no mocks, GA models).
    prod: {
      production: true,
      policies: ["baseline", "prod-safety"],
    },
  },
});
