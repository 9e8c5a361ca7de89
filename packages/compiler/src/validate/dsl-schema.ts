/**
 * @module validate/dsl-schema — zod schemas of what users write in routes.ts (the DSL, before
 * lowering). Every object is strict so a misspelt property is reported even where TypeScript
 * stopped at the first error of an object literal. Messages never echo values (they may be secrets).
 */
import {
  BudgetModeSchema,
  BudgetPeriodSchema,
  CacheScopeSchema,
  CapabilitySchema,
  ComplexityThresholdsSchema,
  DataClassSchema,
  ErrorClassSchema,
  LifecycleSchema,
  MaxBodyBytesSchema,
  ModelKindSchema,
  OptimizeSchema,
  ProviderKindSchema,
  GcpProjectSchema,
  ProviderAuthSchema,
  ProximitySchema,
  RegionIdSchema,
  ResidencySchema,
  RouteRuleSchema,
  RouterSettingsSchema,
  SeveritySchema,
  StateKeyPrefixSchema,
  StateKindSchema,
  StateUnavailableSchema,
  StrategySchema,
  ValidatorKindSchema,
} from "@switchyard/ir";
import { z } from "zod";
import { parseDuration } from "./duration.ts";

/** Marks an issue with the catalogue code it maps to. */
const withCode = (code: string) => ({ params: { sy: code } });

const Duration = z.unknown().superRefine((value, context) => {
  if (parseDuration(value) === undefined) {
    context.addIssue({
      code: "custom",
      message: 'expected a duration such as "250ms", "3s", "5m", "1h" or a positive number of milliseconds',
      ...withCode("SY0103"),
    });
  }
});

/** Strings pass here so the inline-secret check can report them with its own code (never echoing them). */
const SecretLike = z.union([z.string(), z.strictObject({ secret: z.string() })]);

// The enums are the IR's own schemas: one declaration per value set, so the DSL cannot accept a value the IR refuses.
const Residency = ResidencySchema;
const Capability = CapabilitySchema;
const Severity = SeveritySchema;
const Name = z.string().min(1);

/** An exemption of a node from one policy (`waive: [{ policy, reason, until }]`); the compiler applies it to the policy's findings. */
export const WaiverDsl = z.strictObject({
  policy: z.string().regex(/^[^/\s]+\/\S+$/, 'a policy id is "pack/name", e.g. "baseline/multi-provider"'),
  reason: z.string().trim().min(1, "a waiver needs a reason"),
  until: z.iso.date("expected the last day the waiver holds as YYYY-MM-DD"),
});
const Waivers = z.array(WaiverDsl).optional();

export const MockDsl = z.strictObject({
  ttft: Duration.optional(),
  interChunk: Duration.optional(),
  failRate: z.number().min(0).max(1).optional(),
  failStatus: z.number().int().min(400).max(599).optional(),
  reply: z.string().optional(),
  cachedTokens: z.number().int().nonnegative().optional(),
});

const providerShape = {
  kind: ProviderKindSchema,
  baseUrl: z.url().optional(),
  apiKey: SecretLike.optional(),
  headers: z.record(z.string(), SecretLike).optional(),
  region: z.string().min(1).optional(),
  residency: Residency.optional(),
  selfHosted: z.boolean().optional(),
  mock: MockDsl.optional(),
  apiVersion: z.string().min(1).max(64).optional(),
  auth: ProviderAuthSchema.optional(),
  project: GcpProjectSchema.optional(),
  waive: Waivers,
};
export const ProviderDsl = z.strictObject(providerShape);

const modelShape = {
  provider: Name,
  name: z.string().min(1),
  context: z.number().int().positive(),
  maxOutput: z.number().int().positive().optional(),
  // `output` is required of chat models (checks/semantic.ts says so where TypeScript was bypassed); embedding models have none.
  price: z.strictObject({
    input: z.number().nonnegative(),
    output: z.number().nonnegative().optional(),
    cachedInput: z.number().nonnegative().optional(),
    cacheWrite: z.number().nonnegative().optional(),
  }),
  lifecycle: LifecycleSchema.optional(),
  sunset: z.iso.date().optional(),
  owner: z.string().min(1).optional(),
  capabilities: z.array(Capability).optional(),
  waive: Waivers,
  kind: ModelKindSchema.optional(),
  dimensions: z.number().int().positive().optional(),
};
export const ModelDsl = z.strictObject(modelShape);

const tierShape = {
  models: z.array(z.union([Name, z.strictObject({ model: Name, weight: z.number().optional() })])).min(1),
  strategy: StrategySchema.optional(),
  waive: Waivers,
};
export const TierDsl = z.strictObject(tierShape);

const Validator = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal(ValidatorKindSchema.enum.json) }),
  z.strictObject({ kind: z.literal(ValidatorKindSchema.enum["json-schema"]), schema: z.record(z.string(), z.unknown()) }),
  z.strictObject({ kind: z.literal(ValidatorKindSchema.enum.regex), pattern: z.string(), flags: z.string().optional() }),
  z.strictObject({ kind: z.literal(ValidatorKindSchema.enum["non-empty"]) }),
]);

// Conditional rules (issue 24): the IR's own schemas, since rules are written as they are compiled (`use: { tier } | { model }`).
const RouteRules = z.array(RouteRuleSchema).optional();

const routeShape = {
  tier: Name.optional(),
  model: Name.optional(),
  optimize: OptimizeSchema.optional(),
  dataClass: DataClassSchema.optional(),
  residency: Residency.optional(),
  fallback: z.array(Name).optional(),
  retry: z
    .strictObject({
      attempts: z.number().int().positive().optional(),
      on: z.array(ErrorClassSchema).optional(),
      backoff: Duration.optional(),
      maxRetryAfter: Duration.optional(),
    })
    .optional(),
  timeout: z.strictObject({ firstToken: Duration.optional(), total: Duration.optional() }).optional(),
  longContext: z.strictObject({ over: z.number().int().positive(), use: Name }).optional(),
  validate: z.array(Validator).optional(),
  canary: z
    .strictObject({
      model: Name,
      steps: z.array(z.number()).min(1),
      every: Duration,
      guard: z
        .strictObject({
          maxErrorRate: z.number().min(0).max(1).optional(),
          maxP95: Duration.optional(),
          maxP95Ratio: z.number().positive().optional(),
          maxValidationFailureRate: z.number().min(0).max(1).optional(),
          maxCostRatio: z.number().positive().optional(),
          minScore: z.number().min(0).max(1).optional(),
          minSamples: z.number().int().positive().optional(),
          minRequests: z.number().int().nonnegative().optional(),
        })
        .optional(),
      stickyBy: z.union([z.literal("user"), z.strictObject({ header: z.string().min(1) })]).optional(),
    })
    .optional(),
  requires: z.array(Capability).optional(),
  owner: z.string().min(1).optional(),
  description: z.string().optional(),
  logPayloads: z.boolean().optional(),
  waive: Waivers,
  kind: ModelKindSchema.optional(),
  cache: z
    .strictObject({ ttl: Duration, scope: CacheScopeSchema, sampled: z.boolean().optional(), expectedHitRatio: z.number().min(0).max(1).optional() })
    .optional(),
  when: RouteRules,
  complexity: ComplexityThresholdsSchema.optional(),
  /** Region-aware placement (issue 24). */
  placement: z.strictObject({ maxP95: Duration.optional() }).optional(),
};
export const RouteDsl = z.strictObject(routeShape);

// ---- Prompts as code (issue 24): named templates with `{{name}}` variables (see docs/prompts.md).
const PromptMessages = z.array(z.strictObject({ role: z.enum(["system", "user", "assistant"]), content: z.string().min(1) })).min(1);
const promptShape = {
  messages: PromptMessages,
  variables: z
    .record(
      z.string(),
      z.strictObject({ description: z.string().optional(), default: z.string().optional(), maxLength: z.number().int().positive().optional() }),
    )
    .optional(),
  route: Name.optional(),
  params: z
    .strictObject({
      temperature: z.number().min(0).max(2).optional(),
      topP: z.number().gt(0).max(1).optional(),
      maxTokens: z.number().int().positive().optional(),
    })
    .optional(),
  // A route canary's steps, every, guard and stickyBy; a second version of the messages instead of a model.
  canary: routeShape.canary.unwrap().omit({ model: true }).extend({ messages: PromptMessages }).optional(),
  owner: z.string().min(1).optional(),
  description: z.string().optional(),
};
export const PromptDsl = z.strictObject(promptShape);

const teamShape = {
  keys: z.array(SecretLike).optional(),
  routes: z.array(Name),
  budget: z
    .strictObject({
      usd: z.number(),
      per: BudgetPeriodSchema.optional(),
      mode: BudgetModeSchema.optional(),
      alertAt: z.array(z.number()).optional(),
    })
    .optional(),
  limits: z.strictObject({ rpm: z.number().optional(), tpm: z.number().optional() }).optional(),
  owner: z.string().min(1).optional(),
  waive: Waivers,
  /** Region-aware placement (issue 24): the team's callers' region when a request names none. */
  region: RegionIdSchema.optional(),
};
export const TeamDsl = z.strictObject(teamShape);

const PolicyRef = z.union([
  z.string().min(1),
  z.strictObject({ pack: z.string().min(1), severities: z.record(z.string(), Severity).optional(), options: z.record(z.string(), z.unknown()).optional() }),
]);

const RouterSettings = z.strictObject({
  maxBodyBytes: MaxBodyBytesSchema.optional(),
  requestIdHeader: z.string().min(1).optional(),
  regionHeader: RouterSettingsSchema.shape.regionHeader,
});

const Telemetry = z.strictObject({
  jsonl: z
    .strictObject({ path: z.string().min(1).optional(), maxBytes: z.number().int().positive().optional(), keep: z.number().int().nonnegative().optional() })
    .optional(),
  otlp: z
    .strictObject({
      endpoint: z.url(),
      headers: z.record(z.string(), SecretLike).optional(),
      serviceName: z.string().min(1).optional(),
      maxQueue: z.number().int().positive().optional(),
      timeout: Duration.optional(),
    })
    .optional(),
  alerts: z.strictObject({ webhook: z.strictObject({ url: z.url(), headers: z.record(z.string(), SecretLike).optional() }).optional() }).optional(),
});

/**
 * Discriminated by `kind`, so a misspelt property of a `redis` state is reported against the redis shape. The URL
 * takes a string too, so the inline-secret check reports it with its own code (SY0701) and never echoes it.
 */
const State = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal(StateKindSchema.enum.memory) }),
  z.strictObject({
    kind: z.literal(StateKindSchema.enum.redis),
    url: SecretLike,
    keyPrefix: StateKeyPrefixSchema.optional(),
    onUnavailable: StateUnavailableSchema.optional(),
  }),
]);

const Key = z.string().regex(/^[A-Za-z][A-Za-z0-9._-]{0,63}$/, "a name starts with a letter and holds only letters, digits, '.', '_' or '-' (at most 64)");

/**
 * An override of an entry: every property optional at every depth (`canary: { steps: [10, 50, 100] }`), each
 * object still strict. Arrays, records and unions are taken whole (an override replaces them: see merge.ts).
 */
function deepPartial(schema: z.core.$ZodType): z.core.$ZodType {
  const def = schema._zod.def as { type: string; innerType?: z.core.$ZodType; shape?: Record<string, z.core.$ZodType> };
  if (def.type === "optional" && def.innerType) return z.optional(deepPartial(def.innerType));
  if (def.type === "object" && def.shape) {
    return z.strictObject(Object.fromEntries(Object.entries(def.shape).map(([key, child]) => [key, z.optional(deepPartial(child))])));
  }
  return schema;
}
const overrides = (shape: Record<string, z.core.$ZodType>) => z.record(z.string(), deepPartial(z.strictObject(shape))).optional();

export const EnvironmentDsl = z.strictObject({
  /** Production protections apply, whatever the environment's name (`isProduction` in @switchyard/ir). */
  production: z.boolean().optional(),
  providers: overrides(providerShape),
  models: overrides(modelShape),
  tiers: overrides(tierShape),
  routes: overrides(routeShape),
  teams: overrides(teamShape),
  policies: z.array(PolicyRef).optional(),
  router: RouterSettings.optional(),
  telemetry: Telemetry.optional(),
  state: State.optional(),
});

/** The whole routes.ts default export. */
export const ConfigDsl = z.strictObject({
  providers: z.record(Key, ProviderDsl),
  models: z.record(Key, ModelDsl),
  tiers: z.record(Key, TierDsl).optional(),
  routes: z.record(Key, RouteDsl),
  teams: z.record(Key, TeamDsl).optional(),
  policies: z.array(PolicyRef).optional(),
  router: RouterSettings.optional(),
  telemetry: Telemetry.optional(),
  state: State.optional(),
  environments: z.record(Key, EnvironmentDsl).optional(),
  /** Region-aware placement (issue 24): caller region → provider regions, nearest first. */
  regions: ProximitySchema.optional(),
  prompts: z.record(Key, PromptDsl).optional(),
});

export type ConfigDslInput = z.input<typeof ConfigDsl>;

/**
 * The property names allowed at a DSL path, for "did you mean" hints; undefined when unknown. `value` is what is
 * written there: of a union discriminated by `kind` (state), the member with that kind is the one meant.
 */
export function knownKeysAt(path: (string | number)[], value?: unknown): string[] | undefined {
  let schema: z.core.$ZodType | undefined = ConfigDsl;
  for (const segment of path) {
    schema = schema === undefined ? undefined : childSchema(schema, segment);
  }
  const kind = typeof value === "object" && value !== null && "kind" in value ? value.kind : undefined;
  const object = schema === undefined ? undefined : (objectOfKind(schema, kind) ?? objectOf(schema));
  return object ? Object.keys(object._zod.def.shape) : undefined;
}

/** The member of a union whose `kind` is the literal `kind`. */
function objectOfKind(schema: z.core.$ZodType, kind: unknown): z.core.$ZodObject | undefined {
  if (kind === undefined) return undefined;
  const def = strip(schema)._zod.def as { type: string; options?: z.core.$ZodType[] };
  if (def.type !== "union" || !def.options) return undefined;
  for (const option of def.options) {
    const object = objectOf(option);
    const literal = object?._zod.def.shape.kind?._zod.def as { type: string; values?: unknown[] } | undefined;
    if (object && literal?.type === "literal" && literal.values?.includes(kind)) return object;
  }
  return undefined;
}

function strip(schema: z.core.$ZodType): z.core.$ZodType {
  let current = schema;
  for (let guard = 0; guard < 10; guard++) {
    const def = current._zod.def as { type: string; innerType?: z.core.$ZodType };
    if ((def.type === "optional" || def.type === "default" || def.type === "nullable") && def.innerType) current = def.innerType;
    else return current;
  }
  return current;
}

function objectOf(schema: z.core.$ZodType): z.core.$ZodObject | undefined {
  const inner = strip(schema);
  const def = inner._zod.def as { type: string; options?: z.core.$ZodType[] };
  if (def.type === "object") return inner as z.core.$ZodObject;
  if (def.type === "union" && def.options) {
    for (const option of def.options) {
      const found = objectOf(option);
      if (found) return found;
    }
  }
  return undefined;
}

function childSchema(schema: z.core.$ZodType, segment: string | number): z.core.$ZodType | undefined {
  const inner = strip(schema);
  const def = inner._zod.def as {
    type: string;
    element?: z.core.$ZodType;
    valueType?: z.core.$ZodType;
    shape?: Record<string, z.core.$ZodType>;
    options?: z.core.$ZodType[];
  };
  if (def.type === "array") return def.element;
  if (def.type === "record") return def.valueType;
  if (def.type === "object" && def.shape) return typeof segment === "string" ? def.shape[segment] : undefined;
  if (def.type === "union" && def.options) {
    for (const option of def.options) {
      const found = childSchema(option, segment);
      if (found) return found;
    }
  }
  return undefined;
}
