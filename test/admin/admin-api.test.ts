/** @module The admin API over real HTTP: token checks, upload/activate/list/rollback, invalid releases, state, errors. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMemoryStateStores, type RunningRouter } from "@switchyard/router";
import { createMockAdapter } from "../../packages/router/src/adapters/mock/index.ts";
import { contentHash } from "@switchyard/ir";
import { releaseOf } from "../helpers/release.ts";
import { chat, startTestRouter } from "../helpers/router.ts";
import { ADMIN_TOKEN, adminFetch, numberedRelease, releaseText } from "../helpers/admin.ts";

type Json = Record<string, unknown>;
const route = (config: Json): Json => (config["routes"] as Record<string, Json>)["chat"] ?? {};

let router: RunningRouter;
let clock = Date.parse("2026-11-26T12:00:00.000Z");
const boot = numberedRelease(0);

beforeAll(async () => {
  // Only the mock adapter: a release naming an openai provider cannot run on this build.
  // 127.0.0.1 may be named, so a release this build cannot run gets as far as its missing adapter.
  router = await startTestRouter(boot, {
    env: { SWITCHYARD_ADMIN_TOKEN: ADMIN_TOKEN, SWITCHYARD_ALLOWED_UPSTREAMS: "127.0.0.1" },
    adapters: { mock: createMockAdapter },
    now: () => clock,
    telemetry: { log: () => undefined },
  });
});

afterAll(async () => {
  await router.close();
});

async function replyOf(): Promise<{ version: string | null; text: string }> {
  const res = await chat(router, { model: "chat", messages: [{ role: "user", content: "hi" }] });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { choices: Array<{ message: { content: string } }> };
  return { version: res.headers.get("x-switchyard-config-version"), text: body.choices[0]?.message.content ?? "" };
}

describe("wrong admin tokens from one address", () => {
  let guarded: RunningRouter;
  let now = Date.parse("2026-11-27T12:00:00.000Z");
  beforeAll(async () => {
    guarded = await startTestRouter(boot, {
      env: { SWITCHYARD_ADMIN_TOKEN: ADMIN_TOKEN },
      adapters: { mock: createMockAdapter },
      now: () => now,
      telemetry: { log: () => undefined },
    });
  });
  afterAll(async () => {
    await guarded.close();
  });

  it("get 10 tries a minute, shared with the dashboard's sign-in; then 429 too_many_admin_attempts, right token or not, until the minute ends", async () => {
    // Requests without a token are not guesses: they never count.
    for (let i = 0; i < 15; i++) expect((await adminFetch(guarded.url, "GET", "/admin/releases", { token: null })).status).toBe(401);
    for (let i = 0; i < 9; i++) expect((await adminFetch(guarded.url, "GET", "/admin/releases", { token: `wrong-${i}` })).status).toBe(401);
    const signIn = (token: string) =>
      fetch(`${guarded.url}/dashboard/login`, {
        method: "POST",
        redirect: "manual",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ token }).toString(),
      });
    expect((await signIn("wrong-form")).status).toBe(401); // the tenth
    const limited = await adminFetch(guarded.url, "GET", "/admin/releases", { token: "wrong-11" });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("60");
    expect(limited.json).toEqual({
      error: {
        message: "too many wrong admin tokens from this address; try again in 60 s",
        type: "rate_limit_error",
        code: "too_many_admin_attempts",
        param: null,
      },
    });
    now += 20_000;
    const right = await adminFetch(guarded.url, "GET", "/admin/releases");
    expect(right.status).toBe(429);
    expect(right.headers.get("retry-after")).toBe("40");
    const form = await signIn(ADMIN_TOKEN);
    expect(form.status).toBe(429);
    expect(form.headers.get("retry-after")).toBe("40");
    expect(form.headers.get("set-cookie")).toBeNull();
    expect(await form.text()).toContain("Too many wrong admin tokens: try again in 40 s.");
    now += 40_000;
    expect((await adminFetch(guarded.url, "GET", "/admin/releases")).status).toBe(200);
    // The right token cleared the count: a new wrong one is the first of a new allowance.
    expect((await adminFetch(guarded.url, "GET", "/admin/releases", { token: "wrong-again" })).status).toBe(401);
    expect((await signIn(ADMIN_TOKEN)).status).toBe(303);
  });
});

describe("wrong admin tokens behind a trusted proxy (SWITCHYARD_TRUSTED_PROXIES)", () => {
  const guess = (url: string, client: string | undefined, token: string) =>
    fetch(`${url}/admin/releases`, { headers: { authorization: `Bearer ${token}`, ...(client === undefined ? {} : { "x-forwarded-for": client }) } }).then(
      (res) => res.status,
    );

  it("counts each client X-Forwarded-For names when the peer is a trusted proxy", async () => {
    const behind = await startTestRouter(boot, {
      env: { SWITCHYARD_ADMIN_TOKEN: ADMIN_TOKEN, SWITCHYARD_TRUSTED_PROXIES: "127.0.0.1, ::1" },
      adapters: { mock: createMockAdapter },
      telemetry: { log: () => undefined },
    });
    try {
      for (let i = 0; i < 10; i++) expect(await guess(behind.url, "198.51.100.1", `wrong-${i}`)).toBe(401);
      expect(await guess(behind.url, "198.51.100.1", ADMIN_TOKEN)).toBe(429);
      // Another client behind the same proxy still has its allowance.
      expect(await guess(behind.url, "198.51.100.2", ADMIN_TOKEN)).toBe(200);
      // A client cannot escape its count by writing its own X-Forwarded-For: the proxy appends the address it saw.
      expect(await guess(behind.url, "203.0.113.5, 198.51.100.1", ADMIN_TOKEN)).toBe(429);
    } finally {
      await behind.close();
    }
  });

  it("ignores X-Forwarded-For from a peer it does not trust", async () => {
    const direct = await startTestRouter(boot, {
      env: { SWITCHYARD_ADMIN_TOKEN: ADMIN_TOKEN },
      adapters: { mock: createMockAdapter },
      telemetry: { log: () => undefined },
    });
    try {
      for (let i = 0; i < 10; i++) expect(await guess(direct.url, `198.51.100.${i}`, `wrong-${i}`)).toBe(401);
      expect(await guess(direct.url, "198.51.100.99", ADMIN_TOKEN)).toBe(429);
    } finally {
      await direct.close();
    }
  });

  it("refuses to start with an entry that is not an address or a range, naming it", async () => {
    await expect(
      startTestRouter(boot, { env: { SWITCHYARD_TRUSTED_PROXIES: "10.0.0.0/8, proxy.internal" }, adapters: { mock: createMockAdapter } }),
    ).rejects.toMatchObject({
      code: "invalid_trusted_proxies",
      message: "SWITCHYARD_TRUSTED_PROXIES: `proxy.internal` is not an IP address or a CIDR range (e.g. 10.0.0.0/8, 192.168.1.7, fd00::/8)",
    });
  });
});

describe("admin token", () => {
  const paths: Array<[string, string]> = [
    ["GET", "/admin/releases"],
    ["GET", "/admin/state"],
    ["POST", "/admin/rollback"],
    ["PUT", `/admin/releases/${boot.hash}`],
    ["POST", `/admin/releases/${boot.hash}/activate`],
    ["GET", "/admin/nope"],
  ];

  it.each(paths)("%s %s without a token → 401 invalid_admin_token", async (method, path) => {
    const res = await adminFetch(router.url, method, path, { token: null, ...(method === "PUT" ? { body: releaseText(boot) } : {}) });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toContain("Bearer");
    expect(res.json).toEqual({
      error: {
        message: "missing Authorization header: send `Authorization: Bearer <admin token>`",
        type: "authentication_error",
        code: "invalid_admin_token",
        param: null,
      },
    });
  });

  it.each(paths)("%s %s with a wrong token → 401, and the token is never echoed", async (method, path) => {
    const wrong = "sk-wrong-admin-token-XYZ123";
    const res = await adminFetch(router.url, method, path, { token: wrong, ...(method === "PUT" ? { body: releaseText(boot) } : {}) });
    expect(res.status).toBe(401);
    expect(res.json).toEqual({
      error: { message: "the admin token is not valid for this router", type: "authentication_error", code: "invalid_admin_token", param: null },
    });
    expect(res.text).not.toContain(wrong);
    expect(JSON.stringify([...res.headers])).not.toContain(wrong);
  });

  it("a token that is a prefix or extension of the real one is refused", async () => {
    for (const token of [ADMIN_TOKEN.slice(0, -1), `${ADMIN_TOKEN}x`, ADMIN_TOKEN.toUpperCase()]) {
      expect((await adminFetch(router.url, "GET", "/admin/releases", { token })).status).toBe(401);
    }
    const basic = await fetch(`${router.url}/admin/releases`, { headers: { authorization: `Basic ${ADMIN_TOKEN}` } });
    expect(basic.status).toBe(401);
    expect(((await basic.json()) as { error: { message: string } }).error.message).toBe("the Authorization header must be `Bearer <admin token>`");
  });

  it("a router without SWITCHYARD_ADMIN_TOKEN has the admin API disabled (403 admin_disabled), whatever is presented", async () => {
    const closed = await startTestRouter(boot, { env: {} });
    try {
      for (const token of [null, "", ADMIN_TOKEN]) {
        const res = await adminFetch(closed.url, "GET", "/admin/releases", { token });
        expect(res.status).toBe(403);
        expect(res.json).toEqual({
          error: {
            message: "the admin API is disabled on this router: start it with SWITCHYARD_ADMIN_TOKEN set to enable it",
            type: "permission_error",
            code: "admin_disabled",
            param: null,
          },
        });
      }
      const newline = await startTestRouter(boot, { env: { SWITCHYARD_ADMIN_TOKEN: `${ADMIN_TOKEN}\n` } });
      try {
        expect((await adminFetch(newline.url, "GET", "/admin/state")).status).toBe(200);
      } finally {
        await newline.close();
      }
      const emptyToken = await startTestRouter(boot, { env: { SWITCHYARD_ADMIN_TOKEN: " " } });
      try {
        expect((await adminFetch(emptyToken.url, "GET", "/admin/state", { token: "" })).status).toBe(403);
      } finally {
        await emptyToken.close();
      }
    } finally {
      await closed.close();
    }
  });
});

describe("releases", () => {
  const one = numberedRelease(1);
  const two = numberedRelease(2);

  it("the boot release is listed as active", async () => {
    const res = await adminFetch(router.url, "GET", "/admin/releases");
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      active: boot.hash,
      releases: [{ hash: boot.hash, environment: "test", uploadedAt: "2026-11-26T12:00:00.000Z", activatedAt: "2026-11-26T12:00:00.000Z", active: true }],
    });
  });

  it("PUT uploads (201, then 200 when known) without activating", async () => {
    clock += 1_000;
    const first = await adminFetch(router.url, "PUT", `/admin/releases/${one.hash}`, { body: releaseText(one) });
    expect(first.status).toBe(201);
    expect(first.json).toEqual({
      hash: one.hash,
      environment: "test",
      uploadedAt: "2026-11-26T12:00:01.000Z",
      activatedAt: null,
      active: false,
      created: true,
      warnings: [],
    });
    const again = await adminFetch(router.url, "PUT", `/admin/releases/${one.hash}`, { body: releaseText(one) });
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ hash: one.hash, created: false });
    expect((await replyOf()).version).toBe(boot.hash);
  });

  it("activate swaps the release; the next request runs on it", async () => {
    clock += 1_000;
    const res = await adminFetch(router.url, "POST", `/admin/releases/${one.hash}/activate`);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      hash: one.hash,
      environment: "test",
      activatedAt: "2026-11-26T12:00:02.000Z",
      previous: boot.hash,
      changed: true,
      warnings: [],
    });
    const reply = await replyOf();
    expect(reply).toEqual({ version: one.hash, text: "release 1" });
    const again = await adminFetch(router.url, "POST", `/admin/releases/${one.hash}/activate`);
    expect(again.json).toMatchObject({ hash: one.hash, changed: false });
  });

  it("another environment's release is refused (400 environment_not_allowed at config.environment) and not stored", async () => {
    const prod = numberedRelease(3, { environment: "prod" });
    const res = await adminFetch(router.url, "PUT", `/admin/releases/${prod.hash}`, { body: releaseText(prod) });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ error: { code: "invalid_release", type: "invalid_request_error" } });
    expect((res.json as { diagnostics: unknown[] }).diagnostics).toEqual([
      {
        code: "environment_not_allowed",
        path: "config.environment",
        message: "is `prod`, but this router serves environment `test`: a release goes to its own environment's routers (build it with --env test)",
      },
    ]);
    expect((await adminFetch(router.url, "GET", `/admin/releases/${prod.hash}`)).status).toBe(404);
    expect((await replyOf()).version).toBe(one.hash);
  });

  it("activating an unknown release → 404 release_not_found", async () => {
    const unknown = numberedRelease(99);
    const res = await adminFetch(router.url, "POST", `/admin/releases/${unknown.hash}/activate`);
    expect(res.status).toBe(404);
    expect(res.json).toMatchObject({ error: { code: "release_not_found", type: "not_found_error" } });
  });

  it("history lists most recent first with the active one marked; ?limit bounds it", async () => {
    clock += 1_000;
    expect((await adminFetch(router.url, "PUT", `/admin/releases/${two.hash}`, { body: releaseText(two) })).status).toBe(201);
    const res = await adminFetch(router.url, "GET", "/admin/releases");
    const list = res.json as { active: string; releases: Array<{ hash: string; active: boolean; environment: string }> };
    expect(list.active).toBe(one.hash);
    expect(list.releases.map((r) => [r.hash, r.active, r.environment])).toEqual([
      [two.hash, false, "test"],
      [one.hash, true, "test"],
      [boot.hash, false, "test"],
    ]);
    const limited = await adminFetch(router.url, "GET", "/admin/releases?limit=1");
    expect((limited.json as { releases: unknown[] }).releases).toHaveLength(1);
    const bad = await adminFetch(router.url, "GET", "/admin/releases?limit=0");
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ error: { code: "invalid_request", param: "limit" } });
    const single = await adminFetch(router.url, "GET", `/admin/releases/${two.hash}`);
    expect(single.json).toMatchObject({ hash: two.hash, active: false, activatedAt: null });
  });

  it("rollback walks back through activations; 409 when there is nothing earlier", async () => {
    clock += 1_000;
    expect((await adminFetch(router.url, "POST", `/admin/releases/${two.hash}/activate`)).json).toMatchObject({ previous: one.hash, changed: true });
    expect((await replyOf()).version).toBe(two.hash);

    const back = await adminFetch(router.url, "POST", "/admin/rollback");
    expect(back.status).toBe(200);
    expect(back.json).toMatchObject({ hash: one.hash, previous: two.hash, changed: true });
    expect((await replyOf()).version).toBe(one.hash);

    const further = await adminFetch(router.url, "POST", "/admin/rollback");
    expect(further.json).toMatchObject({ hash: boot.hash, previous: one.hash });
    expect((await replyOf()).text).toBe("release 0");

    const none = await adminFetch(router.url, "POST", "/admin/rollback");
    expect(none.status).toBe(409);
    expect(none.json).toMatchObject({ error: { code: "no_previous_release", type: "invalid_request_error" } });
    expect((await replyOf()).version).toBe(boot.hash);
  });

  it("GET /admin/state returns the store's snapshot and the active release", async () => {
    await replyOf();
    const res = await adminFetch(router.url, "GET", "/admin/state");
    expect(res.status).toBe(200);
    const state = res.json as Record<string, unknown>;
    expect(state["release"]).toMatchObject({ hash: boot.hash, environment: "test" });
    for (const key of ["breakers", "latency", "inFlight", "canaries"]) expect(state).toHaveProperty(key);
    expect(state["breakers"]).toHaveProperty("m");
  });
});

describe("live state", () => {
  it("GET /admin/state carries the store's budgets and limits per team, and the token still gates it", async () => {
    const governed = releaseOf({
      providers: { sim: { kind: "mock" } },
      models: { m: { provider: "sim", name: "mock-1", context: 8_000, price: { input: 1, output: 1 } } },
      routes: { chat: { model: "m" } },
      teams: { support: { keys: [{ secret: "SUPPORT_KEY" }], routes: ["chat"], budget: { usd: 10, per: "day" }, limits: { rpm: 60 } } },
    });
    const teamRouter = await startTestRouter(governed, {
      env: { SWITCHYARD_ADMIN_TOKEN: ADMIN_TOKEN, SUPPORT_KEY: "support-key" },
      telemetry: { log: () => undefined },
    });
    try {
      const res = await chat(teamRouter, { model: "chat", messages: [{ role: "user", content: "hi" }] }, { authorization: "Bearer support-key" });
      expect(res.status).toBe(200);
      await res.text();
      // A team key is not an admin token.
      expect((await adminFetch(teamRouter.url, "GET", "/admin/state", { token: "support-key" })).status).toBe(401);
      const state = (await adminFetch(teamRouter.url, "GET", "/admin/state")).json as Record<string, Record<string, Record<string, unknown>>>;
      expect(state["release"]).toMatchObject({ hash: governed.hash });
      expect(state["budgets"]?.["support"]).toMatchObject({ limitUsd: 10, period: "day" });
      expect(state["limits"]).toHaveProperty("support");
    } finally {
      await teamRouter.close();
    }
  });
});

describe("activation and live state", () => {
  function canaried(reply: string, steps: number[]) {
    return releaseOf({
      providers: { sim: { kind: "mock", mock: { reply } } },
      models: {
        stable: { provider: "sim", name: "stable", context: 8_000, price: { input: 0, output: 0 } },
        next: { provider: "sim", name: "next", context: 8_000, price: { input: 0, output: 0 } },
      },
      routes: { chat: { model: "stable", canary: { model: "next", steps, everyMs: 3_600_000 } } },
    });
  }

  it("a canary's step survives an activation that leaves it unchanged, and restarts when it changes", async () => {
    const state = createMemoryStateStores();
    const a = canaried("a", [5, 25, 100]);
    const r = await startTestRouter(a, { env: { SWITCHYARD_ADMIN_TOKEN: ADMIN_TOKEN }, state, telemetry: { log: () => undefined } });
    try {
      state.rollout.setCanaryPercent("chat", 25, { now: Date.now(), step: 1, reason: "guard held" });
      const canary = async () =>
        ((await adminFetch(r.url, "GET", "/admin/state")).json as { canaries: Record<string, { percent: number; step: number }> }).canaries["chat"];
      expect(await canary()).toMatchObject({ percent: 25, step: 1 });

      const b = canaried("b", [5, 25, 100]);
      await adminFetch(r.url, "PUT", `/admin/releases/${b.hash}`, { body: releaseText(b) });
      expect((await adminFetch(r.url, "POST", `/admin/releases/${b.hash}/activate`)).status).toBe(200);
      expect(await canary()).toMatchObject({ percent: 25, step: 1 });

      const c = canaried("c", [10, 100]);
      await adminFetch(r.url, "PUT", `/admin/releases/${c.hash}`, { body: releaseText(c) });
      await adminFetch(r.url, "POST", `/admin/releases/${c.hash}/activate`);
      expect(await canary()).toMatchObject({ percent: 10, step: 0 });
    } finally {
      await r.close();
    }
  });
});

describe("invalid uploads never replace the active release", () => {
  async function expectUntouched(): Promise<void> {
    const list = (await adminFetch(router.url, "GET", "/admin/releases")).json as { active: string };
    const reply = await replyOf();
    expect(reply.version).toBe(list.active);
    expect(list.active).toBe(router.active.current.hash);
  }

  it("hash in the URL differs from the content → 400 with a hash_mismatch diagnostic", async () => {
    const three = numberedRelease(3);
    const res = await adminFetch(router.url, "PUT", `/admin/releases/${numberedRelease(4).hash}`, { body: releaseText(three) });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({
      error: { code: "invalid_release", type: "invalid_request_error" },
      diagnostics: [{ code: "hash_mismatch", path: "hash" }],
    });
    await expectUntouched();
  });

  it("content edited after the build (hash no longer matches) → 400 hash_mismatch", async () => {
    const three = numberedRelease(3);
    const tampered = releaseText(three).replace("release 3", "release 3!");
    const res = await adminFetch(router.url, "PUT", `/admin/releases/${three.hash}`, { body: tampered });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ diagnostics: [{ code: "hash_mismatch" }] });
    expect((await adminFetch(router.url, "POST", `/admin/releases/${three.hash}/activate`)).status).toBe(404);
    await expectUntouched();
  });

  it("a URL segment that is not a hash → 400 invalid_hash (malformed escapes included)", async () => {
    for (const segment of ["latest", "%E0%A4%A", "a%2Fb", boot.hash.toUpperCase()]) {
      const res = await adminFetch(router.url, "PUT", `/admin/releases/${segment}`, { body: releaseText(numberedRelease(3)) });
      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({ error: { code: "invalid_release" }, diagnostics: [{ code: "invalid_hash" }] });
    }
    const activate = await adminFetch(router.url, "POST", "/admin/releases/%E0%A4%A/activate");
    expect(activate.status).toBe(400);
  });

  it("schema violations → 400 with one diagnostic per issue, each with its path", async () => {
    const three = numberedRelease(3);
    const raw = JSON.parse(releaseText(three)) as { hash: string; config: Record<string, unknown> };
    (raw.config["routes"] as Record<string, Record<string, unknown>>)["chat"] = { model: 42 };
    raw.config["irVersion"] = "one";
    const res = await adminFetch(router.url, "PUT", `/admin/releases/${three.hash}`, { body: JSON.stringify(raw) });
    expect(res.status).toBe(400);
    const body = res.json as { error: { code: string; message: string }; diagnostics: Array<{ code: string; message: string; path?: string }> };
    expect(body.error.code).toBe("invalid_release");
    expect(body.diagnostics.length).toBeGreaterThanOrEqual(2);
    expect(body.diagnostics.map((d) => d.path)).toEqual(expect.arrayContaining(["config.irVersion"]));
    expect(body.diagnostics.some((d) => d.path?.startsWith("config.routes.chat") === true)).toBe(true);
    await expectUntouched();
  });

  it("an unknown key → unrecognized_keys naming it", async () => {
    const three = numberedRelease(3);
    const raw = JSON.parse(releaseText(three)) as { hash: string; config: { routes: Record<string, Record<string, unknown>> } };
    const chatRoute = raw.config.routes["chat"];
    if (chatRoute !== undefined) chatRoute["fallbak"] = [];
    const res = await adminFetch(router.url, "PUT", `/admin/releases/${three.hash}`, { body: JSON.stringify(raw) });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ diagnostics: [{ code: "unrecognized_keys", message: "unknown key `fallbak`", path: "config.routes.chat.fallbak" }] });
    await expectUntouched();
  });

  it.each([
    ["a route's model", (c: Json) => void (route(c)["model"] = "ghost"), "config.routes.chat.model", 'model "ghost" is not declared'],
    [
      "a model's provider",
      (c: Json) => void ((c["models"] as Record<string, Json>)["m"] = { ...(c["models"] as Record<string, Json>)["m"], provider: "ghost" }),
      "config.models.m.provider",
      'provider "ghost" is not declared',
    ],
    ["a fallback step", (c: Json) => void (route(c)["fallback"] = [{ tier: "ghost" }]), "config.routes.chat.fallback.0.tier", 'tier "ghost" is not declared'],
    [
      "a long-context target",
      (c: Json) => void (route(c)["longContext"] = { over: 100, use: { model: "ghost" } }),
      "config.routes.chat.longContext.use.model",
      'model "ghost" is not declared',
    ],
    [
      "a canary model",
      (c: Json) => void (route(c)["canary"] = { model: "ghost", steps: [5], everyMs: 1000, guard: { minRequests: 20 }, stickyBy: "user" }),
      "config.routes.chat.canary.model",
      'model "ghost" is not declared',
    ],
    ["a team's route", (c: Json) => void (c["teams"] = { t: { keys: [], routes: ["ghost"] } }), "config.teams.t.routes.0", 'route "ghost" is not declared'],
    [
      "a tier's member",
      (c: Json) => void (c["tiers"] = { fast: { models: [{ model: "ghost", weight: 1 }] } }),
      "config.tiers.fast.models.0.model",
      'model "ghost" is not declared',
    ],
  ])("a reference to nothing (%s) → 400 unknown_reference, even with a correct hash", async (_what, edit, path, message) => {
    const raw = JSON.parse(releaseText(numberedRelease(7))) as { hash: string; config: Json };
    edit(raw.config);
    raw.hash = contentHash(raw.config);
    const res = await adminFetch(router.url, "PUT", `/admin/releases/${raw.hash}`, { body: JSON.stringify(raw) });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ error: { code: "invalid_release" }, diagnostics: [{ code: "unknown_reference", path, message }] });
    await expectUntouched();
  });

  it("not JSON, or not a release → 400", async () => {
    const hash = numberedRelease(3).hash;
    const notJson = await adminFetch(router.url, "PUT", `/admin/releases/${hash}`, { body: "{ nope" });
    expect(notJson.json).toMatchObject({ error: { code: "invalid_release" }, diagnostics: [{ code: "invalid_json" }] });
    const notRelease = await adminFetch(router.url, "PUT", `/admin/releases/${hash}`, { body: "[1,2]" });
    expect(notRelease.json).toMatchObject({ diagnostics: [{ code: "invalid_release" }] });
    await expectUntouched();
  });

  it("a release this router build cannot run (missing adapter) → 400 missing_adapter, never listed", async () => {
    const openai = releaseOf({
      providers: { up: { kind: "openai", baseUrl: "http://127.0.0.1:9/v1" } },
      models: { m: { provider: "up", name: "gpt", context: 8_000, price: { input: 0, output: 0 } } },
      routes: { chat: { model: "m" } },
    });
    const res = await adminFetch(router.url, "PUT", `/admin/releases/${openai.hash}`, { body: releaseText(openai) });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ error: { code: "invalid_release" }, diagnostics: [{ code: "missing_adapter" }] });
    expect((res.json as { error: { message: string } }).error.message).toContain("does not include");
    const list = (await adminFetch(router.url, "GET", "/admin/releases")).json as { releases: Array<{ hash: string }> };
    expect(list.releases.map((r) => r.hash)).not.toContain(openai.hash);
    await expectUntouched();
  });

  it("an oversize body → 413 body_too_large", async () => {
    const small = await startTestRouter(boot, { env: { SWITCHYARD_ADMIN_TOKEN: ADMIN_TOKEN } });
    try {
      const res = await adminFetch(small.url, "PUT", `/admin/releases/${boot.hash}`, { body: " ".repeat(17 * 1024 * 1024) });
      expect(res.status).toBe(413);
      expect(res.json).toMatchObject({ error: { code: "body_too_large" } });
    } finally {
      await small.close();
    }
  });
});

describe("admin routing errors", () => {
  it("unknown admin path → 404 not_found in the OpenAI shape", async () => {
    const res = await adminFetch(router.url, "GET", "/admin/nope");
    expect(res.status).toBe(404);
    expect(res.json).toMatchObject({ error: { code: "not_found", type: "not_found_error", param: null } });
    expect((res.json as { error: { message: string } }).error.message).toContain("PUT /admin/releases/{hash}");
  });

  it.each([
    ["POST", "/admin/releases", "GET, HEAD"],
    ["DELETE", "/admin/state", "GET, HEAD"],
    ["GET", "/admin/rollback", "POST"],
    ["GET", `/admin/releases/${boot.hash}/activate`, "POST"],
    ["POST", `/admin/releases/${boot.hash}`, "GET, PUT, HEAD"],
  ])("%s %s → 405 with Allow: %s", async (method, path, allow) => {
    const res = await adminFetch(router.url, method, path);
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe(allow);
    expect(res.json).toMatchObject({ error: { code: "method_not_allowed", type: "invalid_request_error" } });
  });
});
