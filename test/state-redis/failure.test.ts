/**
 * @module Redis down, hung or restarted: "serve-local" keeps answering from replica-local state and
 * merges the spend counted meanwhile back; "refuse" answers 503 state_unavailable; both reconnect
 * without a restart, with one log line per transition.
 */
import { afterEach, describe, expect, it } from "vitest";
import { acmeConfig } from "../../packages/router/src/core/testing.ts";
import { RouterError } from "../../packages/router/src/errors.ts";
import { createRedisStateStores, type RedisStateOptions } from "../../packages/router/src/state/redis/index.ts";
import type { StateStores } from "../../packages/router/src/state/stores.ts";
import { freePort, type RedisServer, startRedis } from "../helpers/redis-server.ts";

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function setup(onUnavailable: RedisStateOptions["onUnavailable"]): Promise<{ server: RedisServer; stores: StateStores; lines: string[] }> {
  const server = await startRedis();
  cleanup.push(() => server.stop());
  const lines: string[] = [];
  const stores = await createRedisStateStores({
    url: server.url(),
    keyPrefix: "fail:",
    environment: "prod",
    onUnavailable,
    commandTimeoutMs: 400, // long enough not to time out on a busy CI machine, short enough for the test
    refreshMs: 200,
    log: (line) => lines.push(line),
  });
  cleanup.push(() => stores.close());
  return { server, stores, lines };
}

async function until(check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const day = { period: "day" as const, periodStart: Date.UTC(2027, 0, 15), periodEnd: Date.UTC(2027, 0, 16) };
const terms = { team: "acme", limitUsd: 100, mode: "hard" as const, ...day };
const now = Date.UTC(2027, 0, 15, 12);

describe("Redis failures", () => {
  it("serve-local: a hung Redis (SIGSTOP) times out into local answers; on resume the local spend is merged back", async () => {
    const { server, stores, lines } = await setup("serve-local");
    await stores.rollout.activate(acmeConfig(), now);
    const feedback = { route: "legal-review", arm: "baseline" as const, model: "claude", score: 1, servedAt: now };
    expect(await stores.rollout.recordCanaryFeedback(feedback)).toBe(true);
    const shared = await stores.budgets.reserve({ ...terms, amountUsd: 1, now });
    await stores.budgets.settle({ team: "acme", id: shared.id!, costUsd: 2, now });

    server.pause();
    const local = await stores.budgets.reserve({ ...terms, amountUsd: 1, now: now + 1 });
    expect(stores.backendUp()).toBe(false);
    expect(local).toMatchObject({ granted: true, spentUsd: 2 }); // the local ledger starts from the last shared spend seen
    expect(local.id).toMatch(/^L:/);
    expect((await stores.limits.take({ team: "acme", rpm: 10, tpm: undefined, tokens: 1, now })).allowed).toBe(true);
    expect(await stores.rollout.holdControllerLease("prod", "me", 5_000, now)).toBe(false);
    // Guard windows are not recorded while down: the score is not counted, the attempt is dropped without an error.
    expect(await stores.rollout.recordCanaryFeedback(feedback)).toBe(false);
    await stores.rollout.recordCanaryAttempt("legal-review", { model: "claude", route: "legal-review", arm: "baseline", ok: true, latencyMs: 5, now });
    expect((await stores.rollout.snapshot(now))["legal-review"]).toMatchObject({ percent: 5 });
    expect(await stores.budgets.settle({ team: "acme", id: local.id!, costUsd: 0.75, now: now + 2 })).toMatchObject({ settled: true, spentUsd: 2.75 });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/is unreachable \(Command timed out\); serving budgets and rate limits from replica-local state until it answers$/);

    server.resume();
    await until(() => stores.backendUp());
    await until(async () => (await stores.budgets.peek(terms, now + 3)).spentUsd === 2.75);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/is reachable again/);
    expect(await stores.rollout.holdControllerLease("prod", "me", 5_000, now)).toBe(true);
    expect((await stores.rollout.snapshot(now))["legal-review"]?.window.baseline).toMatchObject({ requests: 0, scores: 1, scoreSum: 1 });
  });

  it("refuse: a hung Redis answers RouterError state_unavailable (503, OpenAI error shape), then recovers by itself", async () => {
    const { server, stores, lines } = await setup("refuse");
    server.pause();
    const error = await Promise.resolve(stores.limits.take({ team: "acme", rpm: 10, tpm: undefined, tokens: 1, now })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RouterError);
    expect((error as RouterError).status).toBe(503);
    expect((error as RouterError).toBody()).toEqual({
      error: { message: "the router's shared state (Redis) is unreachable; retry shortly", type: "server_error", code: "state_unavailable", param: null },
    });
    await expect(Promise.resolve(stores.budgets.reserve({ ...terms, amountUsd: 1, now }))).rejects.toMatchObject({ code: "state_unavailable" });
    await expect(Promise.resolve(stores.releases!.active("prod"))).rejects.toMatchObject({ code: "state_unavailable" });
    expect(lines).toEqual([expect.stringMatching(/refusing governed requests with 503 state_unavailable until it answers$/)]);
    server.resume();
    await until(() => stores.backendUp());
    expect((await stores.limits.take({ team: "acme", rpm: 10, tpm: undefined, tokens: 1, now })).allowed).toBe(true);
    expect(lines).toHaveLength(2);
  });

  it("serve-local: Redis restarted under load → no failed operation, reconnected without a restart, one line each way", async () => {
    const { server, stores, lines } = await setup("serve-local");
    let failed = 0;
    let done = 0;
    let running = true;
    const worker = async (w: number): Promise<void> => {
      for (let i = 0; running; i++) {
        try {
          const t = await stores.limits.take({ team: `t${w}`, rpm: 1_000_000, tpm: undefined, tokens: 1, now: now + i });
          const r = await stores.budgets.reserve({ ...terms, team: `t${w}`, limitUsd: 1_000_000, amountUsd: 0.01, now: now + i });
          if (!t.allowed || !r.granted) failed++;
          else await stores.budgets.settle({ team: `t${w}`, id: r.id!, costUsd: 0.01, now: now + i });
          done++;
        } catch {
          failed++;
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
    };
    const workers = Array.from({ length: 8 }, (_, w) => worker(w));
    await until(() => done > 200);
    await server.restart();
    await until(() => stores.backendUp() && lines.length >= 2);
    const after = done;
    await until(() => done > after + 200);
    running = false;
    await Promise.all(workers);
    expect(failed).toBe(0);
    // One line per transition: down, up (and again, should a loaded machine time out a command on the way).
    expect(lines.length % 2).toBe(0);
    lines.forEach((line, i) => expect(line).toMatch(i % 2 === 0 ? /is unreachable/ : /is reachable again/));
    // Scripts are gone after a restart (NOSCRIPT): the stores loaded them again by themselves.
    expect((await stores.limits.peek({ team: "t0", rpm: 1_000_000, tpm: undefined, now })).requests?.capacity).toBe(1_000_000);
  });

  it("Redis not there at start: the router starts with the backend down, serves locally, and joins once Redis comes", async () => {
    const port = await freePort();
    const lines: string[] = [];
    const stores = await createRedisStateStores({
      url: `redis://127.0.0.1:${port}/0`,
      keyPrefix: "late:",
      environment: "prod",
      onUnavailable: "serve-local",
      connectWaitMs: 300,
      refreshMs: 60_000, // so only pub/sub can bring the canary change below
      log: (line) => lines.push(line),
    });
    cleanup.push(() => stores.close());
    expect(stores.backendUp()).toBe(false);
    expect(lines).toEqual([expect.stringMatching(/^switchyard: shared state redis:\/\/127\.0\.0\.1:\d+\/0 is unreachable \(connect ECONNREFUSED/)]);
    expect((await stores.budgets.reserve({ ...terms, amountUsd: 1, now })).id).toMatch(/^L:/);
    const server = await startRedis({ port });
    cleanup.push(() => server.stop());
    // Reconnection backs off; on a loaded machine the first successful retry can take several seconds.
    await until(() => stores.backendUp(), 25_000);
    expect((await stores.budgets.reserve({ ...terms, amountUsd: 1, now })).id).not.toMatch(/^L:/);
    expect(lines).toHaveLength(2);
    // The subscription made while Redis was down completed: another replica's canary step arrives by pub/sub.
    const other = await createRedisStateStores({ url: server.url(), keyPrefix: "late:", environment: "prod", onUnavailable: "refuse", log: () => undefined });
    cleanup.push(() => other.close());
    // A canary is set on a route whose canary a release declared (acme's legal-review).
    await other.rollout.activate(acmeConfig(), now);
    await other.rollout.setCanaryPercent("legal-review", 25, { now, step: 1 });
    await until(() => stores.view(now).canaryPercent("legal-review") === 25);
  }, 60_000);
});
