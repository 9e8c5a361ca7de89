/** @module runtime/state-env — the state-store settings read from the environment, and the start-up warning they earn. */

/** Reserved for the shared (Redis) state store; the Kubernetes component sets it from `redisUrl`. */
export const REDIS_URL_ENV = "SWITCHYARD_REDIS_URL";

/**
 * Warnings about state-store settings the router cannot honour yet. The URL itself is never
 * repeated: it may carry a password.
 *
 * @example
 * stateEnvWarnings({ SWITCHYARD_REDIS_URL: "redis://redis:6379" }); // ["SWITCHYARD_REDIS_URL is set, but …"]
 */
export function stateEnvWarnings(env: Readonly<Record<string, string | undefined>>): string[] {
  const url = env[REDIS_URL_ENV];
  if (url === undefined || url.trim() === "") return [];
  return [
    `${REDIS_URL_ENV} is set, but a shared Redis state store is not supported yet and the variable is ignored; ` +
      "state is per replica, in memory (budgets, rate limits, breakers, latency, in-flight counts, canary steps): " +
      "with several replicas each holds every team to its budget and limits on its own",
  ];
}
