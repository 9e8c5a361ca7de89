/** @module A small builder of IR configs for policy tests: a clean base that passes every built-in policy, edited per case. */
import { type Config, type ConfigInput, parseConfig } from "@switchyard/ir";

/**
 * The base config: a declared production environment `prod`, two EU-resident providers (OpenAI-compatible and Anthropic) and one US
 * provider, owners everywhere, a route with a fallback on another provider, timeouts, bounded
 * retries and a long-context rule, and a team with a budget and limits.
 */
export function baseConfigInput(): ConfigInput {
  return {
    irVersion: 1,
    environment: "prod",
    production: true,
    providers: {
      openaiEu: { kind: "openai", baseUrl: "https://eu.example.com/v1", apiKey: { secret: "OPENAI_EU_KEY" }, region: "eu", residency: "eu" },
      anthropicEu: { kind: "anthropic", apiKey: { secret: "ANTHROPIC_EU_KEY" }, region: "eu", residency: "eu" },
      openaiUs: { kind: "openai", apiKey: { secret: "OPENAI_KEY" }, region: "us", residency: "us" },
    },
    models: {
      mini: { provider: "openaiEu", name: "gpt-4o-mini", context: 128_000, price: { input: 0.15, output: 0.6 }, owner: "platform" },
      claude: { provider: "anthropicEu", name: "claude-sonnet-4-5", context: 200_000, price: { input: 3, output: 15 }, owner: "platform" },
      "mini-us": { provider: "openaiUs", name: "gpt-4o-mini", context: 128_000, price: { input: 0.15, output: 0.6 }, owner: "platform" },
    },
    tiers: {
      fast: { models: [{ model: "mini", weight: 1 }] },
      frontier: { models: [{ model: "claude", weight: 1 }] },
    },
    routes: {
      chat: {
        tier: "fast",
        fallback: [{ tier: "frontier" }],
        timeout: { firstTokenMs: 3_000, totalMs: 20_000 },
        retry: { attempts: 2 },
        longContext: { over: 16_000, use: { tier: "frontier" } },
        owner: "support",
      },
    },
    teams: {
      support: { keys: [{ secret: "SUPPORT_KEY" }], routes: ["chat"], budget: { usd: 100 }, limits: { rpm: 60 } },
    },
  };
}

/** A mutable view of the config input with every section present, for editing in a case. */
export type Draft = ConfigInput & Required<Pick<ConfigInput, "tiers" | "teams">>;

/**
 * Build a validated config from the base, edited by `edit`. Throws with the IR issues when the
 * edit makes the config invalid (a broken fixture is a bug in the test, not a policy finding).
 *
 * @example fixture((d) => { d.routes.chat!.fallback = []; })
 */
export function fixture(edit?: (draft: Draft) => void): Config {
  const draft = baseConfigInput() as Draft;
  edit?.(draft);
  const parsed = parseConfig(draft);
  if (!parsed.success) {
    throw new Error(`invalid fixture: ${parsed.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ")}`);
  }
  return parsed.data;
}
