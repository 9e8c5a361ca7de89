/** @module @switchyard/ir — zod schemas of the compiled configuration, canonical JSON and content hash. */
export * from "./schema.ts";
export { PRODUCTION_NAME, isProduction, looksLikeProduction } from "./environment.ts";
export { canonicalJson, contentHash } from "./canonical.ts";
export { type IrIssue, type ParseResult, type Release, parseConfig, createRelease, serialiseRelease, parseRelease } from "./release.ts";
export { configJsonSchema } from "./config-json-schema.ts";
export { type TokenCounts, priceTokens } from "./price.ts";
export { type RuleProblem, type SecretUse, blockedHost, configRuleProblems, modelKind, routeKind, secretUses, upstreamUrls } from "./rules.ts";
export { redisUrlSecretOfBundle, routerBundleBanner } from "./bundle-banner.ts";
export {
  type Prompt,
  type PromptCanary,
  type PromptMessage,
  type PromptParams,
  type PromptVariable,
  promptPlaceholders,
  promptProblems,
  promptVersion,
} from "./prompts.ts";
