/**
 * @module The scripts' number formatting on a real redis-server and valkey-server: every number a script
 * sends back (spend, reservations, bucket levels, timestamps) must read back in JavaScript as the very
 * double the script computed, on its fast path for whole numbers as on `%.17g`.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisBackend } from "../../packages/router/src/state/redis/backend.ts";
import { ADMIT, SETTLE_ADJUST } from "../../packages/router/src/state/redis/scripts.ts";
import { type RedisServer, redisKinds, startRedis } from "../helpers/redis-server.ts";

/** The `fmt` the scripts start with (the same text heads every script). */
function fmtPrelude(): string {
  const end = ADMIT.lua.indexOf("\nend\n");
  expect(end).toBeGreaterThan(0);
  const prelude = ADMIT.lua.slice(0, end + 5);
  expect(SETTLE_ADJUST.lua.startsWith(prelude)).toBe(true);
  return prelude;
}

/** Doubles of every kind the stores meet: whole and fractional, tiny and huge, around the fast path's edge. */
function samples(): number[] {
  const out = [
    0,
    1,
    -1,
    7,
    60_000,
    1_765_108_800_000,
    1_765_108_800_000.5,
    99_999_999_999_999,
    1e14,
    1e14 + 1,
    -99_999_999_999_999,
    -1e14,
    2 ** 53,
    1e20,
    1e-7,
  ];
  out.push(0.1, 0.2 + 0.1, 1 / 3, 123_456.789, 0.000123456789, -5.5, 2.5e-300, 1.7976931348623157e308, Number.MIN_VALUE);
  let seed = 12_345;
  const random = (): number => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  for (let i = 0; i < 400; i++) {
    const magnitude = 10 ** Math.floor(random() * 30 - 10);
    out.push(random() * magnitude, Math.round(random() * magnitude), -random() * magnitude);
  }
  return out;
}

for (const kind of redisKinds()) {
  describe(`script numbers on ${kind}`, () => {
    let server: RedisServer | undefined;
    let backend: RedisBackend | undefined;
    beforeAll(async () => {
      server = await startRedis({ kind });
      backend = new RedisBackend({ url: server.url(), commandTimeoutMs: 5_000, onUnavailable: "refuse", log: () => undefined, probeMs: 1_000 });
      await backend.start(5_000);
    }, 300_000);
    afterAll(async () => {
      await backend?.close();
      await server?.stop();
    });

    it("fmt writes every double so that JavaScript reads back the same number", async () => {
      const lua = `${fmtPrelude()}local out = {}
for i, a in ipairs(ARGV) do out[i] = fmt(tonumber(a)) end
return out`;
      const values = samples();
      const texts = (await backend!.client.eval(lua, 0, ...values.map(String))) as string[];
      expect(texts).toHaveLength(values.length);
      const wrong = values.flatMap((v, i) => (Number(texts[i]) === v ? [] : [`${v} → ${texts[i]}`]));
      expect(wrong).toEqual([]);
      // Whole numbers below 10^14 are written without an exponent, as %.17g writes them.
      expect(texts[values.indexOf(1_765_108_800_000)]).toBe("1765108800000");
      expect(texts[values.indexOf(99_999_999_999_999)]).toBe("99999999999999");
    });
  });
}
