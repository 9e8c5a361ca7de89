/**
 * @module What a router whose release declares `state: { kind: "redis" }` is started with (`startRouter({ redis:
 * redisState })`): opening the Redis stores from the release's `state` and the environment, and choosing the release a
 * starting replica serves. Here, not in http/server.ts, so a router.mjs without Redis state carries none of it.
 * Exported as `@switchyard/router/redis`, with the stores' factory.
 */
import type { RedisState } from "@switchyard/ir";
import { redisStateSettings } from "../../runtime/state-env.ts";
import { positiveIntSetting } from "../../settings.ts";
import { createAdminHandler } from "../../admin/api.ts";
import { startupRelease, type StartupReleaseInput } from "../../runtime/startup-release.ts";
import type { RuntimeRelease } from "../../runtime/release.ts";
import type { StateStores } from "../stores.ts";
import { createRedisStateStores } from "./index.ts";

export { createRedisStateStores, checkRedisUrl, redactRedisUrl, type RedisStateOptions } from "./index.ts";

/** Redis state for startRouter: both steps throw an Error whose message is the one line to print and whose `code` says why. */
export interface RedisStateSupport {
  /**
   * The stores of a release declaring Redis state, the URL read from the variable `state.url` names. A missing, empty
   * or malformed URL throws (`invalid_setting`) naming `state.url` and the variable, never the value; Redis being
   * unreachable does not (the stores serve per `onUnavailable` until it is back).
   */
  open(state: RedisState, env: Readonly<Record<string, string | undefined>>, environment: string, log: (line: string) => void): Promise<StateStores>;
  /** The release a starting replica serves: the environment's active one from Redis, see runtime/startup-release.ts. */
  startupRelease(input: StartupReleaseInput): Promise<RuntimeRelease>;
  /**
   * The admin handler, loaded at start here: with shared state it follows other replicas' activations from the start,
   * and the Redis release store shares its release verification (in router.mjs a lazily loaded chunk would be a copy).
   */
  createAdminHandler: typeof createAdminHandler;
}

const startError = (code: string, message: string): Error => Object.assign(new Error(message), { code });

/** The operator's tuning of the Redis stores, from the environment (each optional; the stores' defaults otherwise). */
const TUNING = {
  commandTimeoutMs: "SWITCHYARD_STATE_COMMAND_TIMEOUT_MS",
  reservationTtlMs: "SWITCHYARD_STATE_RESERVATION_TTL_MS",
  refreshMs: "SWITCHYARD_STATE_REFRESH_MS",
  feedbackTtlMs: "SWITCHYARD_STATE_FEEDBACK_TTL_MS",
} as const;

/**
 * @example stateTuning({ SWITCHYARD_STATE_RESERVATION_TTL_MS: "60000" }) // → { reservationTtlMs: 60000 }
 * stateTuning({ SWITCHYARD_STATE_REFRESH_MS: "soon" }) // → { error: "SWITCHYARD_STATE_REFRESH_MS must be …" }
 */
function stateTuning(env: Readonly<Record<string, string | undefined>>): Partial<Record<keyof typeof TUNING, number>> | { error: string } {
  const out: Partial<Record<keyof typeof TUNING, number>> = {};
  for (const [key, name] of Object.entries(TUNING) as Array<[keyof typeof TUNING, string]>) {
    if (env[name] === undefined) continue;
    const value = positiveIntSetting(env, name, 1);
    if (typeof value !== "number") return value;
    out[key] = value;
  }
  return out;
}

export const redisState: RedisStateSupport = {
  async open(state, env, environment, log) {
    const read = redisStateSettings(state, env, environment);
    if ("error" in read) throw startError("invalid_setting", read.error);
    const tuning = stateTuning(env);
    if ("error" in tuning) throw startError("invalid_setting", tuning.error);
    try {
      return await createRedisStateStores({ ...read.settings, ...tuning, log });
    } catch (error) {
      // The factory's messages never hold the password; masked here too, should one ever do.
      const password = URL.canParse(read.settings.url) ? decodeURIComponent(new URL(read.settings.url).password) : "";
      const message = (error as Error).message.split("\n")[0] ?? "";
      throw startError("state_unavailable", `state: cannot open the Redis state store: ${password === "" ? message : message.replaceAll(password, "***")}`);
    }
  },
  startupRelease,
  createAdminHandler,
};
