/** @module Constants shared by the harness and the processes it starts. */

/** A marker every upstream reply carries, so the harness can tell a reply really came through the upstream. */
export const UPSTREAM_MARKER = "switchyard-bench-upstream-ok";

/**
 * The text of the mock's first content chunk. Its stream opens with a role-only chunk and sends this
 * 1 ms later; the load generator notes when it arrives (time to first token) besides the first byte.
 */
export const FIRST_TOKEN_TEXT = "Hello ";

/** The team key the switchyard system's fixture names (`secret("SWITCHYARD_BENCH_KEY")`) and its value in the bench. */
export const TEAM_KEY_ENV = "SWITCHYARD_BENCH_KEY";
export const TEAM_KEY_VALUE = "sk-bench-team-0123456789";

/** The upstream API key env var the fixture names, and the value the bench sets. */
export const UPSTREAM_KEY_ENV = "SWITCHYARD_BENCH_UPSTREAM_KEY";
export const UPSTREAM_KEY_VALUE = "sk-bench-upstream";

/** The URL in `fixtures/routes.ts` that the harness replaces with the running mock upstream's. */
export const UPSTREAM_PLACEHOLDER = "http://127.0.0.1:9/v1";

/** The route the switchyard system is called with. */
export const BENCH_ROUTE = "chat";

/** The variable the `switchyard-redis` fixture reads its Redis URL from (`state.url`). */
export const REDIS_URL_ENV = "SWITCHYARD_BENCH_REDIS_URL";
/** The long-stream upstream's usage: completion tokens per content chunk (its 20 characters by the router's chars/4 estimate) and prompt tokens. */
export const TOKENS_PER_CHUNK = 5;
export const PROMPT_TOKENS = 20;
