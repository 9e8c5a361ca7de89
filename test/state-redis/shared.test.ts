/**
 * @module What sharing through Redis promises across replicas, each "replica" a StateStores of its
 * own connection on one real redis-server: a hard budget is not overspent by concurrent reservations,
 * rate limits are exact, reservations of a dead replica lapse, canary shares and release activations
 * reach the other replicas.
 */
import { createRelease } from "@switchyard/ir";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { acmeConfig } from "../../packages/router/src/core/testing.ts";
import { createRedisStateStores, type RedisStateOptions } from "../../packages/router/src/state/redis/index.ts";
import type { StateStores } from "../../packages/router/src/state/stores.ts";
import { type RedisServer, startRedis } from "../helpers/redis-server.ts";

let server: RedisServer;
let n = 0;
const open: StateStores[] = [];

beforeAll(async () => {
  server = await startRedis();
}, 120_000);
afterAll(async () => {
  await Promise.all(open.map((s) => s.close()));
  await server.stop();
});

/** `count` replicas sharing one fresh key prefix. */
async function replicas(count: number, options: Partial<RedisStateOptions> = {}): Promise<StateStores[]> {
  const keyPrefix = `shared${++n}:`;
  const out: StateStores[] = [];
  for (let i = 0; i < count; i++) {
    const s = await createRedisStateStores({
      url: server.url(),
      keyPrefix,
      environment: "prod",
      onUnavailable: "refuse",
      commandTimeoutMs: 5_000,
      log: () => undefined,
      ...options,
    });
    out.push(s);
    open.push(s);
  }
  return out;
}

const DAY = 86_400_000;

/** EVALSHA calls the server has run (INFO commandstats). */
function evalshaCalls(): number {
  return Number(/^cmdstat_evalsha:calls=(\d+)/m.exec(server.cli("INFO", "commandstats"))?.[1] ?? 0);
}
const now = Date.UTC(2027, 0, 15, 12);
const day = { period: "day" as const, periodStart: Date.UTC(2027, 0, 15), periodEnd: Date.UTC(2027, 0, 15) + DAY };

async function until(check: () => boolean | Promise<boolean>, ms = 3_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("shared budgets", () => {
  it("3 replicas × 60 concurrent reservations against one hard budget never overspend by more than one estimate", async () => {
    const fleet = await replicas(3);
    const estimate = 0.013;
    const terms = { team: "acme", limitUsd: 1, mode: "hard" as const, ...day };
    // Each attempt reserves its estimate (prompt + max output tokens: an upper bound), then settles at its real cost, 50–100 % of it.
    const attempt = async (s: StateStores, i: number): Promise<number> => {
      const r = await s.budgets.reserve({ ...terms, amountUsd: estimate, now });
      if (!r.granted || r.id === undefined) return 0;
      const cost = estimate * (0.5 + (i % 3) / 4);
      await s.budgets.settle({ team: "acme", id: r.id, costUsd: cost, now });
      return cost;
    };
    const spent = (await Promise.all(fleet.flatMap((s, k) => Array.from({ length: 60 }, (_, i) => attempt(s, k * 60 + i))))).reduce((a, b) => a + b, 0);
    const peek = await fleet[0]!.budgets.peek(terms, now);
    expect(peek.spentUsd).toBeCloseTo(spent, 9);
    expect(peek.reservedUsd).toBe(0);
    expect(spent).toBeGreaterThan(terms.limitUsd * 0.5); // the budget was really contended
    expect(spent).toBeLessThanOrEqual(terms.limitUsd + estimate);
    // And nothing more is granted once spent.
    expect((await fleet[1]!.budgets.reserve({ ...terms, amountUsd: estimate, now })).granted).toBe(spent + estimate <= terms.limitUsd);
  });

  it("a fallback's reservation never overtakes the settlement of the attempt that failed before it", async () => {
    const [s] = await replicas(1);
    const terms = { team: "acme", limitUsd: 0.5, mode: "hard" as const, ...day };
    // Two requests hold 0.22 each; the first one's primary fails (settled at $0, not awaited: off the answer's
    // path) and its fallback reserves at once. Only the failed attempt's release leaves room for it.
    const a = await s!.budgets.reserve({ ...terms, amountUsd: 0.22, now });
    const b = await s!.budgets.reserve({ ...terms, amountUsd: 0.22, now });
    expect(a.granted && b.granted).toBe(true);
    const settled = s!.budgets.settle({ team: "acme", id: a.id!, costUsd: 0, now });
    const fallback = await s!.budgets.reserve({ ...terms, amountUsd: 0.22, now });
    expect((await settled).settled).toBe(true);
    expect(fallback.granted).toBe(true);
    expect(fallback.reservedUsd).toBeCloseTo(0.44, 9);
  });

  it("reservations of a replica that died lapse after reservationTtlMs; a late settle still charges once", async () => {
    const [a, b] = await replicas(2, { reservationTtlMs: 30_000 });
    const terms = { team: "acme", limitUsd: 1, mode: "hard" as const, ...day };
    const held = await a!.budgets.reserve({ ...terms, amountUsd: 0.9, now });
    expect(held.granted).toBe(true);
    expect((await b!.budgets.reserve({ ...terms, amountUsd: 0.2, now: now + 29_999 })).granted).toBe(false);
    const later = await b!.budgets.reserve({ ...terms, amountUsd: 0.2, now: now + 30_000 });
    expect(later).toMatchObject({ granted: true, reservedUsd: 0.2 });
    // The attempt behind the lapsed reservation did finish after all: its cost counts, once.
    expect(await a!.budgets.settle({ team: "acme", id: held.id!, costUsd: 0.5, now: now + 40_000 })).toMatchObject({ settled: true, spentUsd: 0.5 });
    expect(await a!.budgets.settle({ team: "acme", id: held.id!, costUsd: 0.5, now: now + 40_001 })).toMatchObject({ settled: false, spentUsd: 0.5 });
  });

  it("a budget alert is claimed by exactly one replica", async () => {
    const fleet = await replicas(3);
    const claims = await Promise.all(fleet.map(async (s) => s.budgets.claimAlert({ team: "acme", periodStart: day.periodStart, threshold: 0.8 })));
    expect(claims.filter(Boolean)).toHaveLength(1);
  });

  it("teams and environments are apart", async () => {
    const [prod] = await replicas(1);
    const [staging] = await replicas(1, { environment: "staging", keyPrefix: `shared${n}:` });
    const terms = { team: "acme", limitUsd: 1, mode: "hard" as const, ...day };
    expect((await prod!.budgets.reserve({ ...terms, amountUsd: 1, now })).granted).toBe(true);
    expect((await staging!.budgets.reserve({ ...terms, amountUsd: 1, now })).granted).toBe(true);
    expect((await prod!.budgets.reserve({ ...terms, team: "other", amountUsd: 1, now })).granted).toBe(true);
  });
});

describe("shared rate limits", () => {
  it("3 replicas, 60 rpm, a burst of 200 → exactly 60 admitted; the refused ones get a retry time", async () => {
    const fleet = await replicas(3);
    const decisions = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => fleet[i % 3]!.limits.take({ team: "acme", rpm: 60, tpm: undefined, tokens: 100, now: now + (i % 5) })),
    );
    expect(decisions.filter((d) => d.allowed)).toHaveLength(60);
    const refused = decisions.filter((d) => !d.allowed);
    expect(refused.every((d) => d.retryAfterMs > 0 && d.retryAfterMs <= 1_000 && d.requests?.remaining === 0)).toBe(true);
    expect((await fleet[2]!.limits.peek({ team: "acme", rpm: 60, tpm: undefined, now: now + 5 })).requests?.remaining).toBe(0);
  });

  it("tokens per minute are taken from both buckets or neither, across replicas", async () => {
    const [a, b] = await replicas(2);
    const terms = { team: "acme", rpm: 100, tpm: 1_000 };
    expect((await a!.limits.take({ ...terms, tokens: 700, now })).allowed).toBe(true);
    const refused = await b!.limits.take({ ...terms, tokens: 400, now });
    expect(refused).toMatchObject({ allowed: false, requests: { remaining: 99 }, tokens: { remaining: 300 } });
    await a!.limits.adjustTokens({ ...terms, deltaTokens: -600, now }); // used 100 of the 700 estimated
    expect((await b!.limits.take({ ...terms, tokens: 400, now })).allowed).toBe(true);
  });
});

describe("shared admission (rate limit and reservation in one script)", () => {
  it("3 replicas × 70 admissions issued in one tick each: coalesced into fewer script calls, still exactly 60 of 60 rpm and never over the budget", async () => {
    const fleet = await replicas(3);
    const budget = { team: "acme", limitUsd: 0.5, mode: "hard" as const, ...day, amountUsd: 1 / 64, now }; // binary-exact: 32 holds fill it
    const evalsBefore = evalshaCalls();
    const admissions = await Promise.all(
      fleet.flatMap((s) =>
        Array.from({ length: 70 }, async () => s.admission.admit({ limits: { team: "acme", rpm: 60, tpm: undefined, tokens: 10, now }, budget })),
      ),
    );
    const scripts = evalshaCalls() - evalsBefore;
    const allowed = admissions.filter((a) => a.rateLimit.allowed);
    expect(allowed).toHaveLength(60);
    // Admitted by the rate limit, then reserved while the budget had room: 32 × $1/64 fill $0.50 exactly.
    expect(allowed.filter((a) => a.reservation?.granted === true)).toHaveLength(32);
    expect(admissions.filter((a) => !a.rateLimit.allowed).every((a) => a.reservation === undefined && a.rateLimit.requests?.remaining === 0)).toBe(true);
    // Each admitted request saw its own place in the shared bucket.
    expect(allowed.map((a) => a.rateLimit.requests?.remaining).sort((x, y) => (x ?? 0) - (y ?? 0))).toEqual(Array.from({ length: 60 }, (_, i) => i));
    expect((await fleet[0]!.budgets.peek(budget, now)).reservedUsd).toBeCloseTo(0.5, 9);
    expect(scripts).toBeGreaterThanOrEqual(3);
    expect(scripts).toBeLessThanOrEqual(20); // 2 ADMIT calls per replica (at most 64 requests each), not 210
  });

  it("admissions and settlements coalesced into one script call leave the replies and the Redis state that one call per request leaves", async () => {
    const [batched] = await replicas(1);
    const [single] = await replicas(1);
    const batchedPrefix = `shared${n - 1}:`;
    const singlePrefix = `shared${n}:`;
    // 40 requests against 30 rpm and a $0.25 budget ($1/64 each: binary-exact, 16 holds fill it): both run out mid-batch.
    const requests = Array.from({ length: 40 }, (_, i) => ({
      limits: { team: "acme", rpm: 30, tpm: 100_000, tokens: 100 + i, now: now + i },
      budget: { team: "acme", limitUsd: 0.25, mode: "hard" as const, ...day, amountUsd: 1 / 64, now: now + i },
    }));
    const view = (a: Awaited<ReturnType<StateStores["admission"]["admit"]>>) => ({
      ...a.rateLimit,
      reservation: a.reservation && { ...a.reservation, id: a.reservation.id !== undefined },
    });
    const evalsBefore = evalshaCalls();
    const together = await Promise.all(requests.map(async (r) => batched!.admission.admit(r)));
    // One ADMIT for the 40 (the server also counts the periodic refreshes of the other tests' replicas, still open).
    expect(evalshaCalls() - evalsBefore).toBeLessThanOrEqual(6);
    const alone = [];
    for (const r of requests) alone.push(await single!.admission.admit(r));
    expect(together.map(view)).toEqual(alone.map(view));
    expect(together.filter((a) => a.reservation?.granted === true)).toHaveLength(16);
    const hash = (prefix: string, key: string): Record<string, string> => {
      const lines = server
        .cli("HGETALL", `${prefix}prod:{acme}:${key}`)
        .split("\n")
        .filter((l) => l !== "");
      return Object.fromEntries(Array.from({ length: lines.length / 2 }, (_, i) => [lines[2 * i]!, lines[2 * i + 1]!]));
    };
    const state = (prefix: string) => ({
      ledger: hash(prefix, "budget"),
      limits: hash(prefix, "limits"),
      held: Object.values(hash(prefix, "budget:held")).sort(),
      expiry: server.cli("ZCARD", `${prefix}prod:{acme}:budget:expiry`),
    });
    expect(state(batchedPrefix)).toEqual(state(singlePrefix));
    expect(Number(server.cli("PTTL", `${batchedPrefix}prod:{acme}:budget:held`))).toBeGreaterThan(DAY);
    // Settle every granted reservation (one twice, which settles once), correcting tokens by −20 each.
    const settlements = (admitted: typeof together) => {
      const ids = admitted.flatMap((a) => (a.reservation?.id === undefined ? [] : [a.reservation.id]));
      return [...ids, ids[0]!].map((id, i) => ({
        settle: { team: "acme", id, costUsd: (i % 3) / 64, now: now + 100 },
        adjust: { team: "acme", rpm: 30, tpm: 100_000, deltaTokens: -20, now: now + 100 },
      }));
    };
    const settledTogether = await Promise.all(settlements(together).map(async (s) => batched!.admission.settleAndAdjust(s)));
    const settledAlone = [];
    for (const s of settlements(alone)) settledAlone.push(await single!.admission.settleAndAdjust(s));
    expect(settledTogether.map((s) => s.settled)).toEqual(settledAlone.map((s) => s.settled));
    expect(settledTogether.map((s) => s.settled)).toEqual([...Array.from({ length: 16 }, () => true), false]);
    expect(state(batchedPrefix)).toEqual(state(singlePrefix));
  });
});

describe("shared rollout", () => {
  it("a canary step set on one replica reaches the others' synchronous view (pub/sub)", async () => {
    const fleet = await replicas(3);
    await Promise.all(fleet.map(async (s) => s.rollout.activate(acmeConfig(), now)));
    expect(fleet.map((s) => s.view(now).canaryPercent("legal-review"))).toEqual([5, 5, 5]);
    await fleet[0]!.rollout.setCanaryPercent("legal-review", 25, { now: now + 1, step: 1, reason: "guard held" });
    await until(() => fleet.every((s) => s.view(now).canaryPercent("legal-review") === 25));
    // A replica activating the same release later keeps the step.
    await fleet[2]!.rollout.activate(acmeConfig(), now + 2);
    expect((await fleet[1]!.rollout.snapshot(now + 2))["legal-review"]).toMatchObject({ percent: 25, step: 1, reason: "guard held" });
  });

  it("guard windows add up the attempts of every replica", async () => {
    const fleet = await replicas(3);
    await fleet[0]!.rollout.activate(acmeConfig(), now);
    await until(() => fleet.every((s) => s.view(now).canaryPercent("legal-review") === 5));
    await Promise.all(
      fleet.flatMap((s, k) =>
        Array.from({ length: 10 }, async (_, i) =>
          s.rollout.recordCanaryAttempt("legal-review", { model: "claude-next", route: "legal-review", ok: i !== 0, latencyMs: 100 + k, now }),
        ),
      ),
    );
    const w = (await fleet[1]!.rollout.snapshot(now))["legal-review"]?.window;
    expect(w).toMatchObject({ requests: 30, errors: 3, since: now });
  });

  it("both arms' counts, priced cost and feedback scores recorded through two replicas add up in one guard window", async () => {
    const [a, b] = await replicas(2);
    const route = "legal-review";
    await a!.rollout.activate(acmeConfig(), now);
    await until(() => b!.view(now).canaryPercent(route) === 5);
    // Each replica: 4 canary attempts (1 rejected by a validator, 3 priced at $0.25) and 6 baseline attempts (1 failed, 5 priced at $0.125).
    const record = (s: StateStores) =>
      Promise.all([
        ...Array.from({ length: 4 }, async (_, i) =>
          s.rollout.recordCanaryAttempt(route, {
            model: "claude-next",
            route,
            arm: "canary",
            ...(i === 0 ? { ok: false, errorClass: "validation" as const } : { ok: true, costUsd: 0.25 }),
            latencyMs: 200,
            now,
          }),
        ),
        ...Array.from({ length: 6 }, async (_, i) =>
          s.rollout.recordCanaryAttempt(route, {
            model: "claude",
            route,
            arm: "baseline",
            ...(i === 0 ? { ok: false, errorClass: "5xx" as const } : { ok: true, costUsd: 0.125 }),
            latencyMs: 100,
            now,
          }),
        ),
      ]);
    await Promise.all([record(a!), record(b!)]);
    const scored = await Promise.all([
      a!.rollout.recordCanaryFeedback({ route, arm: "canary", model: "claude-next", score: 0.25, servedAt: now }),
      b!.rollout.recordCanaryFeedback({ route, arm: "canary", model: "claude-next", score: 0.5, servedAt: now }),
      a!.rollout.recordCanaryFeedback({ route, arm: "baseline", model: "claude", score: 1, servedAt: now }),
      b!.rollout.recordCanaryFeedback({ route, arm: "baseline", model: "claude", score: 0.5, servedAt: now }),
    ]);
    expect(scored).toEqual([true, true, true, true]);
    const expected = {
      requests: 8,
      errors: 2,
      validationFailures: 2,
      costUsd: 1.5,
      costed: 6,
      scoreSum: 0.75,
      scores: 2,
      p95Ms: 200,
      since: now,
      baseline: { requests: 12, errors: 2, validationFailures: 0, costUsd: 1.25, costed: 10, scoreSum: 1.5, scores: 2, p95Ms: 100 },
    };
    expect((await a!.rollout.snapshot(now))[route]?.window).toEqual(expected);
    expect((await b!.rollout.snapshot(now))[route]?.window).toEqual(expected);
    // A step change on one replica starts the shared window afresh for both; a score from before it is not counted.
    await b!.rollout.setCanaryPercent(route, 25, { now: now + 1, step: 1, reason: "guard held" });
    expect(await a!.rollout.recordCanaryFeedback({ route, arm: "baseline", model: "claude", score: 1, servedAt: now })).toBe(false);
    expect((await a!.rollout.snapshot(now + 1))[route]?.window).toMatchObject({ requests: 0, scores: 0, since: now + 1, baseline: { requests: 0, scores: 0 } });
  });

  it("one controller lease per environment; another replica takes over once it lapses", async () => {
    const fleet = await replicas(3);
    const held = await Promise.all(fleet.map(async (s, i) => s.rollout.holdControllerLease("prod", `replica-${i}`, 5_000, now)));
    expect(held.filter(Boolean)).toHaveLength(1);
    const holder = held.indexOf(true);
    const other = (holder + 1) % 3;
    expect(await fleet[other]!.rollout.holdControllerLease("prod", `replica-${other}`, 5_000, now + 4_999)).toBe(false);
    expect(await fleet[other]!.rollout.holdControllerLease("prod", `replica-${other}`, 5_000, now + 5_000)).toBe(true);
    expect(await fleet[holder]!.rollout.holdControllerLease("prod", `replica-${holder}`, 5_000, now + 5_001)).toBe(false);
  });
});

describe("shared releases", () => {
  const release = (label: string) => {
    const config = acmeConfig();
    config.router.requestIdHeader = `x-${label}`;
    return createRelease(config);
  };
  const stored = (r: ReturnType<typeof release>, at: number, bytes = 100) => ({
    hash: r.hash,
    environment: "prod",
    uploadedAt: at,
    activatedAt: undefined,
    release: r,
    bytes,
  });

  it("upload and activate through one replica; the others hear it, read it and roll back through it", async () => {
    const [a, b, c] = await replicas(3);
    const heard: string[] = [];
    b!.releases!.onActivate((env, hash) => heard.push(`${env}:${hash}`));
    const heardByA: string[] = []; // a hears the others' activations, not its own
    a!.releases!.onActivate((_, hash) => heardByA.push(hash));
    const one = release("one");
    const two = release("two");
    expect(await a!.releases!.put(stored(one, now))).toEqual({ created: true });
    expect(await c!.releases!.put(stored(one, now + 5))).toEqual({ created: false });
    await a!.releases!.activate("prod", one.hash, { now: now + 1 });
    await b!.releases!.put(stored(two, now + 2));
    await c!.releases!.activate("prod", two.hash, { now: now + 3 });
    await until(() => heard.length === 2 && heardByA.length === 1);
    expect(heard).toEqual([`prod:${one.hash}`, `prod:${two.hash}`]);
    expect(heardByA).toEqual([two.hash]);
    expect(await a!.releases!.active("prod")).toBe(two.hash);
    expect(await a!.releases!.previous("prod")).toBe(one.hash);
    const got = await b!.releases!.get(one.hash);
    expect(got).toMatchObject({ hash: one.hash, environment: "prod", uploadedAt: now, activatedAt: now + 1, bytes: 100 });
    expect(got?.release).toEqual(one);
    expect((await c!.releases!.history("prod", 10)).map((r) => r.hash)).toEqual([two.hash, one.hash]);
    await b!.releases!.activate("prod", one.hash, { now: now + 4, rollback: true });
    expect(await c!.releases!.active("prod")).toBe(one.hash);
    expect(await c!.releases!.previous("prod")).toBeUndefined();
    await expect(a!.releases!.activate("prod", "0".repeat(64), { now })).rejects.toThrow(/not stored/);
  });

  it("remembers at most `retain` releases and `maxBytes`, never forgetting the active one or the rollback target", async () => {
    const [a] = await replicas(1, { releases: { retain: 3, maxBytes: 1_000 } });
    const rs = ["a", "b", "c", "d", "e"].map(release);
    await a!.releases!.put(stored(rs[0]!, now));
    await a!.releases!.activate("prod", rs[0]!.hash, { now: now + 1 });
    await a!.releases!.put(stored(rs[1]!, now + 2));
    await a!.releases!.activate("prod", rs[1]!.hash, { now: now + 3 });
    for (let i = 2; i < 5; i++) await a!.releases!.put(stored(rs[i]!, now + 10 + i));
    const kept = (await a!.releases!.history("prod", 10)).map((r) => r.hash);
    expect(kept).toHaveLength(3);
    expect(kept).toEqual(expect.arrayContaining([rs[1]!.hash, rs[0]!.hash]));
    await a!.releases!.put(stored(release("big"), now + 20, 990));
    const byBytes = (await a!.releases!.history("prod", 10)).map((r) => r.hash);
    expect(byBytes).toEqual(expect.arrayContaining([rs[1]!.hash, rs[0]!.hash]));
    expect(await a!.releases!.previous("prod")).toBe(rs[0]!.hash);
  });
});

describe("scripts", () => {
  it("run by SHA; after SCRIPT FLUSH (or a restart) they are sent again, without an error or a down backend", async () => {
    const [a] = await replicas(1);
    const terms = { team: "acme", rpm: 10, tpm: undefined };
    expect((await a!.limits.take({ ...terms, tokens: 1, now })).allowed).toBe(true);
    server.cli("SCRIPT", "FLUSH");
    expect(await a!.limits.take({ ...terms, tokens: 1, now })).toMatchObject({ allowed: true, requests: { remaining: 8 } });
    expect(a!.backendUp()).toBe(true);
  });
});
