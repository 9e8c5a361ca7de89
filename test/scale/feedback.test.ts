/**
 * @module The feedback ledger shared across replicas (issue 21): two router.mjs processes on one real redis-server.
 * An answer served by one replica is scored through the other; the score counts once into the canary's shared guard
 * window whichever replica a retried POST reaches; a different score is refused on either; concurrent first scores on
 * both replicas leave exactly one standing; another team's request stays unknown.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleRouter } from "../../packages/compiler/src/emit/router-bundle.ts";
import { ADMIN_TOKEN, adminFetch } from "../helpers/admin.ts";
import { type FakeOpenAi, startFakeOpenAi } from "../helpers/fake-openai.ts";
import { type RouterProcess, spawnRouter } from "../helpers/process.ts";
import { type RedisServer, startRedis } from "../helpers/redis-server.ts";
import { releaseOf } from "../helpers/release.ts";

const KEYS = { SUPPORT_KEY: "sk-support-shared-feedback", LEGAL_KEY: "sk-legal-shared-feedback" };

let redis: RedisServer;
let upstream: FakeOpenAi;
let dir: string;
let a: RouterProcess;
let b: RouterProcess;

beforeAll(async () => {
  redis = await startRedis();
  upstream = await startFakeOpenAi(() => ({ kind: "ok" }));
  dir = await mkdtemp(path.join(tmpdir(), "switchyard-feedback-"));
  const release = releaseOf({
    environment: "prod",
    providers: { up: { kind: "openai", baseUrl: upstream.baseUrl } },
    models: {
      current: { provider: "up", name: "current-1", context: 8_000, price: { input: 1, output: 1 } },
      next: { provider: "up", name: "next-1", context: 8_000, price: { input: 1, output: 1 } },
    },
    routes: {
      chat: { model: "current", canary: { model: "next", steps: [50, 100], everyMs: 3_600_000, guard: { minRequests: 1, minScore: 0.5, minSamples: 50 } } },
    },
    teams: {
      support: { keys: [{ secret: "SUPPORT_KEY" }], routes: ["chat"] },
      legal: { keys: [{ secret: "LEGAL_KEY" }], routes: ["chat"] },
    },
    state: { kind: "redis", url: { secret: "REDIS_URL" }, keyPrefix: "feedback:", onUnavailable: "refuse" },
  });
  await bundleRouter({ release, outFile: path.join(dir, "router.mjs") });
  const env = {
    ...KEYS,
    REDIS_URL: redis.url(),
    SWITCHYARD_ADMIN_TOKEN: ADMIN_TOKEN,
    SWITCHYARD_ALLOWED_UPSTREAMS: "127.0.0.1",
    SWITCHYARD_STATE_COMMAND_TIMEOUT_MS: "2000",
  };
  [a, b] = await Promise.all([spawnRouter(["router.mjs", "--port", "0"], { cwd: dir, env }), spawnRouter(["router.mjs", "--port", "0"], { cwd: dir, env })]);
}, 120_000);

afterAll(async () => {
  for (const r of [a, b]) if (r !== undefined && r.child.exitCode === null) r.child.kill("SIGTERM");
  await Promise.all([a?.exited, b?.exited]);
  await upstream?.close();
  await redis?.stop();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

/** Ask `replica` once per user until an answer came from the canary arm (`next`); its request id. */
async function canaryAnswer(replica: RouterProcess, prefix: string): Promise<string> {
  const client = new OpenAI({ baseURL: `${replica.url}/v1`, apiKey: KEYS.SUPPORT_KEY, maxRetries: 0 });
  for (let i = 0; i < 200; i++) {
    const { response } = await client.chat.completions
      .create({ model: "chat", user: `${prefix}-${i}`, messages: [{ role: "user", content: "hi" }] })
      .withResponse();
    if (response.headers.get("x-switchyard-model") === "next") return response.headers.get("x-switchyard-request-id") ?? "";
  }
  throw new Error("no canary answer in 200 requests at 50 %");
}

async function score(replica: RouterProcess, body: Record<string, unknown>, key = KEYS.SUPPORT_KEY) {
  const res = await fetch(`${replica.url}/v1/feedback`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> & { error?: { code: string } } };
}

const canaryScores = async (replica: RouterProcess) =>
  ((await adminFetch(replica.url, "GET", "/admin/state")).json as { canaries: Record<string, { window: { scores: number; scoreSum: number } }> }).canaries[
    "chat"
  ]?.window;

describe("POST /v1/feedback across replicas", () => {
  it("scores on one replica an answer the other served, once, whichever replica a retry reaches", async () => {
    const id = await canaryAnswer(a, "one");
    const first = await score(b, { request_id: id, score: 0.9, label: "helpful" });
    expect(first).toEqual({
      status: 200,
      json: { object: "feedback", request_id: id, score: 0.9, label: "helpful", route: "chat", model: "next", arm: "canary", counted: true },
    });
    // A retried POST reaching either replica answers as the first did, and counts nothing more.
    expect(await score(a, { request_id: id, score: 0.9, label: "helpful" })).toEqual(first);
    expect(await score(b, { request_id: id, score: 0.9, label: "helpful" })).toEqual(first);
    const conflict = await score(a, { request_id: id, score: 0.1 });
    expect(conflict.status).toBe(409);
    expect(conflict.json.error?.code).toBe("feedback_conflict");
    // The guard window is shared: both replicas see the one score.
    expect(await canaryScores(a)).toMatchObject({ scores: 1, scoreSum: 0.9 });
    expect(await canaryScores(b)).toMatchObject({ scores: 1, scoreSum: 0.9 });
  });

  it("another team's answer is unknown on every replica", async () => {
    const id = await canaryAnswer(b, "two");
    for (const replica of [a, b]) {
      const res = await score(replica, { request_id: id, score: 1 }, KEYS.LEGAL_KEY);
      expect(res.status).toBe(404);
      expect(res.json.error?.code).toBe("request_not_found");
    }
  });

  it("of different first scores sent to both replicas at once exactly one stands", async () => {
    const before = (await canaryScores(a))?.scores ?? 0;
    const id = await canaryAnswer(a, "three");
    const results = await Promise.all([score(a, { request_id: id, score: 0.2 }), score(b, { request_id: id, score: 0.7 })]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    const won = results.find((r) => r.status === 200);
    expect(await canaryScores(b)).toMatchObject({ scores: before + 1 });
    // The standing score is the winner's, on both replicas.
    for (const replica of [a, b]) expect((await score(replica, { request_id: id, score: won?.json["score"] })).status).toBe(200);
  });
});
