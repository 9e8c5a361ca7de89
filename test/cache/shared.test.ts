/**
 * @module The response cache on shared state (issue 22): two router.mjs processes on one real redis-server, and again
 * on valkey-server. An answer one replica fetched is a hit on the other; the key lives under the state's key prefix and
 * environment with Redis keeping its time to live; `scope: "team"` holds across replicas; with Redis gone the replicas
 * keep serving (misses), never refusing for the cache's sake.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleRouter } from "../../packages/compiler/src/emit/router-bundle.ts";
import { type FakeOpenAi, startFakeOpenAi } from "../helpers/fake-openai.ts";
import { type RouterProcess, spawnRouter } from "../helpers/process.ts";
import { type RedisServer, redisKinds, startRedis } from "../helpers/redis-server.ts";
import { releaseOf } from "../helpers/release.ts";

const KEYS = { SUPPORT_KEY: "sk-support-shared-cache", SALES_KEY: "sk-sales-shared-cache", QUOTA_KEY: "sk-quota-shared-cache" };

describe.each(redisKinds())("response cache shared across replicas on %s", (kind) => {
  let redis: RedisServer;
  let upstream: FakeOpenAi;
  let dir: string;
  let a: RouterProcess;
  let b: RouterProcess;

  beforeAll(async () => {
    redis = await startRedis({ kind });
    upstream = await startFakeOpenAi(() => ({ kind: "ok", text: "Shared answer." }));
    dir = await mkdtemp(path.join(tmpdir(), "switchyard-cache-"));
    const release = releaseOf({
      environment: "prod",
      providers: { up: { kind: "openai", baseUrl: upstream.baseUrl } },
      models: { gpt: { provider: "up", name: "gpt-1", context: 8_000, price: { input: 1, output: 1 } } },
      routes: { faq: { model: "gpt", cache: { ttlMs: 600_000, scope: "team" } } },
      teams: {
        support: { keys: [{ secret: "SUPPORT_KEY" }], routes: ["faq"] },
        sales: { keys: [{ secret: "SALES_KEY" }], routes: ["faq"] },
        // A budget with limits: on Redis the rate limit is taken with the first attempt's reservation, and a hit makes none.
        quota: { keys: [{ secret: "QUOTA_KEY" }], routes: ["faq"], budget: { usd: 100, per: "month" }, limits: { rpm: 3 } },
      },
      state: { kind: "redis", url: { secret: "REDIS_URL" }, keyPrefix: "cachetest", onUnavailable: "refuse" },
    });
    await bundleRouter({ release, outFile: path.join(dir, "router.mjs") });
    const env = { ...KEYS, REDIS_URL: redis.url(), SWITCHYARD_ALLOWED_UPSTREAMS: "127.0.0.1", SWITCHYARD_STATE_COMMAND_TIMEOUT_MS: "2000" };
    [a, b] = await Promise.all([spawnRouter(["router.mjs", "--port", "0"], { cwd: dir, env }), spawnRouter(["router.mjs", "--port", "0"], { cwd: dir, env })]);
  }, 120_000);

  afterAll(async () => {
    for (const r of [a, b]) if (r !== undefined && r.child.exitCode === null) r.child.kill("SIGTERM");
    await Promise.all([a?.exited, b?.exited]);
    await upstream?.close();
    await redis?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  const ask = (replica: RouterProcess, key: string, content: string) =>
    new OpenAI({ baseURL: `${replica.url}/v1`, apiKey: key, maxRetries: 0 }).chat.completions
      .create({ model: "faq", messages: [{ role: "user", content }], temperature: 0 })
      .withResponse();

  it("an answer fetched by one replica is a hit on the other, stored under the prefix with Redis's ttl", async () => {
    const calls = upstream.requests.length;
    const first = await ask(a, KEYS.SUPPORT_KEY, "one");
    expect(first.response.headers.get("x-switchyard-cache")).toBe("miss");
    // The SET goes out after the answer: wait until Redis has it.
    for (let i = 0; i < 50 && redis.cli("KEYS", "cachetest:prod:cache:*").trim() === ""; i++) await new Promise((r) => setTimeout(r, 20));
    const keys = redis.cli("KEYS", "cachetest:prod:cache:*").trim().split("\n");
    expect(keys).toHaveLength(1);
    const ttl = Number(redis.cli("PTTL", keys[0] ?? ""));
    expect(ttl).toBeGreaterThan(590_000);
    expect(ttl).toBeLessThanOrEqual(600_000);
    const second = await ask(b, KEYS.SUPPORT_KEY, "one");
    expect(second.response.headers.get("x-switchyard-cache")).toBe("hit");
    expect(second.data.choices[0]?.message.content).toBe("Shared answer.");
    expect(upstream.requests.length).toBe(calls + 1);
  });

  it('scope "team" holds across replicas: the other team misses on either', async () => {
    await ask(a, KEYS.SUPPORT_KEY, "two");
    await new Promise((r) => setTimeout(r, 100));
    const other = await ask(b, KEYS.SALES_KEY, "two");
    expect(other.response.headers.get("x-switchyard-cache")).toBe("miss");
    expect((await ask(b, KEYS.SUPPORT_KEY, "two")).response.headers.get("x-switchyard-cache")).toBe("hit");
  });

  it("a hit counts against a team's rpm on every replica, also for a team with a budget (whose limit waits for an attempt)", async () => {
    const statuses: number[] = [];
    const results: (string | null)[] = [];
    for (const replica of [a, b, a, b]) {
      const res = await fetch(`${replica.url}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${KEYS.QUOTA_KEY}`, "content-type": "application/json" },
        body: JSON.stringify({ model: "faq", messages: [{ role: "user", content: "quota" }], temperature: 0 }),
      });
      statuses.push(res.status);
      results.push(res.headers.get("x-switchyard-cache"));
      const body = (await res.json()) as { error?: { code: string } };
      if (res.status === 429) expect(body.error?.code).toBe("rate_limited");
      // The SET goes out after the answer: let it land before the next replica looks.
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(results.slice(0, 3)).toEqual(["miss", "hit", "hit"]);
  });

  it("with Redis hung the replica keeps answering (the cache never refuses a request)", async () => {
    redis.pause();
    try {
      // onUnavailable "refuse" refuses budgets and limits; these teams have neither, and the cache falls back to a miss.
      const down = await ask(a, KEYS.SUPPORT_KEY, "three");
      expect(down.response.status).toBe(200);
      expect(down.data.choices[0]?.message.content).toBe("Shared answer.");
    } finally {
      redis.resume();
    }
  }, 20_000);
});
