/** @module The RateLimitStore conformance suite: every implementation (memory, Redis) runs these very cases. */
import { describe, expect, it } from "vitest";
import { type MakeStore, T0, withStore } from "./conformance.ts";
import type { RateLimitStore } from "./stores.ts";

/**
 * Register the RateLimitStore cases under `describe("rate-limit store conformance: <name>")`.
 *
 * @example
 * rateLimitStoreConformance("memory", async () => ({ store: new MemoryRateLimitStore(), close: async () => {} }));
 */
export function rateLimitStoreConformance(name: string, make: MakeStore<RateLimitStore>): void {
  const test = (title: string, fn: (s: RateLimitStore) => Promise<void>) => it(title, withStore(make, fn));

  describe(`rate-limit store conformance: ${name}`, () => {
    test("an unknown team peeks as full buckets; a dimension without a limit is absent", async (s) => {
      expect(await s.peek({ team: "t", rpm: 60, tpm: undefined, now: T0 })).toEqual({
        allowed: true,
        retryAfterMs: 0,
        requests: { capacity: 60, remaining: 60, resetMs: 0 },
        tokens: undefined,
      });
    });

    test("requests bucket empties, refuses with a retry time, refills per minute", async (s) => {
      const terms = { team: "t", rpm: 3, tpm: undefined };
      for (let i = 0; i < 3; i++) {
        const d = await s.take({ ...terms, tokens: 10, now: T0 });
        expect(d).toMatchObject({ allowed: true, requests: { capacity: 3, remaining: 2 - i } });
        expect(d.tokens).toBeUndefined();
      }
      const refused = await s.take({ ...terms, tokens: 10, now: T0 });
      expect(refused).toMatchObject({ allowed: false, retryAfterMs: 20_000, requests: { remaining: 0, resetMs: 60_000 } });
      expect((await s.take({ ...terms, tokens: 10, now: T0 + 19_999 })).allowed).toBe(false);
      expect((await s.take({ ...terms, tokens: 10, now: T0 + 20_000 })).allowed).toBe(true);
      expect((await s.peek({ ...terms, now: T0 + 80_000 })).requests).toEqual({ capacity: 3, remaining: 3, resetMs: 0 });
    });

    test("takes from both buckets or neither", async (s) => {
      const terms = { team: "t", rpm: 10, tpm: 1_000 };
      expect(await s.take({ ...terms, tokens: 800, now: T0 })).toMatchObject({ allowed: true, requests: { remaining: 9 }, tokens: { remaining: 200 } });
      // refused on tokens: the request bucket keeps its request
      const refused = await s.take({ ...terms, tokens: 300, now: T0 });
      expect(refused).toMatchObject({ allowed: false, requests: { remaining: 9 }, tokens: { remaining: 200 } });
      expect(refused.retryAfterMs).toBe(6_000);
      expect(await s.peek({ ...terms, now: T0 })).toMatchObject({ requests: { remaining: 9 }, tokens: { remaining: 200 } });
      // refused on requests: the token bucket keeps its tokens
      const one = { team: "u", rpm: 1, tpm: 1_000 };
      expect((await s.take({ ...one, tokens: 100, now: T0 })).allowed).toBe(true);
      expect(await s.take({ ...one, tokens: 100, now: T0 })).toMatchObject({ allowed: false, requests: { remaining: 0 }, tokens: { remaining: 900 } });
      expect((await s.peek({ ...one, now: T0 })).tokens?.remaining).toBe(900);
    });

    test("adjusts the token bucket from real usage, never above capacity", async (s) => {
      const terms = { team: "t", rpm: 10, tpm: 1_000 };
      await s.take({ ...terms, tokens: 800, now: T0 });
      await s.adjustTokens({ ...terms, deltaTokens: -700, now: T0 }); // used 100 of the 800 estimated
      expect((await s.peek({ ...terms, now: T0 })).tokens?.remaining).toBe(900);
      await s.adjustTokens({ ...terms, deltaTokens: -5_000, now: T0 });
      expect((await s.peek({ ...terms, now: T0 })).tokens?.remaining).toBe(1_000);
      await s.adjustTokens({ ...terms, deltaTokens: 1_500, now: T0 });
      expect((await s.take({ ...terms, tokens: 1, now: T0 })).allowed).toBe(false);
    });

    test("a limit of 0 refuses; a changed limit resizes the bucket", async (s) => {
      expect((await s.take({ team: "z", rpm: 0, tpm: undefined, tokens: 1, now: T0 })).allowed).toBe(false);
      await s.take({ team: "t", rpm: 100, tpm: undefined, tokens: 1, now: T0 });
      expect((await s.peek({ team: "t", rpm: 10, tpm: undefined, now: T0 })).requests).toMatchObject({ capacity: 10, remaining: 10 });
    });

    test("a burst admits exactly the bucket, concurrently too", async (s) => {
      const answers = await Promise.all(Array.from({ length: 25 }, async () => s.take({ team: "t", rpm: 10, tpm: undefined, tokens: 1, now: T0 })));
      expect(answers.filter((d) => d.allowed)).toHaveLength(10);
    });

    test("teams' buckets are independent", async (s) => {
      expect((await s.take({ team: "a", rpm: 1, tpm: undefined, tokens: 1, now: T0 })).allowed).toBe(true);
      expect((await s.take({ team: "b", rpm: 1, tpm: undefined, tokens: 1, now: T0 })).allowed).toBe(true);
      expect((await s.take({ team: "a", rpm: 1, tpm: undefined, tokens: 1, now: T0 })).allowed).toBe(false);
    });
  });
}
