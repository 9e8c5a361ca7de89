/**
 * @module Shared state on Redis/Valkey (issue 19): budgets, rate limits, rollout and releases shared
 * across router replicas; health (breakers, latency, in-flight counts) stays per replica. The only
 * module that imports the Redis client, so a router bundle without `state: { kind: "redis" }` never
 * carries it.
 *
 * @example
 * const stores = await createRedisStateStores({ url: process.env.REDIS_URL!, keyPrefix: "switchyard:", environment: "prod", onUnavailable: "serve-local" });
 * const r = await stores.budgets.reserve({ team: "support", limitUsd: 50, mode: "hard", period: "day", periodStart, periodEnd, amountUsd: 0.02, now: Date.now() });
 */
import type { ConnectionOptions } from "node:tls";
import { FEEDBACK_TTL_MS } from "../../governance/feedback.ts";
import { composeStateStores } from "../compose.ts";
import { MemoryBudgetStore, MemoryHealthStore, MemoryRateLimitStore, type MemoryHealthOptions } from "../memory/index.ts";
import type { StateStores } from "../stores.ts";
import { RedisAdmissionStore } from "./admission.ts";
import { RedisBackend } from "./backend.ts";
import { RedisBudgetStore } from "./budgets.ts";
import { RedisFeedbackStore } from "./feedback.ts";
import { RedisResponseCache } from "./cache.ts";
import { RedisRateLimitStore } from "./limits.ts";
import { RedisReleaseStore } from "./releases.ts";
import { RedisRolloutStore } from "./rollout.ts";
import { checkRedisUrl } from "./url.ts";

export { checkRedisUrl, redactRedisUrl } from "./url.ts";
export { environmentKeys, teamKeys } from "./keys.ts";

export interface RedisStateOptions {
  /** redis://[user:password@]host[:port][/db] or rediss://… (TLS). */
  url: string;
  /** Prefix of every key (e.g. "switchyard:"); keeps several routers apart on one Redis. */
  keyPrefix: string;
  /** The environment this router serves (keys, releases and the controller lease are per environment). */
  environment: string;
  /** While Redis is unreachable: keep serving on replica-local state, or refuse with 503 `state_unavailable`. */
  onUnavailable: "serve-local" | "refuse";
  /** Per-command timeout, ms (default 250). */
  commandTimeoutMs?: number;
  /** One line per backend transition (up/down); never contains the URL's password. Default: stderr. */
  log?: (line: string) => void;
  /** How long an unsettled budget reservation holds budget, ms (default 5 minutes; see docs/scaling.md). */
  reservationTtlMs?: number;
  /** Backstop re-read of canary shares and the active release, ms (default 1000; pub/sub is immediate). */
  refreshMs?: number;
  /** How long start-up waits for Redis before serving with the backend down, ms (default 2000). */
  connectWaitMs?: number;
  /** Extra TLS options for rediss:// (a private CA, client certificates). NODE_EXTRA_CA_CERTS works too. */
  tls?: ConnectionOptions;
  /** Releases remembered per environment, by count and bytes (ActiveRelease's defaults). */
  releases?: { retain?: number; maxBytes?: number };
  /** Breaker and latency options of the replica-local health store. */
  health?: MemoryHealthOptions;
  /** How long an answer can be scored with `POST /v1/feedback` (its Redis keys' time to live), ms (default 1 hour). */
  feedbackTtlMs?: number;
}

/** The defaults of RedisStateOptions' optional settings. */
export const REDIS_STATE_DEFAULTS = {
  commandTimeoutMs: 250,
  reservationTtlMs: 300_000,
  refreshMs: 1_000,
  connectWaitMs: 2_000,
  retain: 20,
  maxBytes: 32 * 1024 * 1024,
  feedbackTtlMs: FEEDBACK_TTL_MS,
} as const;

/**
 * Connect to Redis and return the shared stores (health is replica-local memory). Resolves once
 * connected or after `connectWaitMs` with the backend down (it keeps reconnecting; the stores serve
 * per `onUnavailable` meanwhile). Rejects only on an unusable URL.
 */
export async function createRedisStateStores(options: RedisStateOptions): Promise<StateStores> {
  const problem = checkRedisUrl(options.url);
  if (problem !== undefined) throw new Error(`the Redis URL ${problem}`);
  const d = REDIS_STATE_DEFAULTS;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const refreshMs = options.refreshMs ?? d.refreshMs;
  const backend = new RedisBackend({
    url: options.url,
    commandTimeoutMs: options.commandTimeoutMs ?? d.commandTimeoutMs,
    onUnavailable: options.onUnavailable,
    log,
    tls: options.tls,
    probeMs: Math.min(500, refreshMs),
  });
  const where = { prefix: options.keyPrefix, environment: options.environment };
  const budgets = new RedisBudgetStore(backend, { ...where, reservationTtlMs: options.reservationTtlMs ?? d.reservationTtlMs, local: new MemoryBudgetStore() });
  const limits = new RedisRateLimitStore(backend, { ...where, local: new MemoryRateLimitStore() });
  const rollout = new RedisRolloutStore(backend, { ...where, refreshMs });
  const releases = new RedisReleaseStore(backend, {
    ...where,
    refreshMs,
    log,
    retain: Math.max(2, options.releases?.retain ?? d.retain),
    maxBytes: options.releases?.maxBytes ?? d.maxBytes,
  });
  await backend.start(options.connectWaitMs ?? d.connectWaitMs);
  // Subscriptions complete once connected (now, or after a reconnection): start-up does not wait for them when Redis is down.
  const subscribed = Promise.all([rollout.subscribe(), releases.subscribe()]);
  if (backend.up) await Promise.race([subscribed, new Promise((resolve) => setTimeout(resolve, options.connectWaitMs ?? d.connectWaitMs).unref())]);
  else void subscribed.catch(() => undefined);
  if (backend.up) await rollout.refresh().catch(() => undefined);

  return composeStateStores({
    kind: "redis",
    budgets,
    limits,
    admission: new RedisAdmissionStore(budgets, limits),
    health: new MemoryHealthStore(options.health),
    rollout,
    releases,
    feedback: new RedisFeedbackStore(backend, { ...where, ttlMs: options.feedbackTtlMs ?? d.feedbackTtlMs }),
    cache: new RedisResponseCache(backend, where),
    backendUp: () => backend.up,
    close: async () => {
      rollout.close();
      releases.close();
      await backend.close();
    },
  });
}
