/** @module The Redis stores through the very conformance suites the memory stores pass, against a real redis-server. */
import { afterAll, beforeAll } from "vitest";
import { feedbackStoreConformance } from "../../packages/router/src/governance/feedback.conformance.ts";
import { budgetStoreConformance } from "../../packages/router/src/state/budgets.conformance.ts";
import type { MakeStore } from "../../packages/router/src/state/conformance.ts";
import { healthStoreConformance } from "../../packages/router/src/state/health.conformance.ts";
import { rateLimitStoreConformance } from "../../packages/router/src/state/limits.conformance.ts";
import { createRedisStateStores } from "../../packages/router/src/state/redis/index.ts";
import { rolloutStoreConformance } from "../../packages/router/src/state/rollout.conformance.ts";
import { stateStoresConformance } from "../../packages/router/src/state/stores.conformance.ts";
import type { StateStores } from "../../packages/router/src/state/stores.ts";
import { type RedisServer, startRedis } from "../helpers/redis-server.ts";

let server: RedisServer | undefined;
let n = 0;

beforeAll(async () => {
  server = await startRedis();
}, 120_000);
afterAll(async () => {
  await server?.stop();
});

/** Fresh stores per case: a key prefix of their own on the shared server. */
const redis =
  <S>(pick: (stores: StateStores) => S): MakeStore<S> =>
  async () => {
    if (server === undefined) throw new Error("redis-server did not start");
    const stores = await createRedisStateStores({
      url: server.url(),
      keyPrefix: `case${++n}:${process.pid}:`,
      environment: "dev",
      onUnavailable: "refuse",
      commandTimeoutMs: 2_000,
      log: () => undefined,
    });
    return { store: pick(stores), close: () => stores.close() };
  };

budgetStoreConformance(
  "redis",
  redis((s) => s.budgets),
);
rateLimitStoreConformance(
  "redis",
  redis((s) => s.limits),
);
healthStoreConformance(
  "redis",
  redis((s) => s.health),
);
rolloutStoreConformance(
  "redis",
  redis((s) => s.rollout),
);
stateStoresConformance(
  "redis",
  redis((s) => s),
);
feedbackStoreConformance(
  "redis",
  redis((s) => {
    if (s.feedback === undefined) throw new Error("the Redis stores have no feedback store");
    return s.feedback;
  }),
);
