/**
 * @module runtime/state-env — the state store a release declares (`state` in routes.ts), read against the
 * environment at start-up: the Redis settings with the URL from the variable `state.url` names, the one-line
 * problem that stops the start when it is missing or malformed, and the warning SWITCHYARD_REDIS_URL earns when
 * the release does not read it. No message ever repeats the URL: it may carry a password.
 */
import type { Config, RedisState } from "@switchyard/ir";
import type { RedisStateOptions } from "../state/redis/index.ts";
import { checkRedisUrl } from "../state/redis/url.ts";

/**
 * The conventional name of the Redis URL's variable (`state: { kind: "redis", url: secret("SWITCHYARD_REDIS_URL") }`).
 * Reserved: a release can never send it upstream. A router whose release does not read it says so at start-up.
 */
export const REDIS_URL_ENV = "SWITCHYARD_REDIS_URL";

/** What the router hands createRedisStateStores, less the log it adds. */
export type RedisStateSettings = Omit<RedisStateOptions, "log">;

/**
 * The Redis settings of a release declaring `state: { kind: "redis" }`, or the one-line problem (naming `state.url`
 * and its variable, never the value) that stops the start. Keys are `<keyPrefix>:<environment>:…`.
 *
 * @example
 * redisStateSettings(state, { REDIS_URL: "redis://redis:6379" }, "prod")
 * // → { settings: { url: "redis://redis:6379", keyPrefix: "switchyard:", environment: "prod", onUnavailable: "serve-local" } }
 * redisStateSettings(state, {}, "prod") // → { error: "state.url: environment variable REDIS_URL is not set (…)" }
 */
export function redisStateSettings(
  state: RedisState,
  env: Readonly<Record<string, string | undefined>>,
  environment: string,
): { settings: RedisStateSettings } | { error: string } {
  const name = state.url.secret;
  const url = env[name];
  if (url === undefined || url.trim() === "")
    return {
      error: `state.url: environment variable ${name} is ${url === undefined ? "not set" : "empty"} (the release keeps its state on Redis: set ${name} to redis://[user:password@]host:6379[/db] or rediss://…)`,
    };
  const problem = checkRedisUrl(url);
  if (problem !== undefined) return { error: `state.url: the Redis URL in ${name} ${problem}` };
  return { settings: { url, keyPrefix: `${state.keyPrefix}:`, environment, onUnavailable: state.onUnavailable } };
}

/**
 * Warnings about the state settings in the environment: SWITCHYARD_REDIS_URL set while the release reads its Redis
 * URL elsewhere, or keeps its state in memory (per replica). The URL itself is never repeated.
 *
 * @example stateEnvWarnings({ SWITCHYARD_REDIS_URL: "redis://redis:6379" }, config) // ["SWITCHYARD_REDIS_URL is set, but …"]
 */
export function stateEnvWarnings(env: Readonly<Record<string, string | undefined>>, config: Config): string[] {
  const url = env[REDIS_URL_ENV];
  if (url === undefined || url.trim() === "") return [];
  const state = config.state;
  if (state?.kind === "redis")
    return state.url.secret === REDIS_URL_ENV
      ? []
      : [`${REDIS_URL_ENV} is set, but the release reads its Redis URL from ${state.url.secret} (state.url); ${REDIS_URL_ENV} is ignored`];
  return [
    `${REDIS_URL_ENV} is set, but the release keeps its state in memory, so the variable is ignored: state is per replica ` +
      "(budgets, rate limits, breakers, latency, in-flight counts, canary steps), and with several replicas each holds every team to its budget and limits on its own; " +
      `declare state: { kind: "redis", url: secret("${REDIS_URL_ENV}") } in routes.ts to share it (docs/scaling.md)`,
  ];
}
