/** @module Connecting to Redis as deployments do: rediss:// with a private CA, ACL users, database numbers, and URLs that cannot work. */
import { afterAll, describe, expect, it } from "vitest";
import { checkRedisUrl, createRedisStateStores, type RedisStateOptions } from "../../packages/router/src/state/redis/index.ts";
import type { StateStores } from "../../packages/router/src/state/stores.ts";
import { type RedisServer, startRedis } from "../helpers/redis-server.ts";

const servers: RedisServer[] = [];
const open: StateStores[] = [];
afterAll(async () => {
  await Promise.all(open.map((s) => s.close()));
  await Promise.all(servers.map((s) => s.stop()));
});

async function server(options: Parameters<typeof startRedis>[0] = {}): Promise<RedisServer> {
  const s = await startRedis(options);
  servers.push(s);
  return s;
}

async function stores(options: Partial<RedisStateOptions> & { url: string }): Promise<{ stores: StateStores; lines: string[] }> {
  const lines: string[] = [];
  const s = await createRedisStateStores({
    keyPrefix: "conn:",
    environment: "prod",
    onUnavailable: "refuse",
    commandTimeoutMs: 2_000,
    connectWaitMs: 3_000,
    log: (line) => lines.push(line),
    ...options,
  });
  open.push(s);
  return { stores: s, lines };
}

const day = { period: "day" as const, periodStart: Date.UTC(2027, 0, 15), periodEnd: Date.UTC(2027, 0, 16) };
const terms = { team: "acme", limitUsd: 1, mode: "hard" as const, ...day };
const now = Date.UTC(2027, 0, 15, 12);

describe("Redis connections", () => {
  it("rediss:// with the server's CA: connected, and the stores work over TLS", async () => {
    const s = await server({ tls: true });
    expect(s.url()).toMatch(/^rediss:\/\/127\.0\.0\.1:\d+\/0$/);
    const { stores: st, lines } = await stores({ url: s.url(), tls: { ca: s.ca } });
    expect(st.backendUp()).toBe(true);
    expect((await st.budgets.reserve({ ...terms, amountUsd: 0.5, now })).granted).toBe(true);
    expect(lines).toEqual([]);
  });

  it("rediss:// to a certificate nobody vouches for: down, one line saying why", async () => {
    const s = await server({ tls: true });
    const { stores: st, lines } = await stores({ url: s.url(), connectWaitMs: 1_000 });
    expect(st.backendUp()).toBe(false);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /shared state rediss:\/\/127\.0\.0\.1:\d+\/0 is unreachable \(.*certificate.*\); refusing governed requests with 503 state_unavailable/,
    );
    await expect(st.budgets.reserve({ ...terms, amountUsd: 0.5, now })).rejects.toMatchObject({ code: "state_unavailable", status: 503 });
  });

  it("an ACL user:password@ URL connects; a wrong password is one line that never prints it", async () => {
    const s = await server({ password: "default-secret-1", user: { name: "router", password: "router-secret-2" } });
    const { stores: ok } = await stores({ url: s.url(0, "user") });
    expect(ok.backendUp()).toBe(true);
    expect((await ok.limits.take({ team: "acme", rpm: 1, tpm: undefined, tokens: 1, now })).allowed).toBe(true);
    const { stores: viaDefault } = await stores({ url: s.url(0, "password"), keyPrefix: "other:" });
    expect(viaDefault.backendUp()).toBe(true);

    const wrong = s.url(0, "user").replace("router-secret-2", "not-the-password-3");
    const { stores: bad, lines } = await stores({ url: wrong, connectWaitMs: 1_000 });
    expect(bad.backendUp()).toBe(false);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/shared state redis:\/\/router:\*\*\*@127\.0\.0\.1:\d+\/0 is unreachable \(WRONGPASS/);
    expect(lines.join("\n")).not.toContain("not-the-password-3");
  });

  it("database numbers keep routers apart on one server (/3 is not /0)", async () => {
    const s = await server();
    const { stores: db3 } = await stores({ url: s.url(3) });
    const { stores: db3again } = await stores({ url: s.url(3) });
    const { stores: db0 } = await stores({ url: s.url(0) });
    expect((await db3.budgets.reserve({ ...terms, amountUsd: 1, now })).granted).toBe(true);
    expect((await db3again.budgets.reserve({ ...terms, amountUsd: 0.5, now })).granted).toBe(false);
    expect((await db0.budgets.reserve({ ...terms, amountUsd: 0.5, now })).granted).toBe(true);
  });

  it("a bad URL is one problem naming what is wrong, never the password", () => {
    expect(checkRedisUrl("redis://127.0.0.1:6379/0")).toBeUndefined();
    expect(checkRedisUrl("rediss://user:pw@cache.internal")).toBeUndefined();
    expect(checkRedisUrl("")).toBe("is empty");
    expect(checkRedisUrl("http://user:hunter2@cache:6379")).toBe("must start with redis:// or rediss:// (got http://)");
    expect(checkRedisUrl("redis://:hunter2@cache:6379/db1")).toBe("has a path other than a database number (expected /0, /1, …)");
    expect(checkRedisUrl("hunter2 cache:6379")).toMatch(/^is not a URL/);
    expect(checkRedisUrl("redis://:hunter2@cache:6379/0?tls=1")).toMatch(/query/);
    for (const url of ["http://user:hunter2@cache:6379", "redis://:hunter2@cache:6379/db1", "hunter2 cache:6379"]) {
      expect(checkRedisUrl(url)).not.toContain("hunter2");
    }
  });

  it("createRedisStateStores refuses a bad URL before connecting", async () => {
    await expect(createRedisStateStores({ url: "redis://:hunter2@cache:6379/x", keyPrefix: "", environment: "prod", onUnavailable: "refuse" })).rejects.toThrow(
      /^the Redis URL has a path other than a database number/,
    );
  });
});
