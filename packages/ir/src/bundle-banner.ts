/**
 * @module The comment lines at the top of router.mjs: which environment and release it runs and, when the release
 * keeps its state on Redis, which environment variable holds the URL. The compiler writes them; the Pulumi
 * `RouterDeployment` reads the state line, so a deployment without the Redis URL the bundle needs fails at preview.
 */
import type { Release } from "./release.ts";

/** `// state: redis, url from REDIS_URL` */
const STATE_LINE = /^\/\/ state: redis, url from ([A-Z_][A-Z0-9_]*)$/m;

/**
 * The banner of a release's router.mjs (a shebang, then comment lines; no trailing newline).
 *
 * @example routerBundleBanner(release) // "#!/usr/bin/env node\n// Switchyard router — environment prod, release 5c1d…. Generated; do not edit."
 */
export function routerBundleBanner(release: Release): string {
  const lines = ["#!/usr/bin/env node", `// Switchyard router — environment ${release.config.environment}, release ${release.hash}. Generated; do not edit.`];
  const state = release.config.state;
  if (state?.kind === "redis") lines.push(`// state: redis, url from ${state.url.secret}`);
  return lines.join("\n");
}

/**
 * The environment variable a router.mjs reads its Redis URL from (its release's `state.url`), or undefined when the
 * release keeps its state in memory. Reads only the banner at the top.
 *
 * @example redisUrlSecretOfBundle(routerMjs) // "REDIS_URL"
 */
export function redisUrlSecretOfBundle(bundle: string): string | undefined {
  // The banner sits in the first lines (the bundler puts a `require` shim after the shebang).
  return STATE_LINE.exec(bundle.slice(0, 2048))?.[1];
}
