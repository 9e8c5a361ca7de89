/**
 * @module environment — whether production protections apply to a compiled config. Free of zod, so the router's
 * bundle imports it (as `@switchyard/ir/environment`) without the schemas.
 */

/**
 * Environment names that read as production: `prod`, `production`, `prd`, `live`, alone or as a
 * dash/underscore/dot-separated part (`prod-eu`, `eu_live`, `prod2`). Not `preprod` or `product`.
 */
export const PRODUCTION_NAME = /(?:^|[-_.])(?:prod|production|prd|live)(?:\d*$|[-_.])/i;

/** True when an environment name reads as production (see PRODUCTION_NAME). */
export function looksLikeProduction(environment: string): boolean {
  return PRODUCTION_NAME.test(environment);
}

/**
 * Whether production protections apply to a compiled config: its declared `production`, else (an
 * environment that declares nothing, or a release from before the field) whether its name reads as
 * production. The `baseline/production-declared` policy flags the second case so the name stops mattering.
 */
export function isProduction(config: { environment: string; production?: boolean | undefined }): boolean {
  return config.production ?? looksLikeProduction(config.environment);
}
