/** @module The compiled configuration (IR): the one contract between compiler, router, policies and Pulumi. */
import { z } from "zod";
import { PROMPT_VARIABLE } from "./prompts.ts";

/** Bumped whenever a compiled `switchyard.json` from an older compiler cannot be read as-is. */
export const IR_VERSION = 1 as const;

/** Stable identifiers: what users write as keys in routes.ts. */
export const IdSchema = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9._-]{0,63}$/, "an id starts with a letter and holds only letters, digits, '.', '_' or '-' (at most 64)");

/** A reference to a secret held outside the config (an environment variable name). Never a value. */
export const SecretRefSchema = z.strictObject({
  secret: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, "a secret reference names an environment variable in UPPER_SNAKE_CASE"),
});

export const RegionSchema = z.string().min(1);
/**
 * Region-aware placement (issue 24): a region id as callers and the proximity table write it (the header's own form:
 * letters, digits, '.', '_', '-'). `regions` maps a caller's region to the provider regions to prefer after its own,
 * nearest first; a route's `placement.maxP95Ms` is the p95 above which its deployments yield to the next-nearest.
 */
export const RegionIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, "a region id holds only letters, digits, '.', '_' or '-' (at most 64)");
export const ProximitySchema = z.record(RegionIdSchema, z.array(RegionIdSchema).max(64));
export const PlacementSchema = z.strictObject({
  /** A deployment whose p95 latency is above this (ms) yields to the next-nearest deployments that are within it. */
  maxP95Ms: z.number().int().positive().max(600_000).optional(),
});
/**
 * The DSL's enums are declared here once: the compiler's DSL schema (packages/compiler/src/validate/dsl-schema.ts)
 * reuses these schemas, and the SDK's literal unions, which users import without this package, are pinned to them
 * by test/sdk/enums.test-d.ts, so a value added here and not there fails the type tests.
 */
export const ProviderKindSchema = z.enum(["openai", "anthropic", "mock", "azure", "gemini", "bedrock", "vertex"]);
/**
 * How an `azure` provider authenticates: `api-key` (the `api-key` header from `apiKey`, the default) or `entra` (a
 * Microsoft Entra ID bearer token the router obtains and refreshes from the standard AZURE_* environment variables).
 */
export const ProviderAuthSchema = z.enum(["api-key", "entra"]);
export const ResidencySchema = z.enum(["eu", "us", "any"]);
export const DataClassSchema = z.enum(["public", "internal", "confidential", "restricted"]);
export const LifecycleSchema = z.enum(["ga", "preview", "experimental", "deprecated"]);
export const CapabilitySchema = z.enum(["tools", "vision", "json", "streaming", "reasoning"]);
export const StrategySchema = z.enum(["weighted", "latency", "cost", "least-busy"]);
export const OptimizeSchema = z.enum(["cost", "latency", "quality"]);
/** Error classes a route may retry on. */
export const ErrorClassSchema = z.enum(["429", "5xx", "timeout", "connection"]);
export const BudgetPeriodSchema = z.enum(["day", "week", "month"]);
export const SeveritySchema = z.enum(["error", "warning", "off"]);
/** `hard` refuses past the budget; `soft` flags and allows. */
export const BudgetModeSchema = z.enum(["hard", "soft"]);
/** Where a router keeps budgets, rate limits, canary steps and releases (the discriminant of StateSchema). */
export const StateKindSchema = z.enum(["memory", "redis"]);
/** What a router on shared state does while Redis is unreachable: keep serving on replica-local accounting, or answer 503. */
export const StateUnavailableSchema = z.enum(["serve-local", "refuse"]);
/**
 * What a model does and a route serves: `chat` (generation: Chat Completions, Responses, Messages) or `embedding`
 * (`POST /v1/embeddings`). Absent means chat, so releases written before embeddings keep their hash.
 */
export const ModelKindSchema = z.enum(["chat", "embedding"]);
/** Largest embedding vector a model may declare (the widest models today have a few thousand). */
export const MAX_EMBEDDING_DIMENSIONS = 65_536;
/** The kinds of output validator (the discriminant of ValidatorSchema). */
export const ValidatorKindSchema = z.enum(["json", "json-schema", "regex", "non-empty"]);

/**
 * Upper bounds that no real config comes near and that keep arithmetic on them finite and meaningful (an
 * uploaded release is hostile input: issue 17). Prices are USD per 1M tokens (the dearest models cost
 * hundreds); context windows are tokens (the longest are ~10M); rates are per minute; budgets per period.
 */
export const MAX_MOCK_DELAY_MS = 600_000;
export const MAX_PRICE_PER_MTOK = 10_000;
export const MAX_CONTEXT_TOKENS = 100_000_000;
export const MAX_RPM = 100_000_000;
export const MAX_TPM = 1_000_000_000_000;
export const MAX_BUDGET_USD = 1_000_000_000;

/** Failure injection and timing for the embedded mock provider. */
export const MockBehaviourSchema = z.strictObject({
  /** Delay before the first token, milliseconds. */
  ttftMs: z.number().int().nonnegative().max(MAX_MOCK_DELAY_MS).default(0),
  /** Delay between streamed chunks, milliseconds. */
  interChunkMs: z.number().int().nonnegative().max(MAX_MOCK_DELAY_MS).default(0),
  /** Fraction of calls that fail, 0..1 (deterministic per request id). */
  failRate: z.number().min(0).max(1).default(0),
  /** HTTP status a failing call answers with. */
  failStatus: z.number().int().min(400).max(599).default(503),
  /** Text the mock answers with; `{route}`, `{model}` and `{prompt}` are replaced. */
  reply: z.string().optional(),
  /** Prompt tokens the mock reports as read from a prompt cache (`cached_tokens`), at most the prompt's. */
  cachedTokens: z.number().int().nonnegative().max(MAX_CONTEXT_TOKENS).optional(),
});

/** Largest tier weight: weights are relative, and a sum must stay finite. */
export const MAX_WEIGHT = 1_000_000;

/** An http(s) URL (no `file:`, `data:`…): where the router sends requests. */
export const HttpUrlSchema = z.url().regex(/^https?:\/\//, "must be an http:// or https:// URL");

/**
 * A Google Cloud project id (`acme-prod`; 6–30 lowercase letters, digits and hyphens, starting with a letter), or a
 * legacy domain-scoped one (`example.com:acme`): it goes into the Vertex AI endpoint's path.
 */
export const GcpProjectSchema = z
  .string()
  .regex(
    /^(?:[a-z0-9.-]{1,63}:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$/,
    "a Google Cloud project id: 6–30 lowercase letters, digits or hyphens, starting with a letter",
  );

export const ProviderSchema = z.strictObject({
  kind: ProviderKindSchema,
  baseUrl: HttpUrlSchema.optional(),
  apiKey: SecretRefSchema.optional(),
  /** Extra headers sent upstream (values may be secret references). */
  headers: z.record(z.string(), z.union([z.string(), SecretRefSchema])).default({}),
  /**
   * Where the provider serves; for `bedrock` also the AWS region requests are signed for, for `vertex` the Google Cloud
   * location its endpoint is in (`us-central1`, `global`): required there.
   */
  region: RegionSchema.optional(),
  residency: ResidencySchema.optional(),
  selfHosted: z.boolean().default(false),
  mock: MockBehaviourSchema.optional(),
  /** `azure`: the `api-version` query parameter (`v1`: the v1 OpenAI-compatible path, which takes none). */
  apiVersion: z.string().min(1).max(64).optional(),
  /** `azure`: how the router authenticates (absent: `api-key`). */
  auth: ProviderAuthSchema.optional(),
  /** `vertex`: the Google Cloud project id the requests are made in (required there, refused elsewhere). */
  project: GcpProjectSchema.optional(),
});

export const PriceSchema = z.strictObject({
  /** USD per 1M input tokens. */
  input: z.number().nonnegative().max(MAX_PRICE_PER_MTOK),
  /** USD per 1M output tokens (reasoning tokens are output). */
  output: z.number().nonnegative().max(MAX_PRICE_PER_MTOK),
  /** USD per 1M input tokens read from the provider's prompt cache; unset: `input` (see priceTokens). */
  cachedInput: z.number().nonnegative().max(MAX_PRICE_PER_MTOK).optional(),
  /** USD per 1M input tokens written to the prompt cache (Anthropic); unset: `input`. */
  cacheWrite: z.number().nonnegative().max(MAX_PRICE_PER_MTOK).optional(),
});

export const ModelSchema = z.strictObject({
  provider: IdSchema,
  /** The upstream model name sent to the provider. */
  name: z.string().min(1),
  /** Context window in tokens. */
  context: z.number().int().positive().max(MAX_CONTEXT_TOKENS),
  maxOutput: z.number().int().positive().max(MAX_CONTEXT_TOKENS).optional(),
  price: PriceSchema,
  lifecycle: LifecycleSchema.default("ga"),
  /** ISO date (YYYY-MM-DD) after which the model is deprecated. */
  sunset: z.iso.date().optional(),
  owner: z.string().min(1).optional(),
  capabilities: z.array(CapabilitySchema).default([]),
  // Embeddings (issue 20): an embedding model (`kind: "embedding"`) declares the length of its vectors; its price has no output (0).
  kind: ModelKindSchema.optional(),
  dimensions: z.number().int().positive().max(MAX_EMBEDDING_DIMENSIONS).optional(),
});

export const TierMemberSchema = z.strictObject({
  model: IdSchema,
  /** Relative share, > 0 and at most MAX_WEIGHT. */
  weight: z.number().positive().max(MAX_WEIGHT),
});

export const TierSchema = z.strictObject({
  models: z.array(TierMemberSchema).min(1),
  strategy: StrategySchema.optional(),
});

/** A step of a fallback chain, or the target of a long-context rule: a tier or a single model. */
export const TargetRefSchema = z.union([z.strictObject({ tier: IdSchema }), z.strictObject({ model: IdSchema })]);

export const RetrySchema = z.strictObject({
  /** Attempts per candidate including the first (1 = no retry); at most 10. */
  attempts: z.number().int().positive().max(10).default(1),
  on: z.array(ErrorClassSchema).default(["429", "5xx", "timeout", "connection"]),
  /** Base backoff in milliseconds; the n-th retry waits base·2ⁿ with full jitter. */
  backoffMs: z.number().int().nonnegative().max(60_000).default(200),
  /** Longest wait the router honours from an upstream `Retry-After` (at most 10 minutes). */
  maxRetryAfterMs: z.number().int().nonnegative().max(600_000).default(5_000),
});

export const TimeoutSchema = z.strictObject({
  firstTokenMs: z.number().int().positive().optional(),
  totalMs: z.number().int().positive().optional(),
});

export const ValidatorSchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal(ValidatorKindSchema.enum.json) }),
  z.strictObject({ kind: z.literal(ValidatorKindSchema.enum["json-schema"]), schema: z.record(z.string(), z.unknown()) }),
  z.strictObject({ kind: z.literal(ValidatorKindSchema.enum.regex), pattern: z.string(), flags: z.string().default("") }),
  z.strictObject({ kind: z.literal(ValidatorKindSchema.enum["non-empty"]) }),
]);

export const CanaryGuardSchema = z.strictObject({
  maxErrorRate: z.number().min(0).max(1).optional(),
  maxP95Ms: z.number().positive().optional(),
  /** Canary p95 latency over the baseline arm's (e.g. 1.5: at most 50 % slower). */
  maxP95Ratio: z.number().positive().optional(),
  /** Share of canary attempts a response validator rejected. */
  maxValidationFailureRate: z.number().min(0).max(1).optional(),
  /** Canary cost per request over the baseline arm's (e.g. 1.2: at most 20 % dearer). */
  maxCostRatio: z.number().positive().optional(),
  /** Lowest mean feedback score (`POST /v1/feedback`, 0..1) of the canary arm. */
  minScore: z.number().min(0).max(1).optional(),
  /** Feedback scores the canary arm needs before `minScore` is judged (absent: 20; no default written, so releases without it keep their hash). */
  minSamples: z.number().int().positive().optional(),
  /** Requests the canary (and, for ratios, the baseline) must have served in a window before the guard is judged. */
  minRequests: z.number().int().nonnegative().default(20),
});

export const CanarySchema = z.strictObject({
  model: IdSchema,
  /** Percent of the route's traffic at each step, each in (0, 100] and increasing, e.g. [5, 25, 100]. */
  steps: z.array(z.number().gt(0).lte(100)).min(1).max(100),
  /** Time between steps, milliseconds. */
  everyMs: z.number().int().positive(),
  guard: CanaryGuardSchema.default({ minRequests: 20 }),
  /** Which request field keeps a caller on one side: the `user` field, or a header. */
  stickyBy: z.union([z.literal("user"), z.strictObject({ header: z.string().min(1) })]).default("user"),
});

export const LongContextSchema = z.strictObject({
  /** Prompt tokens above which the rule applies. */
  over: z.number().int().positive(),
  use: TargetRefSchema,
});

/** Who shares a route's cached answers: each team its own (`team`), or every caller of the route (`route`). */
export const CacheScopeSchema = z.enum(["team", "route"]);

/** Longest time a cached answer may be served: 30 days. */
export const MAX_CACHE_TTL_MS = 30 * 24 * 3_600_000;

/**
 * A route's response cache (issue 22; docs/caching.md): identical requests within `ttlMs` are answered from the
 * stored answer, at no cost to the team's budget. Absent: no cache.
 */
export const RouteCacheSchema = z.strictObject({
  /** How long an answer is served from the cache, ms. */
  ttlMs: z.number().int().positive().max(MAX_CACHE_TTL_MS),
  scope: CacheScopeSchema,
  /** Also cache requests that sample (temperature absent or above 0): repeated callers then get the same answer. */
  sampled: z.boolean().default(false),
  /** The share of requests the author expects to be answered from the cache, 0..1: only cost-guard reads it. */
  expectedHitRatio: z.number().min(0).max(1).optional(),
});
// Conditional rules (issue 24, part A): `when: [{ if, use }]`, first match replaces the primary target; see docs/routing.md.
/** The complexity levels a rule may test (the router derives one per request from a score, see `complexity`). */
export const ComplexityLevelSchema = z.enum(["low", "medium", "high"]);
const RuleTestsShape = {
  /** A tag `key:value` (or a bare `key`) of the `x-switchyard-tags` header or the body's `metadata`. */
  tag: z.string().min(1).max(128).optional(),
  /** Every pair must equal the body's `metadata` (or a tag of the same key). */
  metadata: z.record(z.string().min(1), z.string()).optional(),
  /** The caller's team. */
  team: IdSchema.optional(),
  /** The caller's region (`x-switchyard-region`). */
  region: z.string().min(1).optional(),
  /** Estimated prompt tokens: `over` (>) and/or `under` (<). */
  tokens: z.strictObject({ over: z.number().int().nonnegative().optional(), under: z.number().int().positive().optional() }).optional(),
  /** Whether the request declares tools. */
  tools: z.boolean().optional(),
  /** Whether the request holds image parts. */
  images: z.boolean().optional(),
  /** The request's complexity level. */
  complexity: ComplexityLevelSchema.optional(),
};
/** One rule's condition: every test written must hold (AND); `any` holds when at least one of its conditions does (OR). */
export const RuleConditionSchema = z.strictObject({ ...RuleTestsShape, any: z.array(z.strictObject(RuleTestsShape)).min(1).optional() });
export const RouteRuleSchema = z.strictObject({ if: RuleConditionSchema, use: TargetRefSchema });
/** Complexity score thresholds (0-100): a score ≥ `medium` is medium, ≥ `high` is high. */
export const ComplexityThresholdsSchema = z
  .strictObject({ medium: z.number().min(0).max(100), high: z.number().min(0).max(100) })
  .refine((t) => t.medium <= t.high, { message: "complexity.medium must not exceed complexity.high" });

export const RouteSchema = z
  .strictObject({
    tier: IdSchema.optional(),
    model: IdSchema.optional(),
    optimize: OptimizeSchema.default("quality"),
    dataClass: DataClassSchema.default("internal"),
    residency: ResidencySchema.default("any"),
    fallback: z.array(TargetRefSchema).default([]),
    retry: RetrySchema.default({ attempts: 1, on: ["429", "5xx", "timeout", "connection"], backoffMs: 200, maxRetryAfterMs: 5_000 }),
    timeout: TimeoutSchema.default({}),
    longContext: LongContextSchema.optional(),
    validate: z.array(ValidatorSchema).default([]),
    canary: CanarySchema.optional(),
    requires: z.array(CapabilitySchema).default([]),
    owner: z.string().min(1).optional(),
    description: z.string().optional(),
    /** Opt in to prompt/completion text in traces. */
    logPayloads: z.boolean().default(false),
    // Embeddings (issue 20): an embedding route (`kind: "embedding"`) is served on POST /v1/embeddings by embedding models only.
    kind: ModelKindSchema.optional(),
    /** Response cache (chat routes only); absent: off. */
    cache: RouteCacheSchema.optional(),
    // Conditional rules (issue 24): optional, so releases without them keep their hash.
    when: z.array(RouteRuleSchema).max(64).optional(),
    complexity: ComplexityThresholdsSchema.optional(),
    /** Region-aware placement (issue 24): the p95 target deployments of this route must meet to keep their place. */
    placement: PlacementSchema.optional(),
  })
  .refine((r) => (r.tier === undefined) !== (r.model === undefined), {
    message: "a route names exactly one of `tier` or `model`",
  });

export const BudgetSchema = z.strictObject({
  usd: z.number().nonnegative().max(MAX_BUDGET_USD),
  per: BudgetPeriodSchema.default("month"),
  mode: BudgetModeSchema.default("hard"),
  alertAt: z.array(z.number().gt(0).lte(1)).default([]),
});

export const LimitsSchema = z.strictObject({
  rpm: z.number().int().positive().max(MAX_RPM).optional(),
  tpm: z.number().int().positive().max(MAX_TPM).optional(),
});

export const TeamSchema = z.strictObject({
  keys: z.array(SecretRefSchema).default([]),
  routes: z.array(IdSchema).default([]),
  budget: BudgetSchema.optional(),
  limits: LimitsSchema.optional(),
  owner: z.string().min(1).optional(),
  /** Region-aware placement (issue 24): the team's callers' region when their request names none. */
  region: RegionIdSchema.optional(),
});

/** A policy pack selected for the environment: a built-in id or a path, with severity overrides. */
export const PolicySelectionSchema = z.strictObject({
  pack: z.string().min(1),
  severities: z.record(z.string(), SeveritySchema).default({}),
  options: z.record(z.string(), z.unknown()).default({}),
});

/**
 * The default request-body limit, 32 MiB: Anthropic's Messages API's own request limit, and room for several phone
 * photos sent as base64 (a 3.6 MB photo is ~4.8 MB of JSON). See docs/security.md.
 */
export const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;

/** The largest `router.maxBodyBytes`, 256 MiB: V8's longest string is 512 Mi characters, and a body is read as one. */
export const MAX_BODY_BYTES_LIMIT = 256 * 1024 * 1024;

/** `router.maxBodyBytes` (routes.ts and the IR alike). */
export const MaxBodyBytesSchema = z
  .number()
  .int()
  .positive()
  .max(MAX_BODY_BYTES_LIMIT, `must be at most ${MAX_BODY_BYTES_LIMIT} (256 MiB): the router reads a body as one string`);

export const RouterSettingsSchema = z.strictObject({
  maxBodyBytes: MaxBodyBytesSchema.default(DEFAULT_MAX_BODY_BYTES),
  /** Header that carries a caller-chosen request id, echoed back. */
  requestIdHeader: z.string().default("x-request-id"),
  /** Region-aware placement (issue 24): the header a trusted proxy sets to the caller's region (absent: `x-switchyard-region`). */
  regionHeader: z
    .string()
    .regex(/^[a-z0-9-]{1,64}$/, "a header name in lower case: letters, digits and '-'")
    .optional(),
});

/** Where the router's trace records go and where budget alerts are posted (chosen per environment). */
export const TelemetrySchema = z.strictObject({
  /** JSON Lines, one trace record per line, to stdout or a size-rotated file. */
  jsonl: z
    .strictObject({
      /** `stdout` or a file path (relative to the router's working directory). */
      path: z.string().min(1).default("stdout"),
      /** Rotate before the file grows past this many bytes. */
      maxBytes: z
        .number()
        .int()
        .positive()
        .default(64 * 1024 * 1024),
      /** Rotated files kept (`path.1` newest … `path.N`). */
      keep: z.number().int().nonnegative().max(100).default(5),
    })
    .optional(),
  /** OpenTelemetry spans over OTLP/HTTP (protobuf-free JSON encoding). */
  otlp: z
    .strictObject({
      /** The traces endpoint, e.g. `http://collector:4318/v1/traces`. */
      endpoint: HttpUrlSchema,
      headers: z.record(z.string(), z.union([z.string(), SecretRefSchema])).default({}),
      serviceName: z.string().min(1).default("switchyard-router"),
      /** Requests buffered while the collector is slow or down; beyond it they are dropped (and counted). */
      maxQueue: z.number().int().positive().default(2048),
      /** Per export request. */
      timeoutMs: z.number().int().positive().default(5_000),
    })
    .optional(),
  /** Budget alerts are always logged and counted; a webhook also receives them as JSON POSTs. */
  alerts: z
    .strictObject({
      webhook: z.strictObject({ url: HttpUrlSchema, headers: z.record(z.string(), z.union([z.string(), SecretRefSchema])).default({}) }).optional(),
    })
    .optional(),
});

/** Default `keyPrefix` of Redis state: every key the router writes starts with it (then the environment). */
export const DEFAULT_STATE_KEY_PREFIX = "switchyard";

/**
 * A Redis key prefix: letters, digits and `.`, `_`, `-`, `:` (no spaces, no `{}`, which would form Redis Cluster
 * hash tags of their own), starting with a letter, at most 64 characters.
 */
export const StateKeyPrefixSchema = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9._:-]{0,63}$/, "a key prefix starts with a letter and holds only letters, digits, '.', '_', '-' or ':' (at most 64)");

/**
 * Where the router keeps its state. `memory` (the default; a release without `state` means it): every replica on its
 * own. `redis`: budgets, rate limits, canary steps and releases shared through Redis/Valkey; the URL is a secret
 * reference (it carries the password), never a value.
 */
export const StateSchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal(StateKindSchema.enum.memory) }),
  z.strictObject({
    kind: z.literal(StateKindSchema.enum.redis),
    /** The environment variable holding `redis://[user:password@]host:port[/db]` or `rediss://…` (TLS). */
    url: SecretRefSchema,
    keyPrefix: StateKeyPrefixSchema.default(DEFAULT_STATE_KEY_PREFIX),
    onUnavailable: StateUnavailableSchema.default("serve-local"),
  }),
]);

// ---- Prompts as code (issue 24): named templates rendered by the router before routing; see ./prompts.ts and docs/prompts.md.
export const PromptRoleSchema = z.enum(["system", "user", "assistant"]);

export const PromptMessageSchema = z.strictObject({
  role: PromptRoleSchema,
  /** The text, with `{{name}}` placeholders. */
  content: z.string().min(1).max(1_000_000),
});

export const PromptVariableSchema = z.strictObject({
  description: z.string().optional(),
  /** Used when the caller does not send the variable (a variable without one is required). */
  default: z.string().optional(),
  /** Longest value a caller may send, characters (a longer one is refused with 400). */
  maxLength: z.number().int().positive().optional(),
});

/** Sampling defaults a prompt brings: used when the request does not set them. */
export const PromptParamsSchema = z.strictObject({
  temperature: z.number().min(0).max(2).optional(),
  topP: z.number().gt(0).max(1).optional(),
  maxTokens: z.number().int().positive().optional(),
});

const PromptMessagesSchema = z.array(PromptMessageSchema).min(1).max(64);

/** A second version of the prompt's messages, served to a sticky share of callers that grows step by step under guards. */
export const PromptCanarySchema = z.strictObject({
  messages: PromptMessagesSchema,
  /** Percent of the prompt's requests at each step, increasing, e.g. [5, 25, 100]. */
  steps: z.array(z.number().gt(0).lte(100)).min(1).max(100),
  everyMs: z.number().int().positive(),
  guard: CanaryGuardSchema.default({ minRequests: 20 }),
  stickyBy: z.union([z.literal("user"), z.strictObject({ header: z.string().min(1) })]).default("user"),
});

export const PromptSchema = z.strictObject({
  messages: PromptMessagesSchema,
  /** Every variable a version's templates use (the compiler adds the inferred ones), with defaults and limits. */
  variables: z.record(z.string().regex(PROMPT_VARIABLE, "a variable name is an identifier: letters, digits and '_'"), PromptVariableSchema).default({}),
  /** The route a request with this prompt and no `model` goes to. */
  route: IdSchema.optional(),
  params: PromptParamsSchema.optional(),
  canary: PromptCanarySchema.optional(),
  owner: z.string().min(1).optional(),
  description: z.string().optional(),
});

export const ConfigSchema = z.strictObject({
  irVersion: z.literal(IR_VERSION),
  environment: IdSchema,
  /**
   * Declared by `environments.<name>.production` in routes.ts: production protections (no preview or
   * experimental model outside a canary) apply. Absent when not declared, so older releases keep their
   * hash; `isProduction` then falls back to the name (see PRODUCTION_NAME).
   */
  production: z.boolean().optional(),
  providers: z.record(IdSchema, ProviderSchema),
  models: z.record(IdSchema, ModelSchema),
  tiers: z.record(IdSchema, TierSchema).default({}),
  routes: z.record(IdSchema, RouteSchema),
  teams: z.record(IdSchema, TeamSchema).default({}),
  policies: z.array(PolicySelectionSchema).default([]),
  router: RouterSettingsSchema.default({ maxBodyBytes: DEFAULT_MAX_BODY_BYTES, requestIdHeader: "x-request-id" }),
  /** Optional so releases without telemetry keep their hash. */
  telemetry: TelemetrySchema.optional(),
  /** Absent means in memory, per replica (the compiler omits `{ kind: "memory" }`, so such releases keep their hash). */
  state: StateSchema.optional(),
  /** Region-aware placement (issue 24): caller region → provider regions nearest first (after its own). Optional so releases without it keep their hash. */
  regions: ProximitySchema.optional(),
  /** Named prompt templates (absent when none, so releases without prompts keep their hash). */
  prompts: z.record(IdSchema, PromptSchema).optional(),
});

export type SecretRef = z.output<typeof SecretRefSchema>;
export type Residency = z.output<typeof ResidencySchema>;
export type DataClass = z.output<typeof DataClassSchema>;
export type Lifecycle = z.output<typeof LifecycleSchema>;
export type Capability = z.output<typeof CapabilitySchema>;
export type Strategy = z.output<typeof StrategySchema>;
export type Optimize = z.output<typeof OptimizeSchema>;
export type ErrorClass = z.output<typeof ErrorClassSchema>;
export type BudgetPeriod = z.output<typeof BudgetPeriodSchema>;
export type BudgetMode = z.output<typeof BudgetModeSchema>;
export type ProviderKind = z.output<typeof ProviderKindSchema>;
export type ProviderAuth = z.output<typeof ProviderAuthSchema>;
export type ValidatorKind = z.output<typeof ValidatorKindSchema>;
export type ModelKind = z.output<typeof ModelKindSchema>;
export type Severity = z.output<typeof SeveritySchema>;
export type MockBehaviour = z.output<typeof MockBehaviourSchema>;
export type Provider = z.output<typeof ProviderSchema>;
export type Price = z.output<typeof PriceSchema>;
export type Model = z.output<typeof ModelSchema>;
export type TierMember = z.output<typeof TierMemberSchema>;
export type Tier = z.output<typeof TierSchema>;
export type TargetRef = z.output<typeof TargetRefSchema>;
export type Retry = z.output<typeof RetrySchema>;
export type Timeout = z.output<typeof TimeoutSchema>;
export type Validator = z.output<typeof ValidatorSchema>;
export type CanaryGuard = z.output<typeof CanaryGuardSchema>;
export type Canary = z.output<typeof CanarySchema>;
export type LongContext = z.output<typeof LongContextSchema>;
export type Route = z.output<typeof RouteSchema>;
export type CacheScope = z.output<typeof CacheScopeSchema>;
export type RouteCache = z.output<typeof RouteCacheSchema>;
export type RuleCondition = z.output<typeof RuleConditionSchema>;
export type RouteRule = z.output<typeof RouteRuleSchema>;
export type ComplexityLevel = z.output<typeof ComplexityLevelSchema>;
export type ComplexityThresholds = z.output<typeof ComplexityThresholdsSchema>;
export type Budget = z.output<typeof BudgetSchema>;
export type Limits = z.output<typeof LimitsSchema>;
export type Team = z.output<typeof TeamSchema>;
export type PolicySelection = z.output<typeof PolicySelectionSchema>;
export type RouterSettings = z.output<typeof RouterSettingsSchema>;
export type Telemetry = z.output<typeof TelemetrySchema>;
export type StateKind = z.output<typeof StateKindSchema>;
export type StateUnavailable = z.output<typeof StateUnavailableSchema>;
export type State = z.output<typeof StateSchema>;
export type Proximity = z.output<typeof ProximitySchema>;
export type Placement = z.output<typeof PlacementSchema>;
/** The Redis form of `State`. */
export type RedisState = Extract<State, { kind: "redis" }>;
/** A compiled, validated configuration for one environment. */
export type Config = z.output<typeof ConfigSchema>;
/** What the compiler hands to `ConfigSchema` (defaults not yet applied). */
export type ConfigInput = z.input<typeof ConfigSchema>;
