/** @module `POST /v1/feedback` over real HTTP: team-scoped, validated, scored once, counted per canary arm; a low canary score rolls the canary back. */
import { afterEach, describe, expect, it } from "vitest";
import { type Io, runCli } from "@switchyard/cli";
import { type RunningRouter, createMemoryStateStores } from "@switchyard/router";
import { ADMIN_TOKEN, adminFetch } from "../helpers/admin.ts";
import { releaseOf } from "../helpers/release.ts";
import { chat, startTestRouter } from "../helpers/router.ts";

const KEYS = { SUPPORT_KEY: "sk-support-feedback-0001", LEGAL_KEY: "sk-legal-feedback-0002" };
const auth = (key: string) => ({ authorization: `Bearer ${key}` });

let router: RunningRouter | undefined;
afterEach(async () => {
  await router?.close();
  router = undefined;
});

async function start() {
  let clock = Date.UTC(2027, 2, 3, 9);
  const state = createMemoryStateStores();
  const release = releaseOf({
    providers: { sim: { kind: "mock", mock: { reply: "ok" } } },
    models: {
      current: { provider: "sim", name: "current-1", context: 8_000, price: { input: 1, output: 1 } },
      next: { provider: "sim", name: "next-1", context: 8_000, price: { input: 1, output: 1 } },
    },
    routes: {
      chat: { model: "current", canary: { model: "next", steps: [50, 100], everyMs: 600_000, guard: { minRequests: 1, minScore: 0.5, minSamples: 3 } } },
      plain: { model: "current" },
    },
    teams: {
      support: { keys: [{ secret: "SUPPORT_KEY" }], routes: ["chat", "plain"] },
      legal: { keys: [{ secret: "LEGAL_KEY" }], routes: ["chat"] },
    },
  });
  router = await startTestRouter(release, {
    state,
    now: () => clock,
    rng: Math.random,
    canaryIntervalMs: 0,
    env: { ...KEYS, SWITCHYARD_ADMIN_TOKEN: ADMIN_TOKEN },
  });
  const running = router;
  /** One answered request: its id and the model that answered. */
  const ask = async (route: string, user: string, key = KEYS.SUPPORT_KEY) => {
    const res = await chat(running, { model: route, user, messages: [{ role: "user", content: "hi" }] }, auth(key));
    expect(res.status).toBe(200);
    await res.text();
    return { id: res.headers.get("x-switchyard-request-id") ?? "", model: res.headers.get("x-switchyard-model") ?? "" };
  };
  /** Requests from distinct users until both arms answered at least `n` times each. */
  const arms = async (n: number) => {
    const canary: string[] = [];
    const baseline: string[] = [];
    for (let i = 0; canary.length < n || baseline.length < n; i++) {
      const { id, model } = await ask("chat", `user-${i}`);
      (model === "next" ? canary : baseline).push(id);
    }
    return { canary, baseline };
  };
  const send = async (body: unknown, key: string | null = KEYS.SUPPORT_KEY, method = "POST") => {
    const res = await fetch(`${running.url}/v1/feedback`, {
      method,
      headers: { "content-type": "application/json", ...(key === null ? {} : auth(key)) },
      ...(method === "POST" ? { body: typeof body === "string" ? body : JSON.stringify(body) } : {}),
    });
    return {
      status: res.status,
      json: (await res.json()) as Record<string, unknown> & { error?: { code: string; param: string | null; type: string; message: string } },
    };
  };
  return { router: running, state, ask, arms, send, advance: (ms: number) => (clock += ms), now: () => clock };
}

describe("POST /v1/feedback", () => {
  it("scores the caller's own answer once, per arm, and counts it into the canary's guard window", async () => {
    const { state, arms, send, now } = await start();
    const { canary, baseline } = await arms(1);
    const first = await send({ request_id: canary[0], score: 0.9, label: "helpful" });
    expect(first).toEqual({
      status: 200,
      json: { object: "feedback", request_id: canary[0], score: 0.9, label: "helpful", route: "chat", model: "next", arm: "canary", counted: true },
    });
    expect((await send({ request_id: baseline[0], score: 0.4 })).json).toMatchObject({ arm: "baseline", model: "current", counted: true, label: null });
    const window = state.rollout.snapshot()["chat"]?.window;
    expect(window).toMatchObject({ scoreSum: 0.9, scores: 1, baseline: { scoreSum: 0.4, scores: 1 } });

    // Idempotent: the same score again answers as the first did and counts once; another score is refused.
    expect(await send({ request_id: canary[0], score: 0.9, label: "helpful" })).toEqual(first);
    const conflict = await send({ request_id: canary[0], score: 0.1 });
    expect(conflict.status).toBe(409);
    expect(conflict.json.error).toMatchObject({ code: "feedback_conflict", type: "invalid_request_error", param: "score" });
    expect(state.rollout.snapshot()["chat"]?.window).toMatchObject({ scoreSum: 0.9, scores: 1 });
  });

  it("accepts a score for a route without a canary without counting it anywhere", async () => {
    const { ask, send } = await start();
    const { id } = await ask("plain", "u");
    expect((await send({ request_id: id, score: 1 })).json).toMatchObject({ route: "plain", arm: null, counted: false });
  });

  it("another team's request reads as unknown (404), as does an id never served", async () => {
    const { ask, send } = await start();
    const { id } = await ask("chat", "u", KEYS.LEGAL_KEY);
    for (const requestId of [id, "never-served"]) {
      const res = await send({ request_id: requestId, score: 1 });
      expect(res.status).toBe(404);
      expect(res.json.error).toMatchObject({ code: "request_not_found", type: "not_found_error", param: "request_id" });
    }
    expect((await send({ request_id: id, score: 1 }, KEYS.LEGAL_KEY)).status).toBe(200);
  });

  it("answers bad input with 400 in OpenAI's error shape naming the field, and requires the team key", async () => {
    const { send } = await start();
    const bad: [unknown, string | null, string][] = [
      [{ request_id: "x", score: 1.5 }, "score", "invalid_request"],
      [{ request_id: "x", score: "0.5" }, "score", "invalid_request"],
      [{ request_id: "x" }, "score", "invalid_request"],
      [{ score: 0.5 }, "request_id", "invalid_request"],
      [{ request_id: "x", score: 0.5, label: 7 }, "label", "invalid_request"],
      [[1, 2], null, "invalid_request"],
      ["{not json", null, "invalid_json"],
    ];
    for (const [body, param, code] of bad) {
      const res = await send(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json.error).toMatchObject({ code, param, type: "invalid_request_error" });
    }
    expect((await send({ request_id: "x", score: 1 }, null)).json.error).toMatchObject({ code: "missing_api_key" });
    expect((await send({ request_id: "x", score: 1 }, "sk-wrong")).status).toBe(401);
    const get = await send(undefined, KEYS.SUPPORT_KEY, "GET");
    expect(get.status).toBe(405);
  });

  it("low canary scores roll the canary back once minSamples are in, with the reason in /admin/state", async () => {
    const { router, state, arms, send, now } = await start();
    const { canary, baseline } = await arms(3);
    for (const id of canary.slice(0, 2)) await send({ request_id: id, score: 0.1 });
    for (const id of baseline.slice(0, 2)) await send({ request_id: id, score: 0.9 });
    expect(await router.canaries.evaluate()).toEqual([]); // 2 of 3 samples: not judged yet
    await send({ request_id: canary[2], score: 0.1 });
    expect(await router.canaries.evaluate()).toMatchObject([{ route: "chat", action: "rollback", percent: 0 }]);
    const reason = state.rollout.snapshot()["chat"]?.reason;
    expect(reason).toBe("rolled back at 50 %: mean score 0.1 < 0.5 over 3 scores, baseline 0.9");
    const admin = await adminFetch(router.url, "GET", "/admin/state");
    expect((admin.json as { canaries: Record<string, { reason: string }> }).canaries["chat"]?.reason).toBe(reason);

    // `switchyard release status` lists the canary with the reason.
    let stdout = "";
    const io: Io = {
      stdout: (t) => void (stdout += t),
      stderr: () => undefined,
      cwd: process.cwd(),
      env: { NO_COLOR: "1", SWITCHYARD_ADMIN_TOKEN: ADMIN_TOKEN },
    };
    expect(await runCli({ argv: ["release", "status", "--router", router.url], io })).toBe(0);
    expect(stdout).toContain(`canary chat → next: 0 % (rolled back) — ${reason}`);
  });
});
