/**
 * @module Router start-up on the state its release declares (issue 19), against a real redis-server: router.mjs's
 * Redis variant connects, serves and closes its stores on SIGTERM; a starting replica serves the environment's active
 * release from Redis rather than its bundle's, unless its bundle is new to Redis (a new deployment), which then
 * becomes active; a stored release this router may not serve falls back to the bundle's, in one line.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Config, type Release, type State, serialiseRelease } from "@switchyard/ir";
import { type RunningRouter, builtinAdapters } from "@switchyard/router";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleRouter } from "../../packages/compiler/src/emit/router-bundle.ts";
import { createRedisStateStores } from "../../packages/router/src/state/redis/index.ts";
import { redisState } from "../../packages/router/src/state/redis/start.ts";
import type { StateStores } from "../../packages/router/src/state/stores.ts";
import { spawnRouter } from "../helpers/process.ts";
import { type RedisServer, startRedis } from "../helpers/redis-server.ts";
import { releaseOf } from "../helpers/release.ts";
import { chat, startTestRouter } from "../helpers/router.ts";

let server: RedisServer;
let dir: string;
const routers: RunningRouter[] = [];
const stores: StateStores[] = [];
let n = 0;

beforeAll(async () => {
  server = await startRedis();
  dir = await mkdtemp(path.join(tmpdir(), "switchyard-state-startup-"));
}, 120_000);
afterAll(async () => {
  await Promise.all(routers.map((r) => r.close()));
  await Promise.all(stores.map((s) => s.close()));
  await server.stop();
  await rm(dir, { recursive: true, force: true });
});

/** A release on Redis state under its own key prefix; `name` is the mock model's upstream name (what tells releases apart). */
function releaseNamed(name: string, keyPrefix: string, edit: (config: Partial<Config>) => void = () => undefined): Release {
  const state: State = { kind: "redis", url: { secret: "REDIS_URL" }, keyPrefix, onUnavailable: "serve-local" };
  const config: Partial<Config> = {
    environment: "prod",
    providers: { sim: { kind: "mock", headers: {}, selfHosted: false } },
    models: { m: { provider: "sim", name, context: 8_000, price: { input: 0, output: 0 }, lifecycle: "ga", capabilities: [] } },
    routes: { chat: { model: "m" } } as unknown as Config["routes"],
    state,
  };
  edit(config);
  return releaseOf(config as Parameters<typeof releaseOf>[0]);
}

/** The store a replica of `keyPrefix` would open (to seed or read Redis as another replica did). */
async function storeOf(keyPrefix: string): Promise<StateStores> {
  const s = await createRedisStateStores({ url: server.url(), keyPrefix: `${keyPrefix}:`, environment: "prod", onUnavailable: "refuse", log: () => undefined });
  stores.push(s);
  return s;
}

/** Start a router in-process on `release`, the Redis URL in REDIS_URL; its log lines. */
async function replica(release: Release): Promise<{ router: RunningRouter; lines: string[] }> {
  const lines: string[] = [];
  const router = await startTestRouter(release, {
    env: { REDIS_URL: server.url() },
    redis: redisState,
    telemetry: { log: (line) => lines.push(line), sinks: [] },
  });
  routers.push(router);
  return { router, lines };
}

/** The release that served a chat request (its hash, from x-switchyard-config-version). */
async function servedBy(router: { url: string }): Promise<string | null> {
  const res = await chat(router, { model: "chat", messages: [{ role: "user", content: "hi" }] });
  expect(res.status).toBe(200);
  return res.headers.get("x-switchyard-config-version");
}

describe("start-up on Redis state", () => {
  it("router.mjs with Redis state connects, serves, and closes its stores on SIGTERM (exit 0)", async () => {
    const release = releaseNamed("mock-v1", "bundle");
    const file = path.join(dir, "redis", "router.mjs");
    await bundleRouter({ release, outFile: file });
    const router = await spawnRouter([file, "--port", "0"], { cwd: dir, env: { REDIS_URL: server.url(3) } });
    try {
      expect(await servedBy(router)).toBe(release.hash);
      // The release is in Redis now, as the environment's active one.
      const seen = await createRedisStateStores({
        url: server.url(3),
        keyPrefix: "bundle:",
        environment: "prod",
        onUnavailable: "refuse",
        log: () => undefined,
      });
      stores.push(seen);
      expect(await seen.releases?.active("prod")).toBe(release.hash);
      router.child.kill("SIGTERM");
      expect(await router.exited).toBe(0);
      expect(router.stdout()).toContain("switchyard router: stopped");
      expect(router.stderr()).not.toMatch(/error|unhandled/i);
    } finally {
      router.child.kill("SIGKILL");
    }
  });

  it("DEBUG=ioredis:* prints the Redis client's own messages on stderr (router.mjs carries a small stand-in for the debug package)", async () => {
    const file = path.join(dir, "debug", "router.mjs");
    await bundleRouter({ release: releaseNamed("mock-v1", "debug"), outFile: file });
    const router = await spawnRouter([file, "--port", "0"], { cwd: dir, env: { REDIS_URL: server.url(4), DEBUG: "ioredis:*,-ioredis:dataHandler" } });
    try {
      expect(await servedBy(router)).not.toBeNull();
      expect(router.stderr()).toMatch(/^ioredis:redis status\[127\.0\.0\.1:\d+\]: \w+ -> connect/m);
      expect(router.stderr()).not.toMatch(/^ioredis:dataHandler /m);
    } finally {
      router.child.kill("SIGKILL");
    }
    // Without DEBUG, nothing of the client's.
    const quiet = await spawnRouter([file, "--port", "0"], { cwd: dir, env: { REDIS_URL: server.url(4) } });
    try {
      expect(await servedBy(quiet)).not.toBeNull();
      expect(quiet.stderr()).not.toMatch(/^ioredis:/m);
    } finally {
      quiet.child.kill("SIGKILL");
    }
  });

  it("a replica starting after another activated a newer release serves that one, not its bundle's", async () => {
    const prefix = `startup${++n}`;
    const v1 = releaseNamed("mock-v1", prefix);
    const v2 = releaseNamed("mock-v2", prefix);
    const first = await replica(v1);
    expect(await servedBy(first.router)).toBe(v1.hash);
    expect(first.lines.join("\n")).toContain(`release ${v1.hash.slice(0, 12)} (this router.mjs's) is new to the shared state and now active`);
    // An admin push through another replica: v2 stored and activated in Redis.
    const other = await storeOf(prefix);
    await other.releases?.put({
      hash: v2.hash,
      environment: "prod",
      uploadedAt: Date.now(),
      activatedAt: undefined,
      release: v2,
      bytes: serialiseRelease(v2).length,
    });
    await other.releases?.activate("prod", v2.hash, { now: Date.now() });
    // A replica that starts (or restarts) from v1's bundle.
    const late = await replica(v1);
    expect(await servedBy(late.router)).toBe(v2.hash);
    expect(late.lines).toContain(
      `switchyard router: serving the environment's active release ${v2.hash.slice(0, 12)} from the shared state (this router.mjs carries ${v1.hash.slice(0, 12)})`,
    );
  });

  it("a new bundle (a release Redis has never seen) becomes the environment's active release", async () => {
    const prefix = `startup${++n}`;
    const v1 = releaseNamed("mock-v1", prefix);
    const v3 = releaseNamed("mock-v3", prefix);
    await replica(v1);
    const rolled = await replica(v3);
    expect(await servedBy(rolled.router)).toBe(v3.hash);
    expect(await (await storeOf(prefix)).releases?.active("prod")).toBe(v3.hash);
    expect(rolled.lines.join("\n")).toContain(`now active in environment prod; was ${v1.hash.slice(0, 12)}`);
  });

  it("an active release this router may not serve (another state) falls back to the bundle's, in one line", async () => {
    const prefix = `startup${++n}`;
    const v1 = releaseNamed("mock-v1", prefix);
    const refusing = releaseNamed(
      "mock-v2",
      prefix,
      (c) => void (c.state = { kind: "redis", url: { secret: "REDIS_URL" }, keyPrefix: prefix, onUnavailable: "refuse" }),
    );
    await replica(v1);
    const other = await storeOf(prefix);
    await other.releases?.put({ hash: refusing.hash, environment: "prod", uploadedAt: Date.now(), activatedAt: undefined, release: refusing, bytes: 1 });
    await other.releases?.activate("prod", refusing.hash, { now: Date.now() });
    const late = await replica(v1);
    expect(await servedBy(late.router)).toBe(v1.hash);
    expect(late.lines.filter((l) => l.includes(refusing.hash.slice(0, 12)))).toEqual([
      `switchyard router: the environment's active release ${refusing.hash.slice(0, 12)} is not allowed on this router (state_not_allowed at config.state); serving this router.mjs's release ${v1.hash.slice(0, 12)}`,
    ]);
  });

  it("without the Redis client (an embedder forgot `redis`), start fails in one line naming it", async () => {
    await expect(startTestRouter(releaseNamed("mock-v1", "nofactory"), { env: { REDIS_URL: server.url() }, adapters: builtinAdapters })).rejects.toThrow(
      /^state: the release keeps its state on Redis, but this router was started without the Redis client/,
    );
  });
});
