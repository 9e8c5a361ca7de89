/**
 * @module @switchyard/sdk — the typed DSL imported by `routes.ts`.
 *
 * Every reference between sections (a model's provider, a tier's members, a route's tier, model,
 * fallback steps, long-context target and canary, a team's routes, an environment's overrides) is
 * typed by the keys declared in the same file, so a misspelt name is a TypeScript error at the
 * misspelt literal; every object is closed, so a misspelt property (`fallbak:`) is one too.
 *
 * @example
 * import { defineConfig, secret } from "@switchyard/sdk";
 * export default defineConfig({
 *   providers: { openai: { kind: "openai", apiKey: secret("OPENAI_API_KEY") } },
 *   models: { mini: { provider: "openai", name: "gpt-4o-mini", context: 128_000, price: { input: 0.15, output: 0.6 } } },
 *   routes: { chat: { model: "mini" } },
 * });
 */

import type { PromptDef } from "./prompts.ts";

export * from "./prompts.ts";

declare const secretBrand: unique symbol;

/** A reference to a secret held in an environment variable (or a Pulumi secret at deploy time). */
export interface Secret {
  readonly secret: string;
  readonly [secretBrand]: true;
}

/**
 * Name a secret by the environment variable that holds it. The value never enters the config,
 * the bundle, a log or a diagnostic.
 *
 * @example apiKey: secret("OPENAI_API_KEY")
 */
export function secret(envVar: string): Secret {
  return { secret: envVar } as Secret;
}

/** A duration: milliseconds as a number, or a string such as `"250ms"`, `"3s"`, `"5m"`, `"1h"`, `"1d"`. */
export type Duration = number | `${number}${"ms" | "s" | "m" | "h" | "d"}`;

// The value sets below are declared by @switchyard/ir's zod schemas; they are spelt out here so the SDK needs no
// dependency and editors show the literals. test/sdk/enums.test-d.ts pins each to the IR's, so drift fails the type tests.
export type ProviderKind = "openai" | "anthropic" | "mock" | "azure" | "gemini" | "bedrock" | "vertex";
/** How an `azure` provider authenticates: the `api-key` header (default) or a Microsoft Entra ID token. */
export type ProviderAuth = "api-key" | "entra";
export type Residency = "eu" | "us" | "any";
export type DataClass = "public" | "internal" | "confidential" | "restricted";
export type Lifecycle = "ga" | "preview" | "experimental" | "deprecated";
export type Capability = "tools" | "vision" | "json" | "streaming" | "reasoning";
/** What a model does and a route serves: `chat` (the default) or `embedding` (`POST /v1/embeddings`). */
export type ModelKind = "chat" | "embedding";
export type Strategy = "weighted" | "latency" | "cost" | "least-busy";
export type Optimize = "cost" | "latency" | "quality";
export type ErrorClass = "429" | "5xx" | "timeout" | "connection";
export type Severity = "error" | "warning" | "off";
/** What a router on Redis state does while Redis is unreachable. */
export type StateUnavailable = "serve-local" | "refuse";
/** An ISO date, `YYYY-MM-DD`. */
export type IsoDate = `${number}-${number}-${number}`;

/** The ids of the built-in policies (see docs/policies.md); test/sdk/policy-ids.test-d.ts pins them to the packs. */
export type BuiltinPolicyId =
  | "baseline/fallback-required"
  | "baseline/multi-provider"
  | "baseline/fallback-context"
  | "baseline/owners-set"
  | "baseline/no-inline-secrets"
  | "baseline/deprecated-models"
  | "baseline/route-has-caller"
  | "baseline/production-declared"
  | "baseline/prompt-variables"
  | "eu-residency/eu-providers-only"
  | "prod-safety/no-experimental-models"
  | "prod-safety/canary-first-step"
  | "prod-safety/team-budget"
  | "prod-safety/team-rate-limits"
  | "prod-safety/bounded-retries"
  | "prod-safety/timeouts-set"
  | "prod-safety/approved-providers"
  | "prod-safety/no-mock-providers"
  | "prod-safety/cache-scope"
  | "cost-guard/price-ceiling";

/** A policy id, `pack/name`: a built-in one (completed by editors) or one of your own packs. */
export type PolicyId = BuiltinPolicyId | (`${string}/${string}` & {});

/**
 * An exemption of this node from one policy, reviewed like any other change: why, and until when.
 * After `until` the waiver is an error and the policy's finding is back.
 *
 * @example waive: [{ policy: "baseline/multi-provider", reason: "EU-only confidential data: one approved provider (DPA-114)", until: "2026-09-30" }]
 */
export interface Waiver {
  policy: PolicyId;
  /** Why the policy does not apply here; shown in `check` output and as the SARIF suppression's justification. */
  reason: string;
  /** Last day (UTC) the waiver holds, `YYYY-MM-DD`. */
  until: IsoDate;
}

/** Timing and failure injection of the embedded mock provider. */
export interface MockDef {
  /** Delay before the first token. */
  ttft?: Duration;
  /** Delay between streamed chunks. */
  interChunk?: Duration;
  /** Fraction of calls that fail, 0..1. */
  failRate?: number;
  /** HTTP status a failing call answers with (default 503). */
  failStatus?: number;
  /** Reply text; `{route}`, `{model}` and `{prompt}` are replaced. */
  reply?: string;
  /** Prompt tokens reported as read from a prompt cache (`prompt_tokens_details.cached_tokens`), at most the prompt's. */
  cachedTokens?: number;
}

/** What every provider kind may say (G: the provider regions of the config, inferred so the proximity table can be typed against them). */
interface ProviderFields<G extends string = string> {
  baseUrl?: string;
  apiKey?: Secret;
  headers?: Record<string, string | Secret>;
  /**
   * Where the provider serves (residency checks, region-aware placement); for `bedrock` also the AWS region requests are
   * signed for, for `vertex` the Google Cloud location of its endpoint (`us-central1`, `global`).
   */
  region?: G;
  residency?: Residency;
  selfHosted?: boolean;
  mock?: MockDef;
  /** Exemptions of this entry from policies, each with a reason and an expiry date. */
  waive?: readonly Waiver[];
}

/**
 * A provider. `openai` speaks the OpenAI chat API (OpenAI, vLLM, Ollama, Groq…); `anthropic` the Messages API;
 * `azure` an Azure OpenAI resource (its endpoint as `baseUrl`; a model's `name` is its deployment); `gemini` Google's
 * Gemini API; `bedrock` AWS Bedrock's Converse API in `region`; `vertex` Gemini (and Claude: a model `name` starting
 * `claude-`) on Google Cloud's Vertex AI in `project` and `region`, with the pod's Google identity; `mock` answers
 * in-process (tests, demos).
 *
 * @example azure: { kind: "azure", baseUrl: "https://acme.openai.azure.com", apiKey: secret("AZURE_OPENAI_KEY"), apiVersion: "2024-10-21" }
 * @example bedrock: { kind: "bedrock", region: "eu-central-1" }
 * @example vertex: { kind: "vertex", project: "acme-prod", region: "europe-west4" }
 */
export type ProviderDef<G extends string = string> =
  | (ProviderFields<G> & { kind: "openai" | "anthropic" | "mock" | "gemini" })
  | (ProviderFields<G> & {
      kind: "azure";
      /** The resource's endpoint, e.g. `https://acme.openai.azure.com`. */
      baseUrl: string;
      /** The `api-version` query parameter; `v1` uses the v1 OpenAI-compatible path. */
      apiVersion?: string;
      auth?: ProviderAuth;
    })
  | (ProviderFields<G> & { kind: "bedrock"; region: G })
  | (ProviderFields<G> & {
      kind: "vertex";
      /** The Google Cloud location of the Vertex AI endpoint (`us-central1`, `europe-west4`, `global`). */
      region: G;
      /** The Google Cloud project id requests are made in (and billed to). */
      project: string;
    });

export interface ModelDef<P extends string> {
  /** A chat model (the default); an embedding model says `kind: "embedding"` (see EmbeddingModelDef). */
  kind?: "chat";
  provider: P;
  /** The model name sent upstream. */
  name: string;
  /** Context window, tokens. */
  context: number;
  maxOutput?: number;
  /**
   * USD per 1M tokens. `cachedInput`: input read from the provider's prompt cache; `cacheWrite`: input written to it
   * (Anthropic). Each defaults to `input`; reasoning tokens are output. See docs/concepts.md#pricing.
   */
  price: { input: number; output: number; cachedInput?: number; cacheWrite?: number };
  lifecycle?: Lifecycle;
  sunset?: IsoDate;
  owner?: string;
  capabilities?: readonly Capability[];
  /** Exemptions of this entry from policies, each with a reason and an expiry date. */
  waive?: readonly Waiver[];
}

export interface TierMemberDef<M extends string> {
  model: M;
  weight?: number;
}

export interface TierDef<M extends string> {
  /** Members: a model name (weight 1) or `{ model, weight }`. */
  models: ReadonlyArray<M | TierMemberDef<M>>;
  strategy?: Strategy;
  /** Exemptions of this entry from policies, each with a reason and an expiry date. */
  waive?: readonly Waiver[];
}

export type ValidatorDef =
  { kind: "json" } | { kind: "json-schema"; schema: Record<string, unknown> } | { kind: "regex"; pattern: string; flags?: string } | { kind: "non-empty" };

/** When a canary rolls back (any breach) and what it must show before it advances. */
export interface CanaryGuardDef {
  /** Highest error rate of the canary's attempts, 0..1. */
  maxErrorRate?: number;
  /** Highest p95 latency of the canary's successful attempts. */
  maxP95?: Duration;
  /** Highest canary p95 over the baseline arm's p95, e.g. `1.5`. */
  maxP95Ratio?: number;
  /** Highest share of canary answers a response validator rejected, 0..1. */
  maxValidationFailureRate?: number;
  /** Highest canary cost per request over the baseline arm's, e.g. `1.2`. */
  maxCostRatio?: number;
  /** Lowest mean feedback score of the canary arm (`POST /v1/feedback`), 0..1. */
  minScore?: number;
  /** Feedback scores needed before `minScore` is judged (default 20). */
  minSamples?: number;
  /** Requests each arm needs before the guard is judged (default 20). */
  minRequests?: number;
}

export interface CanaryDef<M extends string> {
  model: M;
  /** Percent of the route's traffic at each step, increasing, e.g. `[5, 25, 100]`. */
  steps: readonly number[];
  every: Duration;
  guard?: CanaryGuardDef;
  /** Keep a caller on one side by the request's `user` field (default) or by a header. */
  stickyBy?: "user" | { header: string };
}

/**
 * A route's response cache (docs/caching.md): identical requests within `ttl` are answered from the stored answer at
 * no cost to the team's budget. `scope: "team"` keeps each team's answers to itself; `"route"` shares them among every
 * caller of the route.
 *
 * @example cache: { ttl: "10m", scope: "team" }
 */
export interface RouteCacheDef {
  /** How long an answer is served from the cache (at most 30 days). */
  ttl: Duration;
  scope: "team" | "route";
  /** Also cache requests that sample (temperature absent or above 0); default false: only `temperature: 0` requests are cached. */
  sampled?: boolean;
  /** The share of requests you expect the cache to answer, 0..1: cost-guard discounts the route's expected price by it. */
  expectedHitRatio?: number;
}

// ---- Conditional rules (issue 24): `when: [{ if: {...}, use: { tier } | { model } }]`; see docs/routing.md#rules-when.

/** A complexity level the router derives per request from a cheap heuristic (see docs/routing.md#complexity). */
export type ComplexityLevel = "low" | "medium" | "high";

/** The tests of a rule's condition; every test written must hold. */
export interface RuleTestsDef<Tm extends string> {
  /** A tag of the `x-switchyard-tags` header or a `metadata` pair: `"risk:high"` (key and value) or `"risk"` (key present). */
  tag?: string;
  /** Pairs that must all equal the body's `metadata` (or tags of the same key). */
  metadata?: Record<string, string>;
  /** The caller's team. */
  team?: Tm;
  /** The caller's region (`x-switchyard-region`). */
  region?: string;
  /** Estimated prompt tokens above `over` and/or below `under`. */
  tokens?: { over?: number; under?: number };
  /** The request declares tools (true) or none (false). */
  tools?: boolean;
  /** The request holds image parts (true) or none (false). */
  images?: boolean;
  complexity?: ComplexityLevel;
}

/** A rule's condition: its tests AND-ed; `any` holds when at least one of its conditions holds. */
export interface RuleConditionDef<Tm extends string> extends RuleTestsDef<Tm> {
  any?: readonly RuleTestsDef<Tm>[];
}

/**
 * A conditional rule: when `if` holds, `use` replaces the route's primary target (the fallback chain is unchanged).
 *
 * @example { if: { tag: "risk:high" }, use: { tier: "frontier" } }
 */
export interface RouteRuleDef<T extends string, M extends string, Tm extends string> {
  if: RuleConditionDef<Tm>;
  use: { tier: T } | { model: M };
}

export interface RouteDef<T extends string, M extends string, Tm extends string = string> {
  /** A chat route (the default); an embedding route says `kind: "embedding"` (see EmbeddingRouteDef). */
  kind?: "chat";
  /** The tier that serves the route (or name a single `model`). */
  tier?: T;
  model?: M;
  optimize?: Optimize;
  dataClass?: DataClass;
  residency?: Residency;
  /** Tiers or models tried in order when the primary fails. */
  fallback?: ReadonlyArray<T | M>;
  retry?: { attempts?: number; on?: readonly ErrorClass[]; backoff?: Duration; maxRetryAfter?: Duration };
  timeout?: { firstToken?: Duration; total?: Duration };
  longContext?: { over: number; use: T | M };
  validate?: readonly ValidatorDef[];
  canary?: CanaryDef<M>;
  requires?: readonly Capability[];
  owner?: string;
  description?: string;
  logPayloads?: boolean;
  /** Response cache; absent: off. */
  cache?: RouteCacheDef;
  /** Ordered rules; the first whose condition holds replaces the primary target. */
  when?: ReadonlyArray<RouteRuleDef<T, M, Tm>>;
  /** Complexity score thresholds (0-100) for this route's rules; default `{ medium: 30, high: 60 }`. */
  complexity?: { medium: number; high: number };
  /** Exemptions of this entry from policies, each with a reason and an expiry date. */
  waive?: readonly Waiver[];
  /** Region-aware placement: see PlacementDef and docs/routing.md#region-aware-placement. */
  placement?: PlacementDef;
}

/**
 * Region-aware placement of a route. A caller's deployments are tried nearest first (its own region, then the
 * `regions` table's order); a deployment whose p95 latency is over `maxP95` yields to the next-nearest within it.
 *
 * @example placement: { maxP95: "4s" }
 */
export interface PlacementDef {
  /** The p95 latency target of this route's deployments (judged once a deployment has 10 samples). */
  maxP95?: Duration;
}

// ---- Embeddings (issue 20): models and routes of `POST /v1/embeddings`. Their ids are a key space of their own, so
// TypeScript rejects a chat route naming an embedding model, and an embedding route naming a chat model, at the literal.

/**
 * An embedding model: `kind: "embedding"`, the length of its vectors, and a price per input token (no output).
 * On an openai- or mock-kind provider (Anthropic has no embeddings API).
 *
 * @example small: { kind: "embedding", provider: "openai", name: "text-embedding-3-small", dimensions: 1536, context: 8191, price: { input: 0.02 } }
 */
export interface EmbeddingModelDef<P extends string> {
  kind: "embedding";
  provider: P;
  /** The model name sent upstream. */
  name: string;
  /** Length of the vectors it returns (every model an embedding route may answer with has the same). */
  dimensions: number;
  /** Most tokens of one input. */
  context: number;
  /** USD per 1M input tokens. */
  price: { input: number };
  lifecycle?: Lifecycle;
  sunset?: IsoDate;
  owner?: string;
  /** Exemptions of this entry from policies, each with a reason and an expiry date. */
  waive?: readonly Waiver[];
}

/**
 * An embedding route, served on `POST /v1/embeddings`: an embedding model, and embedding models of the same
 * `dimensions` to fall back to.
 *
 * @example search: { kind: "embedding", model: "small", fallback: ["small-azure"] }
 */
export interface EmbeddingRouteDef<E extends string> {
  kind: "embedding";
  model: E;
  /** Embedding models tried in order when the primary fails (same `dimensions`: a compile error otherwise). */
  fallback?: readonly E[];
  dataClass?: DataClass;
  residency?: Residency;
  retry?: { attempts?: number; on?: readonly ErrorClass[]; backoff?: Duration; maxRetryAfter?: Duration };
  timeout?: { total?: Duration };
  owner?: string;
  description?: string;
  /** Exemptions of this entry from policies, each with a reason and an expiry date. */
  waive?: readonly Waiver[];
}

/** The ids of a `models` section's embedding models (`kind: "embedding"`). */
export type EmbeddingModelIds<Ms> = { [K in keyof Ms]: Ms[K] extends { kind: "embedding" } ? K : never }[keyof Ms] & string;
/** The ids of a `models` section's chat models. */
export type ChatModelIds<Ms> = Exclude<keyof Ms & string, EmbeddingModelIds<Ms>>;
/** A route entry: chat, or embedding when the config declares embedding models (E). */
type AnyRouteDef<T extends string, M extends string, E extends string, Tm extends string = string> = [E] extends [never]
  ? RouteDef<T, M, Tm>
  : RouteDef<T, M, Tm> | EmbeddingRouteDef<E>;

export interface BudgetDef {
  usd: number;
  per?: "day" | "week" | "month";
  /** `hard` refuses past the budget; `soft` flags and allows. */
  mode?: "hard" | "soft";
  /** Fractions of the budget at which to alert, e.g. `[0.5, 0.8]`. */
  alertAt?: readonly number[];
}

export interface TeamDef<R extends string, G extends string = string> {
  /** The region of the team's callers when a request names none (a provider region or a `regions` key). */
  region?: G;
  keys?: readonly Secret[];
  routes: readonly R[];
  budget?: BudgetDef;
  limits?: { rpm?: number; tpm?: number };
  owner?: string;
  /** Exemptions of this entry from policies, each with a reason and an expiry date. */
  waive?: readonly Waiver[];
}

/** A policy pack: a built-in id (`baseline`, `eu-residency`, `prod-safety`, `cost-guard`) or a path. */
export type PolicyRef = string | { pack: string; severities?: Record<string, Severity>; options?: Record<string, unknown> };

export interface RouterSettingsDef {
  maxBodyBytes?: number;
  requestIdHeader?: string;
  /** The header a trusted proxy sets to the caller's region, lower case (default `x-switchyard-region`). */
  regionHeader?: string;
}

/** Where trace records go and where budget alerts are posted; see docs/observability.md. */
export interface TelemetryDef {
  /** JSON Lines trace records to `stdout` (default) or a file rotated by size. */
  jsonl?: { path?: "stdout" | (string & {}); maxBytes?: number; keep?: number };
  /** OpenTelemetry spans over OTLP/HTTP, e.g. `{ endpoint: "http://collector:4318/v1/traces" }`. */
  otlp?: { endpoint: string; headers?: Record<string, string | Secret>; serviceName?: string; maxQueue?: number; timeout?: Duration };
  /** Budget alerts (always logged and counted) also POSTed as JSON to a webhook. */
  alerts?: { webhook?: { url: string; headers?: Record<string, string | Secret> } };
}

/**
 * Where the router keeps budgets, rate limits, canary steps and releases; see docs/scaling.md. `memory` (the
 * default): each replica on its own. `redis`: shared by every replica through Redis or Valkey.
 *
 * @example state: { kind: "redis", url: secret("REDIS_URL"), onUnavailable: "refuse" }
 */
export type StateDef = { kind: "memory" } | RedisStateDef;

export interface RedisStateDef {
  kind: "redis";
  /** The environment variable holding `redis://[user:password@]host:6379[/db]` or `rediss://…` (TLS): always `secret(…)`, it carries the password. */
  url: Secret;
  /** Every key the router writes starts with it (then the environment); default `"switchyard"`. */
  keyPrefix?: string;
  /** While Redis is unreachable: keep serving on replica-local accounting (`"serve-local"`, default) or answer 503 (`"refuse"`). */
  onUnavailable?: StateUnavailable;
}

/**
 * What an override may write of a value: any part of an object, at any depth (`canary: { steps: [10, 50, 100] }`,
 * `price: { input: 12 }`), with every key still checked. Arrays, secrets and scalars are replaced whole.
 */
export type DeepPartial<V> = V extends Secret | readonly unknown[] | string | number | boolean
  ? V
  : V extends object
    ? { [K in keyof V]?: DeepPartial<V[K]> }
    : V;

type Overrides<K extends string, V> = { [Key in K]?: DeepPartial<V> };

/**
 * What an environment may change: parts of existing entries (deep-merged: objects key by key, arrays
 * replaced), the policy packs, router settings, and whether it is production.
 */
export interface EnvironmentDef<P extends string, M extends string, T extends string, R extends string, Tm extends string, E extends string = never> {
  /**
   * Production protections apply (no preview or experimental model outside a canary), whatever the
   * environment is called. An environment named like production (`prod`, `live`, `prd`…) should say so:
   * `baseline/production-declared` flags it when it does not.
   */
  production?: boolean;
  providers?: Overrides<P, ProviderDef>;
  models?: Overrides<M, ModelDef<P>> & Overrides<E, EmbeddingModelDef<P>>;
  tiers?: Overrides<T, TierDef<M>>;
  routes?: Overrides<R, AnyRouteDef<T, M, E, Tm>>;
  teams?: Overrides<Tm, TeamDef<R>>;
  policies?: readonly PolicyRef[];
  router?: RouterSettingsDef;
  telemetry?: TelemetryDef;
  /** Replaces the top-level `state` for this environment (whole, not merged). */
  state?: StateDef;
}

/**
 * The whole of `routes.ts`. Type parameters are the names declared in each section (M chat models, E embedding models,
 * G the providers' regions, Rg the caller regions of the `regions` table).
 */
export interface SwitchyardConfig<
  P extends string = string,
  M extends string = string,
  T extends string = string,
  R extends string = string,
  Tm extends string = string,
  E extends string = never,
  G extends string = string,
  Rg extends string = string,
  Pr extends Record<string, PromptDef<string>> = Record<string, PromptDef<R>>,
> {
  providers: Record<P, ProviderDef<G>>;
  models: Record<M, ModelDef<NoInfer<P>>> & Record<E, EmbeddingModelDef<NoInfer<P>>>;
  tiers?: Record<T, TierDef<NoInfer<M>>>;
  routes: Record<R, AnyRouteDef<NoInfer<T>, NoInfer<M>, NoInfer<E>, NoInfer<Tm>>>;
  teams?: Record<Tm, TeamDef<NoInfer<R>, NoInfer<G | Rg>>>;
  /**
   * Region-aware placement: a caller's region → the provider regions to prefer after its own, nearest first. A caller
   * region not listed prefers its own region only. See docs/routing.md#region-aware-placement.
   *
   * @example regions: { "eu-central": ["eu-west", "us-east"], "ap-south": ["eu-west"] }
   */
  regions?: Record<Rg, readonly NoInfer<G>[]>;
  /** Default policy packs, for environments that do not choose their own. */
  policies?: readonly PolicyRef[];
  router?: RouterSettingsDef;
  telemetry?: TelemetryDef;
  /** Where state lives (default in memory, per replica); an environment's own `state` replaces it. */
  state?: StateDef;
  environments?: Record<string, EnvironmentDef<NoInfer<P>, NoInfer<M>, NoInfer<T>, NoInfer<R>, NoInfer<Tm>, NoInfer<E>>>;
  /** Named prompt templates clients render by id (`promptRequest`); see docs/prompts.md. */
  prompts?: Pr;
}

/**
 * Declare a Switchyard configuration. Returns its argument unchanged; its value is the types.
 *
 * @example export default defineConfig({ providers: {…}, models: {…}, tiers: {…}, routes: {…} });
 */
export function defineConfig<
  const P extends string,
  // The `models` section is inferred whole, so each id's kind is known: chat ids (M) and embedding ids (E) are split from it.
  // While a model's literal has a type error its ids are plain strings: references to models are then checked by the compiler (SY0202, SY0203).
  const Ms extends Record<string, ModelDef<NoInfer<P>> | EmbeddingModelDef<NoInfer<P>>>,
  const T extends string = never,
  const R extends string = never,
  const Tm extends string = never,
  // Provider regions (G) and the `regions` table's caller regions (Rg): a misspelt region there or in a team is a type error.
  const G extends string = never,
  const Rg extends string = never,
  // Prompts are inferred whole too: their template literals give each prompt's variables (promptRequest's types).
  const Pr extends Record<string, PromptDef<NoInfer<R>>> = Record<string, PromptDef<R>>,
>(
  config: Omit<SwitchyardConfig<P, ChatModelIds<Ms>, T, R, Tm, EmbeddingModelIds<Ms>, G, Rg, Pr>, "models"> & { models: Ms },
): SwitchyardConfig<P, ChatModelIds<Ms>, T, R, Tm, EmbeddingModelIds<Ms>, string, string, Pr> {
  return config as SwitchyardConfig<P, ChatModelIds<Ms>, T, R, Tm, EmbeddingModelIds<Ms>, string, string, Pr>;
}
