/** @module index.test-d — Type tests of the DSL: inference of declared names, and misspellings rejected at the literal. */
import { describe, expectTypeOf, it } from "vitest";
import { defineConfig, secret, type Duration, type Secret, type StateDef, type SwitchyardConfig } from "./index.ts";

const providers = {
  openai: { kind: "openai", apiKey: secret("OPENAI_API_KEY") },
  anthropic: { kind: "anthropic", apiKey: secret("ANTHROPIC_API_KEY") },
} as const;

describe("defineConfig", () => {
  it("infers the names of every section", () => {
    const config = defineConfig({
      providers,
      models: {
        mini: { provider: "openai", name: "gpt-4o-mini", context: 128_000, price: { input: 0.15, output: 0.6 } },
        claude: { provider: "anthropic", name: "claude", context: 200_000, price: { input: 3, output: 15 } },
      },
      tiers: { fast: { models: ["mini", { model: "claude", weight: 2 }] } },
      routes: { chat: { tier: "fast", fallback: ["claude"] } },
      teams: { support: { keys: [secret("SUPPORT_KEY")], routes: ["chat"] } },
    });
    expectTypeOf(config).toEqualTypeOf<SwitchyardConfig<"openai" | "anthropic", "mini" | "claude", "fast", "chat", "support">>();
    expectTypeOf(config.routes.chat.fallback).toEqualTypeOf<ReadonlyArray<"fast" | "mini" | "claude"> | undefined>();
  });

  it("types a canary's quality guards at the literal", () => {
    defineConfig({
      providers,
      models: {
        mini: { provider: "openai", name: "m", context: 1, price: { input: 0, output: 0 } },
        next: { provider: "openai", name: "n", context: 1, price: { input: 0, output: 0 } },
      },
      routes: {
        chat: {
          model: "mini",
          canary: {
            model: "next",
            steps: [5, 100],
            every: "1h",
            guard: { maxP95Ratio: 1.5, maxValidationFailureRate: 0.05, maxCostRatio: 1.2, minScore: 0.7, minSamples: 30 },
          },
        },
      },
    });
    defineConfig({
      providers,
      models: {
        mini: { provider: "openai", name: "m", context: 1, price: { input: 0, output: 0 } },
        next: { provider: "openai", name: "n", context: 1, price: { input: 0, output: 0 } },
      },
      routes: {
        chat: {
          model: "mini",
          // @ts-expect-error — `minScroe` is not a guard
          canary: { model: "next", steps: [5, 100], every: "1h", guard: { minScroe: 0.7 } },
        },
      },
    });
  });

  it("rejects misspelt references at the literal", () => {
    defineConfig({
      providers,
      models: {
        // @ts-expect-error — provider "opneai" is not declared
        mini: { provider: "opneai", name: "gpt-4o-mini", context: 128_000, price: { input: 0.15, output: 0.6 } },
      },
      routes: { chat: { model: "mini" } },
    });
    defineConfig({
      providers,
      models: { mini: { provider: "openai", name: "m", context: 1, price: { input: 0, output: 0 } } },
      tiers: { fast: { models: ["mini"] } },
      routes: {
        // @ts-expect-error — tier "fastt" is not declared
        a: { tier: "fastt" },
        // @ts-expect-error — fallback "claud" is neither a tier nor a model
        b: { tier: "fast", fallback: ["claud"] },
      },
      // @ts-expect-error — route "chatt" is not declared
      teams: { t: { routes: ["chatt"] } },
    });
  });

  it("knows what each provider kind needs: azure its endpoint, bedrock its region, vertex its project and region; apiVersion is azure's alone, project vertex's", () => {
    const models = { m: { provider: "p", name: "m", context: 1, price: { input: 0, output: 0 } } } as const;
    const routes = { chat: { model: "m" } } as const;
    defineConfig({ providers: { p: { kind: "azure", baseUrl: "https://acme.openai.azure.com", apiVersion: "2024-10-21", auth: "entra" } }, models, routes });
    defineConfig({ providers: { p: { kind: "bedrock", region: "eu-central-1" } }, models, routes });
    defineConfig({ providers: { p: { kind: "gemini", apiKey: secret("GEMINI_API_KEY") } }, models, routes });
    // @ts-expect-error — a bedrock provider without a region
    defineConfig({ providers: { p: { kind: "bedrock" } }, models, routes });
    defineConfig({ providers: { p: { kind: "vertex", project: "acme-prod", region: "us-central1" } }, models, routes });
    // @ts-expect-error — a vertex provider without its project
    defineConfig({ providers: { p: { kind: "vertex", region: "us-central1" } }, models, routes });
    // @ts-expect-error — a vertex provider without its region
    defineConfig({ providers: { p: { kind: "vertex", project: "acme-prod" } }, models, routes });
    // @ts-expect-error — project on a gemini provider
    defineConfig({ providers: { p: { kind: "gemini", project: "acme-prod" } }, models, routes });
    // @ts-expect-error — an azure provider without its endpoint
    defineConfig({ providers: { p: { kind: "azure", apiKey: secret("AZURE_KEY") } }, models, routes });
    // @ts-expect-error — apiVersion on an openai provider
    defineConfig({ providers: { p: { kind: "openai", apiVersion: "2024-10-21" } }, models, routes });
  });

  it("rejects unknown properties", () => {
    defineConfig({
      providers,
      models: { mini: { provider: "openai", name: "m", context: 1, price: { input: 0, output: 0 } } },
      routes: {
        // @ts-expect-error — `fallbak` is not a route property
        chat: { model: "mini", fallbak: ["mini"] },
      },
    });
  });

  it("rejects overrides of undeclared entries", () => {
    defineConfig({
      providers,
      models: { mini: { provider: "openai", name: "m", context: 1, price: { input: 0, output: 0 } } },
      routes: { chat: { model: "mini" } },
      environments: {
        // @ts-expect-error — provider "openia" is not declared
        dev: { providers: { openia: { kind: "mock" } } },
      },
    });
  });
});

describe("environment overrides are deep-partial and still closed", () => {
  const base = {
    providers,
    models: {
      mini: { provider: "openai", name: "m", context: 1, price: { input: 1, output: 2 } },
      next: { provider: "anthropic", name: "n", context: 1, price: { input: 3, output: 15 } },
    },
    routes: { chat: { model: "mini", canary: { model: "next", steps: [5, 25, 100], every: "1h" } } },
  } as const;

  it("accepts any part of a nested object", () => {
    defineConfig({
      ...base,
      environments: {
        staging: {
          production: false,
          routes: { chat: { canary: { steps: [10, 50, 100] }, timeout: { total: "30s" } } },
          models: { mini: { price: { input: 12 } } },
        },
      },
    });
  });

  it("rejects a misspelt nested key and a wrong-typed nested value at the literal", () => {
    defineConfig({
      ...base,
      environments: {
        staging: {
          routes: {
            chat: {
              canary: {
                // @ts-expect-error — `stepz` is not a canary property
                stepz: [10, 50, 100],
              },
            },
          },
          // @ts-expect-error — `inptu` is not a price property
          models: { mini: { price: { inptu: 12 } } },
        },
        prod: {
          // @ts-expect-error — a canary model must be a declared model
          routes: { chat: { canary: { model: "nxet" } } },
          // @ts-expect-error — `production` is a boolean
          production: "yes",
        },
      },
    });
  });
});

describe("shared catalogues", () => {
  it("accepts catalogues declared `as const` (readonly arrays), without `satisfies`", () => {
    const models = {
      mini: { provider: "openai", name: "gpt-4o-mini", context: 128_000, price: { input: 0.15, output: 0.6 }, capabilities: ["tools", "json"] },
      claude: { provider: "anthropic", name: "claude", context: 200_000, price: { input: 3, output: 15 } },
    } as const;
    const tiers = { fast: { models: [{ model: "mini", weight: 70 }, "claude"] } } as const;
    const retry = { attempts: 2, on: ["429", "5xx"] } as const;
    const config = defineConfig({
      providers,
      models,
      tiers,
      routes: { chat: { tier: "fast", fallback: ["claude"], retry, canary: { model: "claude", steps: [5, 50, 100], every: "1h" } } },
      teams: { support: { routes: ["chat"], budget: { usd: 100, alertAt: [0.5, 0.8] } } },
      policies: ["baseline"],
    } as const);
    expectTypeOf(config).toEqualTypeOf<SwitchyardConfig<"openai" | "anthropic", "mini" | "claude", "fast", "chat", "support">>();
  });
});

describe("waivers", () => {
  const base = {
    providers,
    models: { mini: { provider: "openai", name: "m", context: 1, price: { input: 0, output: 0 } } },
  } as const;

  it("take a policy id, a reason and an ISO date on any entry", () => {
    defineConfig({
      ...base,
      routes: {
        legal: { model: "mini", waive: [{ policy: "baseline/multi-provider", reason: "EU-only data, one approved provider", until: "2026-09-30" }] },
      },
      teams: { t: { routes: ["legal"], waive: [{ policy: "acme/team-owner", reason: "being reorganised", until: "2026-12-31" }] } },
    });
  });

  it("are checked at the literal", () => {
    defineConfig({
      ...base,
      routes: {
        a: {
          model: "mini",
          waive: [
            // @ts-expect-error — a waiver needs a reason
            { policy: "baseline/multi-provider", until: "2026-09-30" },
            // @ts-expect-error — `until` is a YYYY-MM-DD date
            { policy: "baseline/multi-provider", reason: "r", until: "next month" },
            // @ts-expect-error — a policy id is `pack/name`
            { policy: "multi-provider", reason: "r", until: "2026-09-30" },
            // @ts-expect-error — `resaon` is not a waiver property
            { policy: "baseline/multi-provider", resaon: "r", until: "2026-09-30" },
          ],
        },
      },
    });
  });
});

describe("state", () => {
  const base = {
    providers,
    models: { mini: { provider: "openai", name: "m", context: 1, price: { input: 0, output: 0 } } },
    routes: { chat: { model: "mini" } },
  } as const;

  it("accepts memory and redis state, at the top level and per environment", () => {
    defineConfig({
      ...base,
      state: { kind: "redis", url: secret("REDIS_URL"), keyPrefix: "acme", onUnavailable: "refuse" },
      environments: { dev: { state: { kind: "memory" } }, prod: { state: { kind: "redis", url: secret("PROD_REDIS_URL") } } },
    });
    expectTypeOf<{ kind: "memory" }>().toMatchTypeOf<StateDef>();
  });

  it("rejects a misspelt property, an unknown kind or mode, and a URL that is not a secret()", () => {
    defineConfig({
      ...base,
      // @ts-expect-error — `onUnavilable` is not a property of redis state
      state: { kind: "redis", url: secret("REDIS_URL"), onUnavilable: "refuse" },
    });
    defineConfig({
      ...base,
      environments: {
        // @ts-expect-error — `keyprefix` is not a property of redis state (in an environment too)
        prod: { state: { kind: "redis", url: secret("REDIS_URL"), keyprefix: "acme" } },
      },
    });
    // @ts-expect-error — "valkey" is not a state kind (Valkey is served by kind "redis")
    defineConfig({ ...base, state: { kind: "valkey", url: secret("REDIS_URL") } });
    // @ts-expect-error — onUnavailable is "serve-local" or "refuse"
    defineConfig({ ...base, state: { kind: "redis", url: secret("REDIS_URL"), onUnavailable: "fail-open" } });
    // @ts-expect-error — the URL carries a password: a plain string is not a Secret
    defineConfig({ ...base, state: { kind: "redis", url: "redis://:pw@redis:6379" } });
    // @ts-expect-error — redis state needs its URL
    defineConfig({ ...base, state: { kind: "redis" } });
    // @ts-expect-error — memory state has no URL
    defineConfig({ ...base, state: { kind: "memory", url: secret("REDIS_URL") } });
  });
});

describe("secret and durations", () => {
  it("secret() is a reference, and a plain string is not one", () => {
    expectTypeOf(secret("X")).toEqualTypeOf<Secret>();
    expectTypeOf<string>().not.toMatchTypeOf<Secret>();
  });

  it("durations are numbers or unit strings", () => {
    expectTypeOf<"3s">().toMatchTypeOf<Duration>();
    expectTypeOf<"250ms">().toMatchTypeOf<Duration>();
    expectTypeOf<1000>().toMatchTypeOf<Duration>();
    expectTypeOf<"3 seconds">().not.toMatchTypeOf<Duration>();
  });
});

describe("embeddings", () => {
  const models = {
    mini: { provider: "openai", name: "gpt-4o-mini", context: 128_000, price: { input: 0.15, output: 0.6 } },
    small: { kind: "embedding", provider: "openai", name: "text-embedding-3-small", dimensions: 1536, context: 8191, price: { input: 0.02 } },
    ada: { kind: "embedding", provider: "openai", name: "text-embedding-ada-002", dimensions: 1536, context: 8191, price: { input: 0.1 } },
  } as const;

  it("splits chat and embedding model ids, and types embedding routes by them", () => {
    const config = defineConfig({
      providers,
      models,
      routes: { chat: { model: "mini" }, search: { kind: "embedding", model: "small", fallback: ["ada"] } },
      teams: { app: { routes: ["chat", "search"] } },
    });
    expectTypeOf(config).toEqualTypeOf<SwitchyardConfig<"openai" | "anthropic", "mini", never, "chat" | "search", "app", "small" | "ada">>();
  });

  it("rejects a chat route naming an embedding model, and an embedding route naming a chat model", () => {
    defineConfig({
      providers,
      models,
      tiers: {
        fast: {
          models: [
            "mini",
            // @ts-expect-error — "small" is an embedding model: a chat tier lists chat models
            "small",
          ],
        },
      },
      routes: {
        // @ts-expect-error — "small" is an embedding model, not a chat model
        chat: { model: "small" },
        // @ts-expect-error — "mini" is a chat model, not an embedding model
        search: { kind: "embedding", model: "mini" },
        // @ts-expect-error — an embedding route falls back to embedding models only
        search2: { kind: "embedding", model: "small", fallback: ["mini"] },
        // @ts-expect-error — a chat route falls back to chat models and tiers only
        chat2: { model: "mini", fallback: ["ada"] },
      },
    });
  });

  it("checks an embedding model's own shape at the literal", () => {
    defineConfig({
      providers,
      models: {
        // @ts-expect-error — an embedding model declares its `dimensions`
        a: { kind: "embedding", provider: "openai", name: "e", context: 8191, price: { input: 0.02 } },
        // @ts-expect-error — an embedding model is priced per input token only
        b: { kind: "embedding", provider: "openai", name: "e", dimensions: 8, context: 8191, price: { input: 0.02, output: 1 } },
        // @ts-expect-error — provider "opneai" is not declared
        c: { kind: "embedding", provider: "opneai", name: "e", dimensions: 8, context: 8191, price: { input: 0.02 } },
      },
      routes: {
        // @ts-expect-error — an embedding route takes no validators
        search: { kind: "embedding", model: "c", validate: [{ kind: "json" }] },
      },
    });
  });
});
