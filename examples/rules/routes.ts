/**
 * @module rules — route on what the request says: `when` rules send high-risk, complex, long or image-bearing
 * requests to the frontier tier and everything else to the cheap one; `extract` shows "cheap first, escalate on
 * failed validation" (the cheap model's answer fails the JSON validator, the fallback answers). Runs on the embedded
 * mock providers (no keys, no network).
 *
 *   npx -y pnpm@10 switchyard check examples/rules
 *   npx -y pnpm@10 switchyard explain examples/rules --route support --tag risk:high
 *   npx -y pnpm@10 switchyard explain examples/rules --route support --prompt-file examples/rules/hard-prompt.json
 *   npx -y pnpm@10 switchyard build examples/rules --out dist && SWITCHYARD_DEMO_KEY=demo node dist/default/router.mjs
 */
import { defineConfig, secret } from "@switchyard/sdk";

export default defineConfig({
  // Policies walk every rule's target too: a rule that escaped the EU, or left a single provider, would fail here.
  policies: ["baseline", "eu-residency"],
  providers: {
    // The cheap model answers in prose: fine for chat, not JSON, so `extract`'s validator escalates past it.
    budget: { kind: "mock", region: "eu-west", residency: "eu", mock: { reply: "Sure! Here is what I found about: {prompt}" } },
    premium: { kind: "mock", region: "eu-west", residency: "eu", mock: { reply: '{"answer":"42","model":"{model}"}' } },
  },
  models: {
    mini: { provider: "budget", name: "mock-mini", context: 128_000, price: { input: 0.15, output: 0.6 }, owner: "platform" },
    big: { provider: "premium", name: "mock-big", context: 200_000, price: { input: 3, output: 15 }, capabilities: ["tools", "vision"], owner: "platform" },
  },
  tiers: {
    fast: { models: ["mini"] },
    frontier: { models: ["big"] },
  },
  routes: {
    support: {
      tier: "fast",
      residency: "eu",
      // After a rule's frontier target, the cheap model is still a second provider (baseline/multi-provider checks each rule).
      fallback: ["frontier", "mini"],
      // Scores 0-100 (docs/routing.md#complexity): ≥ 20 is medium, ≥ 45 high.
      complexity: { medium: 20, high: 45 },
      // First match wins and replaces `tier: "fast"`; the fallback chain stays as written.
      when: [
        { if: { tag: "risk:high" }, use: { tier: "frontier" } },
        { if: { any: [{ complexity: "high" }, { tokens: { over: 8_000 } }] }, use: { tier: "frontier" } },
        { if: { images: true }, use: { model: "big" } },
      ],
      owner: "support-eng",
      description: "Customer support: cheap by default, frontier for risky, complex, long or image requests",
    },
    extract: {
      // Cheap first, escalate on failed validation: a non-JSON answer fails the attempt, and the fallback answers.
      model: "mini",
      validate: [{ kind: "json" }],
      fallback: ["big"],
      owner: "data-eng",
      description: "Structured extraction: JSON or escalate",
    },
  },
  teams: {
    demo: { keys: [secret("SWITCHYARD_DEMO_KEY")], routes: ["support", "extract"], budget: { usd: 10, per: "day" } },
  },
});
