/**
 * @module Shared state on Redis/Valkey (issue 19): budgets, rate limits, rollout and releases shared
 * across router replicas; health stays per replica. The only module that imports the Redis client,
 * so a router bundle without `state: { kind: "redis" }` never carries it.
 */
import type { StateStores } from "../stores.ts";

export { checkRedisUrl, redactRedisUrl } from "./url.ts";

export interface RedisStateOptions {
  /** redis://[user:password@]host[:port][/db] or rediss://… (TLS). */
  url: string;
  /** Prefix of every key (e.g. "switchyard:"); keeps several routers apart on one Redis. */
  keyPrefix: string;
  /** The environment this router serves (releases and the controller lease are per environment). */
  environment: string;
  /** While Redis is unreachable: keep serving on replica-local state, or refuse with 503 `state_unavailable`. */
  onUnavailable: "serve-local" | "refuse";
  /** Per-command timeout, ms (default 250). */
  commandTimeoutMs?: number;
  /** One line per backend transition (up/down); never contains the URL's password. */
  log?: (line: string) => void;
}

/** Connects to Redis and returns the shared stores (health is always replica-local memory). */
export function createRedisStateStores(options: RedisStateOptions): Promise<StateStores> {
  return Promise.reject(new Error(`Redis state stores are not implemented yet (environment ${options.environment})`));
}
