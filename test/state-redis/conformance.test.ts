/** @module The Redis stores through the very conformance suites the memory stores pass, against a real redis-server and a real valkey-server. */
import { afterAll, beforeAll, describe } from "vitest";
import { feedbackStoreConformance } from "../../packages/router/src/governance/feedback.conformance.ts";
import { budgetStoreConformance } from "../../packages/router/src/state/budgets.conformance.ts";
import type { MakeStore } from "../../packages/router/src/state/conformance.ts";
import { healthStoreConformance } from "../../packages/router/src/state/health.conformance.ts";
import { rateLimitStoreConformance } from "../../packages/router/src/state/limits.conformance.ts";
import { createRedisStateStores } from "../../packages/router/src/state/redis/index.ts";
import { rolloutStoreConformance } from "../../packages/router/src/state/rollout.conformance.ts";
import { stateStoresConformance } from "../../packages/router/src/state/stores.conformance.ts";
import type { StateStores } from "../../packages/router/src/state/stores.ts";
import { type RedisServer, redisKinds, startRedis } from "../helpers/redis-server.ts";

/**
 * Each suite against each server this machine has (or can install): Redis (Debian's redis-server 7) and
 * Valkey (valkey-server 8, from bookworm-backports on Debian 12); SWITCHYARD_TEST_REDIS=redis|valkey runs one.
 */
for (const kind of redisKinds()) {
  describe(`on ${kind}`, () => {
    let server: RedisServer | undefined;
    let n = 0;

    beforeAll(async () => {
      server = await startRedis({ kind });
    }, 300_000);
    afterAll(async () => {
      await server?.stop();
    });

    /** Fresh stores per case: a key prefix of their own on the shared server. */
    const redis =
      <S>(pick: (stores: StateStores) => S): MakeStore<S> =>
      async () => {
        if (server === undefined) throw new Error(`${kind}-server did not start`);
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
      kind,
      redis((s) => s.budgets),
    );
    rateLimitStoreConformance(
      kind,
      redis((s) => s.limits),
    );
    healthStoreConformance(
      kind,
      redis((s) => s.health),
    );
    rolloutStoreConformance(
      kind,
      redis((s) => s.rollout),
    );
    stateStoresConformance(
      kind,
      redis((s) => s),
    );
    feedbackStoreConformance(
      kind,
      redis((s) => {
        if (s.feedback === undefined) throw new Error(`the ${kind} stores have no feedback store`);
        return s.feedback;
      }),
    );
  });
}
