/**
 * @module The lean script connection against ioredis, the library it stands in for on the request path:
 * the same replies for the same scripts, the same database and credentials, NOSCRIPT answered with EVAL,
 * a hung server timed out into BackendDown and a restarted one reconnected — on Redis and on Valkey.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BackendDown, RedisBackend } from "../../packages/router/src/state/redis/backend.ts";
import { LEAN_CLIENT_NAME, LeanConnection, RedisReplyError } from "../../packages/router/src/state/redis/lean.ts";
import { ADMIT, type LuaScript } from "../../packages/router/src/state/redis/scripts.ts";
import { type RedisServer, redisKinds, startRedis } from "../helpers/redis-server.ts";

/** A reply with each error (ioredis's class or ours) as its message, to compare the two clients' replies. */
function plain(reply: unknown): unknown {
  if (reply instanceof Error) return { error: reply.message, name: reply.name };
  return Array.isArray(reply) ? reply.map(plain) : reply;
}

/** Scripts whose replies cover every RESP2 shape a script can answer. */
const SHAPES: Array<[string, string, string[]]> = [
  ["integers", "return { 0, -7, 9007199254740991, 3.9 }", []],
  ["nil in an array, and an array ended by nil", "return { 1, false, 'after' }", []],
  ["nil", "return false", []],
  ["empty strings and an empty array", "return { '', {} }", []],
  ["text with CRLF and UTF-8", "return { ARGV[1], ARGV[2] }", ["a\r\nb", "ünïcødé ✓"]],
  ["nested arrays", "return { { 1, { 'x', { 'y' } } }, {} }", []],
  ["a status reply", "return redis.status_reply('FINE')", []],
  ["an error reply in a table", "return { redis.error_reply('ERR in a table') }", []],
  ["a megabyte of text", "return string.rep('abcdefgh', 131072)", []],
  ["many replies' worth of array", "local t = {} for i = 1, 5000 do t[i] = i .. '' end return t", []],
];

for (const kind of redisKinds()) {
  describe(`the lean script connection on ${kind}`, () => {
    let server: RedisServer | undefined;
    beforeAll(async () => {
      server = await startRedis({ kind, user: { name: "router", password: "p@ss:w/rd" } });
    }, 300_000);
    afterAll(async () => {
      await server?.stop();
    });

    const backendFor = async (url: string, commandTimeoutMs = 2_000) => {
      const lines: string[] = [];
      const backend = new RedisBackend({ url, commandTimeoutMs, onUnavailable: "refuse", log: (line) => lines.push(line), probeMs: 100 });
      await backend.start(5_000);
      return { backend, lines };
    };

    it("answers every reply shape exactly as ioredis does, and an error reply with ioredis's message", async () => {
      const { backend } = await backendFor(server!.url(0, "user"));
      const lean = new LeanConnection({ url: server!.url(0, "user"), commandTimeoutMs: 2_000, connectTimeoutMs: 2_000 });
      lean.start();
      await lean.whenReady();
      try {
        for (const [what, lua, args] of SHAPES) {
          const theirs = await backend.client.eval(lua, 0, ...args);
          expect(plain(await lean.send(["EVAL", lua, 0, ...args])), what).toEqual(plain(theirs));
        }
        const fail = "return redis.call('INCR', KEYS[1])";
        await backend.client.set("{lean}:text", "not a number");
        const theirs = await backend.client.eval(fail, 1, "{lean}:text").catch((error: Error) => error);
        const ours = await lean.send(["EVAL", fail, 1, "{lean}:text"]).catch((error: Error) => error);
        expect(ours).toBeInstanceOf(RedisReplyError);
        expect((ours as Error).message).toBe((theirs as Error).message);
      } finally {
        lean.close();
        await backend.close();
      }
    });

    it("carries the request path's scripts, in the URL's database with its ACL user, and answers NOSCRIPT with EVAL", async () => {
      const url = server!.url(3, "user");
      const { backend } = await backendFor(url);
      try {
        const probe: LuaScript = { name: "admit", lua: "return redis.call('GET', KEYS[1])", sha: "" };
        server!.cli("-n", "3", "SET", "{lean}:db", "three");
        // The name puts it on the lean connection; its empty SHA is unknown, so this also goes through NOSCRIPT → EVAL.
        expect(await backend.eval(probe, ["{lean}:db"], [])).toBe("three");
        const DAY = 86_400_000;
        const now = Date.now();
        const start = Math.floor(now / DAY) * DAY;
        server!.cli("SCRIPT", "FLUSH");
        const reply = (await backend.eval(
          ADMIT,
          ["{t}:l", "{t}:h", "{t}:e", "{t}:x", "{t}:r"],
          ["day", start, start + DAY, 10, "hard", 60, "", 600_000, 3_600_000, 86_400_000, 0.5, now, "r1", 100],
        )) as unknown[];
        expect(reply).toEqual([1, 0, 59, 1_000, 0, 0, 1, 0, "0", "0.5"]);
        const clients = server!.cli("CLIENT", "LIST");
        const line = clients.split("\n").find((l) => l.includes(`name=${LEAN_CLIENT_NAME} `));
        expect(line).toMatch(/ db=3 /);
        expect(line).toMatch(/ user=router /);
        expect(line).toMatch(/ cmd=eval(sha)? /);
      } finally {
        await backend.close();
      }
    });

    it("a hung server: the script times out into BackendDown; on resume the connection serves again", async () => {
      const { backend } = await backendFor(server!.url(0, "user"), 300);
      try {
        const probe: LuaScript = { name: "rate_limit", lua: "return 1", sha: "e0e1f9fabfc9d4800c877a703b823ac0578ff8db" };
        expect(await backend.eval(probe, [], [])).toBe(1);
        server!.pause();
        const started = Date.now();
        await expect(backend.eval(probe, [], [])).rejects.toBeInstanceOf(BackendDown);
        expect(Date.now() - started).toBeLessThan(2_000);
        server!.resume();
        await expect.poll(async () => backend.eval(probe, [], []).catch(() => "down"), { timeout: 10_000, interval: 100 }).toBe(1);
      } finally {
        server!.resume();
        await backend.close();
      }
    });

    it("a restarted server: reconnected without a restart of the router", async () => {
      const { backend } = await backendFor(server!.url(0, "user"));
      try {
        const probe: LuaScript = { name: "settle_adjust", lua: "return 'up'", sha: "" };
        expect(await backend.eval(probe, [], [])).toBe("up");
        await server!.restart();
        await expect.poll(async () => backend.eval(probe, [], []).catch(() => "down"), { timeout: 15_000, interval: 100 }).toBe("up");
        expect(server!.cli("CLIENT", "LIST")).toContain(`name=${LEAN_CLIENT_NAME}`);
      } finally {
        await backend.close();
      }
    }, 30_000);
  });
}

describe("the lean script connection over TLS", () => {
  let server: RedisServer | undefined;
  beforeAll(async () => {
    server = await startRedis({ tls: true, password: "tls-secret" });
  }, 300_000);
  afterAll(async () => {
    await server?.stop();
  });

  it("rediss:// with the server's CA and a password: the scripts run on it", async () => {
    const backend = new RedisBackend({
      url: server!.url(0, "password"),
      commandTimeoutMs: 2_000,
      onUnavailable: "refuse",
      log: () => undefined,
      probeMs: 1_000,
      tls: { ca: server!.ca },
    });
    await backend.start(5_000);
    try {
      const probe: LuaScript = { name: "admit", lua: "return 'over tls'", sha: "" };
      expect(await backend.eval(probe, [], [])).toBe("over tls");
      expect(server!.cli("CLIENT", "LIST")).toMatch(new RegExp(`name=${LEAN_CLIENT_NAME} .* cmd=eval `));
    } finally {
      await backend.close();
    }
  });
});
