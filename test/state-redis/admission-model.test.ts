/**
 * @module The Redis admission path against the memory stores as its model: random runs of admissions
 * (some sent together, so ADMIT takes them in one call) and settlements with token corrections, at
 * fractional times so the buckets refill to levels that are not whole, must get the very answers the
 * memory stores give — each rate-limit decision (allowed, retry, the headers' remaining and reset),
 * each reservation and settlement — on Redis and on Valkey.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMemoryStateStores } from "../../packages/router/src/state/memory/index.ts";
import { createRedisStateStores } from "../../packages/router/src/state/redis/index.ts";
import type { Admission, BudgetReserveRequest, RateLimitRequest } from "../../packages/router/src/state/store.ts";
import type { StateStores } from "../../packages/router/src/state/stores.ts";
import { type RedisServer, redisKinds, startRedis } from "../helpers/redis-server.ts";

const DAY_MS = 86_400_000;
const T0 = Date.UTC(2026, 11, 7, 12);
const DAY = Math.floor(T0 / DAY_MS) * DAY_MS;

interface Step {
  /** Ms since the previous step (fractional: levels between whole units). */
  gapMs: number;
  /** Admissions sent together (one ADMIT call on Redis): tokens and estimate of each. */
  admits: Array<{ tokens: number; amountUsd: number }>;
  /** Which held reservations to settle now (indexes into those still held, modulo), with their cost and token delta. */
  settles: Array<{ pick: number; costUsd: number; deltaTokens: number }>;
}

const step: fc.Arbitrary<Step> = fc.record({
  gapMs: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 40_000, noNaN: true }), fc.integer({ min: 1, max: 90_000 })),
  admits: fc.array(fc.record({ tokens: fc.integer({ min: 0, max: 700 }), amountUsd: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 0.6, noNaN: true })) }), {
    maxLength: 5,
  }),
  settles: fc.array(
    fc.record({
      pick: fc.nat(),
      costUsd: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 0.6, noNaN: true })),
      deltaTokens: fc.integer({ min: -700, max: 400 }),
    }),
    { maxLength: 3 },
  ),
});

const terms = fc.record({
  rpm: fc.oneof(fc.constant(undefined), fc.integer({ min: 1, max: 12 })),
  tpm: fc.oneof(fc.constant(undefined), fc.integer({ min: 100, max: 3_000 })),
  limitUsd: fc.double({ min: 0.5, max: 3, noNaN: true }),
  mode: fc.constantFrom("hard" as const, "soft" as const),
});

/** What an admission answered, without the reservation's id (each store makes its own). */
function shown(a: Admission): unknown {
  const r = a.reservation;
  return { rateLimit: a.rateLimit, reservation: r === undefined ? undefined : { ...r, id: r.id === undefined ? undefined : "held" } };
}

for (const kind of redisKinds()) {
  describe(`admission on ${kind} answers as the memory stores do`, () => {
    let server: RedisServer | undefined;
    let n = 0;
    beforeAll(async () => {
      server = await startRedis({ kind });
    }, 300_000);
    afterAll(async () => {
      await server?.stop();
    });

    it("random runs of batched admissions and settlements with token corrections", async () => {
      await fc.assert(
        fc.asyncProperty(terms, fc.array(step, { minLength: 1, maxLength: 12 }), async (t, steps) => {
          const memory: StateStores = createMemoryStateStores();
          const redis = await createRedisStateStores({
            url: server!.url(),
            keyPrefix: `model${++n}:${process.pid}:`,
            environment: "dev",
            onUnavailable: "refuse",
            commandTimeoutMs: 5_000,
            log: () => undefined,
          });
          const held: Array<{ memory: string; redis: string }> = [];
          try {
            let now = T0;
            for (const s of steps) {
              now += s.gapMs;
              const limits = (tokens: number): RateLimitRequest => ({ team: "t", rpm: t.rpm, tpm: t.tpm, tokens, now });
              const budget = (amountUsd: number): BudgetReserveRequest => ({
                team: "t",
                limitUsd: t.limitUsd,
                mode: t.mode,
                period: "day",
                periodStart: DAY,
                periodEnd: DAY + DAY_MS,
                amountUsd,
                now,
              });
              const admitAll = (stores: StateStores) =>
                Promise.all(s.admits.map(async (a) => stores.admission.admit({ limits: limits(a.tokens), budget: budget(a.amountUsd) })));
              const [m, r] = [await admitAll(memory), await admitAll(redis)];
              expect(r.map(shown)).toEqual(m.map(shown));
              m.forEach((a, i) => {
                const mine = a.reservation?.id;
                const theirs = r[i]?.reservation?.id;
                if (mine !== undefined && theirs !== undefined) held.push({ memory: mine, redis: theirs });
              });
              for (const x of s.settles) {
                if (held.length === 0) break;
                const [h] = held.splice(x.pick % held.length, 1);
                const adjust = { team: "t", rpm: t.rpm, tpm: t.tpm, deltaTokens: x.deltaTokens, now };
                const settle = (stores: StateStores, id: string) =>
                  stores.admission.settleAndAdjust({ settle: { team: "t", id, costUsd: x.costUsd, now }, adjust });
                expect(await settle(redis, h!.redis)).toEqual(await settle(memory, h!.memory));
              }
              const peek = (stores: StateStores) => stores.limits.peek({ team: "t", rpm: t.rpm, tpm: t.tpm, now });
              expect(await peek(redis)).toEqual(await peek(memory));
              expect(await redis.budgets.peek(budget(0), now)).toEqual(await memory.budgets.peek(budget(0), now));
            }
          } finally {
            await redis.close();
            await memory.close();
          }
        }),
        { numRuns: 60, seed: 20261207 },
      );
    }, 120_000);
  });
}
