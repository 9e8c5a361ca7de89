/**
 * @module A shared activation one replica cannot run (issue 19): two routers on one real redis-server, one built
 * without the Anthropic adapter. A release naming an Anthropic model, activated through the other, leaves it serving
 * its current release: it logs one line, `/admin/state` says which release it could not run and why, and the next
 * activation it can run (here a rollback) brings it back in line.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Release } from "@switchyard/ir";
import { type RunningRouter, builtinAdapters } from "@switchyard/router";
import { redisState } from "@switchyard/router/redis";
import { ADMIN_TOKEN, adminFetch, releaseText } from "../helpers/admin.ts";
import { type RedisServer, startRedis } from "../helpers/redis-server.ts";
import { releaseOf } from "../helpers/release.ts";
import { chat, startTestRouter } from "../helpers/router.ts";

let redis: RedisServer;
const routers: RunningRouter[] = [];

function release(withAnthropic: boolean): Release {
  return releaseOf({
    environment: "prod",
    providers: {
      sim: { kind: "mock" },
      ...(withAnthropic ? { ant: { kind: "anthropic" as const, baseUrl: "http://127.0.0.1:9/v1", apiKey: { secret: "ANT_KEY" } } } : {}),
    },
    models: {
      m: { provider: "sim", name: "mock-1", context: 8_000, price: { input: 0, output: 0 } },
      ...(withAnthropic ? { claude: { provider: "ant", name: "claude-x", context: 8_000, price: { input: 0, output: 0 } } } : {}),
    },
    routes: { chat: { model: "m" }, ...(withAnthropic ? { claude: { model: "claude" } } : {}) },
    state: { kind: "redis", url: { secret: "REDIS_URL" }, keyPrefix: "follow", onUnavailable: "serve-local" },
  });
}

beforeAll(async () => {
  redis = await startRedis();
}, 30_000);

afterAll(async () => {
  for (const router of routers) await router.close();
  await redis?.stop();
});

describe("an activation a replica cannot run", () => {
  it("is logged and shown in /admin/state; that replica keeps serving, and follows the next activation it can run", async () => {
    const boot = release(false);
    const next = release(true);
    const env = {
      REDIS_URL: redis.url(),
      SWITCHYARD_ADMIN_TOKEN: ADMIN_TOKEN,
      ANT_KEY: "sk-ant",
      SWITCHYARD_ALLOWED_UPSTREAMS: "127.0.0.1",
      SWITCHYARD_ALLOWED_SECRETS: "ANT_KEY,REDIS_URL",
    };
    const lines: string[] = [];
    const full = await startTestRouter(boot, { env, redis: redisState });
    routers.push(full);
    const { anthropic: _, ...withoutAnthropic } = builtinAdapters;
    const partial = await startTestRouter(boot, {
      env,
      redis: redisState,
      adapters: withoutAnthropic,
      telemetry: { log: (line) => lines.push(line) },
    });
    routers.push(partial);

    const uploaded = await adminFetch(full.url, "PUT", `/admin/releases/${next.hash}`, { body: releaseText(next) });
    expect(uploaded.text).toContain(next.hash);
    expect(uploaded.status).toBe(201);
    expect((await adminFetch(full.url, "POST", `/admin/releases/${next.hash}/activate`)).status).toBe(200);
    // Within the backstop period, the partial replica has heard of it and declined it.
    const deadline = Date.now() + 2_000;
    while (!lines.some((line) => line.includes("cannot serve release")) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(lines.filter((line) => line.includes("cannot serve release"))).toEqual([
      expect.stringMatching(
        new RegExp(
          `^switchyard router: cannot serve release ${next.hash.slice(0, 12)} \\(environment prod, activated through another replica\\): .*anthropic.*; still serving ${boot.hash.slice(0, 12)}$`,
        ),
      ),
    ]);
    const state = (await adminFetch(partial.url, "GET", "/admin/state")).json as {
      release: { hash: string };
      state: { kind: string; up: boolean; activeRelease: string; unfollowed?: { hash: string; message: string } };
    };
    expect(state.release.hash).toBe(boot.hash);
    expect(state.state).toMatchObject({ kind: "redis", up: true, activeRelease: next.hash, unfollowed: { hash: next.hash } });
    expect(state.state.unfollowed?.message).toContain("anthropic");
    const served = await chat(partial, { model: "chat", messages: [{ role: "user", content: "hi" }] });
    expect(served.status).toBe(200);
    expect(served.headers.get("x-switchyard-config-version")).toBe(boot.hash);

    // The rollback (to the release it runs) clears the note.
    expect((await adminFetch(full.url, "POST", "/admin/rollback")).status).toBe(200);
    const cleared = Date.now() + 2_000;
    let after = state;
    while (Date.now() < cleared) {
      after = (await adminFetch(partial.url, "GET", "/admin/state")).json as typeof state;
      if (after.state.activeRelease === boot.hash && after.state.unfollowed === undefined) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(after.state).toEqual({ kind: "redis", up: true, activeRelease: boot.hash });
  }, 30_000);

  it("meets this replica's own admission: a release naming a secret it does not allow is not served, through activation or rollback", async () => {
    const boot = { ...release(false) };
    const next = release(true);
    const shared = { REDIS_URL: redis.url(), SWITCHYARD_ADMIN_TOKEN: ADMIN_TOKEN, ANT_KEY: "sk-ant" };
    // Both replicas share one key prefix with the first test; roll it back to `boot` first.
    const wide = await startTestRouter(boot, {
      env: { ...shared, SWITCHYARD_ALLOWED_UPSTREAMS: "127.0.0.1", SWITCHYARD_ALLOWED_SECRETS: "ANT_KEY,REDIS_URL" },
      redis: redisState,
    });
    routers.push(wide);
    const lines: string[] = [];
    // No SWITCHYARD_ALLOWED_SECRETS / _UPSTREAMS: this replica admits only what its boot release names.
    const narrow = await startTestRouter(boot, { env: shared, redis: redisState, telemetry: { log: (line) => lines.push(line) } });
    routers.push(narrow);

    expect((await adminFetch(wide.url, "PUT", `/admin/releases/${next.hash}`, { body: releaseText(next) })).status).toBeLessThan(300);
    expect((await adminFetch(wide.url, "POST", `/admin/releases/${next.hash}/activate`)).status).toBe(200);
    const deadline = Date.now() + 2_000;
    while (!lines.some((line) => line.includes(`cannot serve release ${next.hash.slice(0, 12)}`)) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(lines.find((line) => line.includes(`cannot serve release ${next.hash.slice(0, 12)}`))).toMatch(/not allowed on this router/);
    const served = await chat(narrow, { model: "chat", messages: [{ role: "user", content: "hi" }] });
    expect(served.headers.get("x-switchyard-config-version")).toBe(boot.hash);
    // Activating it through the narrow replica itself is refused the same way, and nothing changes.
    const refused = await adminFetch(narrow.url, "POST", `/admin/releases/${next.hash}/activate`);
    expect(refused.status).toBe(400);
    expect(refused.text).toContain("not allowed on this router");
  }, 30_000);
});
