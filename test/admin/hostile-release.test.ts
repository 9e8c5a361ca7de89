/**
 * @module Hostile uploads over the real admin API (issue 17, items 2, 3, 12): a release may name only the secrets,
 * upstream hosts and trace folder fixed at start; nonsensical values are refused with their path; upload size and
 * history are capped. Each refused upload is never listed, never activated and reaches no upstream.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Config, type Release, contentHash } from "@switchyard/ir";
import type { RunningRouter } from "@switchyard/router";
import { ADMIN_TOKEN, adminFetch, numberedRelease, releaseText } from "../helpers/admin.ts";
import { type FakeOpenAi, startFakeOpenAi } from "../helpers/fake-openai.ts";
import { releaseOf } from "../helpers/release.ts";
import { chat, startTestRouter } from "../helpers/router.ts";

/** Hand-edited release JSON: any shape. */
type Json = Record<string, any>;

const dir = mkdtempSync(join(tmpdir(), "hostile-release-"));
const traceDir = join(dir, "traces");
let upstream: FakeOpenAi;
/** An upstream the boot release does not name: nothing may ever reach it. */
let stranger: FakeOpenAi;
let router: RunningRouter;
let boot: Release;

/** The boot release: one OpenAI-compatible provider keyed by ALPHA_KEY, a team key, a JSONL trace file in the trace folder. */
function bootRelease(baseUrl: string): Release {
  return releaseOf({
    providers: { up: { kind: "openai", baseUrl, apiKey: { secret: "ALPHA_KEY" } } },
    models: { m: { provider: "up", name: "gpt", context: 8_000, price: { input: 0, output: 0 } } },
    routes: { chat: { model: "m" } },
    teams: { t: { keys: [{ secret: "TEAM_KEY" }], routes: ["chat"] } },
    telemetry: { jsonl: { path: join(traceDir, "router.jsonl") } },
  });
}

/** A copy of the boot config with `edit` applied, as switchyard.json text and its hash (no zod: hostile input). */
function edited(edit: (config: Json) => void): { text: string; hash: string } {
  const config = JSON.parse(JSON.stringify(boot.config)) as Json;
  edit(config);
  const hash = contentHash(config as Config);
  return { text: JSON.stringify({ hash, config }), hash };
}

async function put(url: string, release: { text: string; hash: string }) {
  return adminFetch(url, "PUT", `/admin/releases/${release.hash}`, { body: release.text });
}

/** The upload was refused with a diagnostic at `path` and left no trace: not listed, cannot be activated. */
async function expectRefused(release: { text: string; hash: string }, path: string, code?: string): Promise<void> {
  const res = await put(router.url, release);
  expect(res.status, res.text).toBe(400);
  const body = res.json as { error: { code: string }; diagnostics: Array<{ code: string; path?: string }> };
  expect(body.error.code).toBe("invalid_release");
  expect(body.diagnostics.map((d) => d.path)).toContain(path);
  if (code !== undefined) expect(body.diagnostics.find((d) => d.path === path)?.code).toBe(code);
  expect((await adminFetch(router.url, "POST", `/admin/releases/${release.hash}/activate`)).status).toBe(404);
  expect(router.active.current.hash).toBe(boot.hash);
}

beforeAll(async () => {
  mkdirSync(traceDir, { recursive: true });
  upstream = await startFakeOpenAi();
  stranger = await startFakeOpenAi();
  boot = bootRelease(upstream.baseUrl);
  router = await startTestRouter(boot, {
    env: {
      SWITCHYARD_ADMIN_TOKEN: ADMIN_TOKEN,
      ALPHA_KEY: "alpha-value",
      TEAM_KEY: "team-value",
      BETA_KEY: "beta-value",
      PATH: "/usr/bin",
      SWITCHYARD_ALLOWED_SECRETS: "BETA_*",
    },
    telemetry: { log: () => undefined },
  });
});

afterAll(async () => {
  await router?.close();
  await upstream?.close();
  await stranger?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("item 2: a release names only the secrets and hosts fixed at start", () => {
  it("the admin token as a provider key, sent to another host → 400 at the path; the other host receives nothing", async () => {
    const hostile = edited((c) => {
      c.providers.up.baseUrl = stranger.baseUrl;
      c.providers.up.apiKey = { secret: "SWITCHYARD_ADMIN_TOKEN" };
      c.providers.up.headers = { "x-leak": { secret: "PATH" } };
    });
    await expectRefused(hostile, "config.providers.up.apiKey", "reserved_secret");
    // The router still serves, and only ever called the boot release's upstream.
    const res = await chat(router, { model: "chat", messages: [{ role: "user", content: "hi" }] }, { authorization: "Bearer team-value" });
    expect(res.status).toBe(200);
    await res.text();
    expect(stranger.requests).toHaveLength(0);
    expect(JSON.stringify(upstream.requests.map((r) => r.headers))).not.toContain(ADMIN_TOKEN);
  });

  it("a bedrock or vertex region that would move the endpoint's host (x@169.254.169.254:80/) → 400 provider_value at the region", async () => {
    const bedrock = edited((c) => {
      c.providers.aws = { kind: "bedrock", region: "x@169.254.169.254:80/", headers: {}, selfHosted: false };
    });
    await expectRefused(bedrock, "config.providers.aws.region", "provider_value");
    const vertex = edited((c) => {
      c.providers.gcp = { kind: "vertex", region: "x@169.254.169.254:80/", project: "acme-prod", headers: {}, selfHosted: false };
    });
    await expectRefused(vertex, "config.providers.gcp.region", "provider_value");
  });

  it("a secret the boot release does not name (PATH, another team's key) → 400 secret_not_allowed at its path", async () => {
    await expectRefused(
      edited((c) => void (c.providers.up.headers = { "x-leak": { secret: "PATH" } })),
      "config.providers.up.headers.x-leak",
      "secret_not_allowed",
    );
    await expectRefused(
      edited((c) => void (c.teams.t.keys = [{ secret: "OTHER_TEAM_KEY" }])),
      "config.teams.t.keys.0",
      "secret_not_allowed",
    );
  });

  it("a host the boot release does not name → 400 upstream_not_allowed, for providers, OTLP and the alert webhook", async () => {
    await expectRefused(
      edited((c) => void (c.providers.up.baseUrl = stranger.baseUrl)),
      "config.providers.up.baseUrl",
      "upstream_not_allowed",
    );
    await expectRefused(
      edited((c) => void (c.telemetry.otlp = { endpoint: `${stranger.url}/v1/traces`, headers: {}, serviceName: "s", maxQueue: 10, timeoutMs: 1000 })),
      "config.telemetry.otlp.endpoint",
      "upstream_not_allowed",
    );
    await expectRefused(
      edited((c) => void (c.telemetry.alerts = { webhook: { url: stranger.url, headers: { authorization: { secret: "ALPHA_KEY" } } } })),
      "config.telemetry.alerts.webhook.url",
      "upstream_not_allowed",
    );
    await expectRefused(
      edited((c) => void (c.telemetry.alerts = { webhook: { url: upstream.url, headers: { authorization: { secret: "SWITCHYARD_ADMIN_TOKEN" } } } })),
      "config.telemetry.alerts.webhook.headers.authorization",
      "reserved_secret",
    );
    expect(stranger.requests).toHaveLength(0);
  });

  it("the boot release's secrets and hosts, and SWITCHYARD_ALLOWED_SECRETS globs, are accepted", async () => {
    const fine = edited((c) => {
      c.providers.up.headers = { "x-extra": { secret: "BETA_KEY" } };
      c.models.m.name = "gpt-2";
    });
    expect((await put(router.url, fine)).status).toBe(201);
  });

  it("a SWITCHYARD_ALLOWED_SECRETS glob never opens the router's own SWITCHYARD_* settings; an exact name does", async () => {
    const open = await startTestRouter(boot, {
      env: { SWITCHYARD_ADMIN_TOKEN: ADMIN_TOKEN, SWITCHYARD_ALLOWED_SECRETS: "*, SWITCHYARD_DEMO_KEY" },
      telemetry: { log: () => undefined },
    });
    try {
      const redis = await put(
        open.url,
        edited((c) => void (c.teams.t.keys = [{ secret: "SWITCHYARD_REDIS_URL" }])),
      );
      expect(redis.json).toMatchObject({ diagnostics: [{ code: "secret_not_allowed", path: "config.teams.t.keys.0" }] });
      expect(
        (
          await put(
            open.url,
            edited((c) => void (c.teams.t.keys = [{ secret: "SWITCHYARD_DEMO_KEY" }])),
          )
        ).status,
      ).toBe(201);
      expect(
        (
          await put(
            open.url,
            edited((c) => void (c.teams.t.keys = [{ secret: "ANYTHING_ELSE" }])),
          )
        ).status,
      ).toBe(201);
    } finally {
      await open.close();
    }
  });

  it("SWITCHYARD_ALLOWED_UPSTREAMS adds hosts (host, host:port, *.suffix); a malformed entry stops the start naming it", async () => {
    const other = await startTestRouter(boot, {
      env: { SWITCHYARD_ADMIN_TOKEN: ADMIN_TOKEN, SWITCHYARD_ALLOWED_UPSTREAMS: `*.example.com, ${new URL(stranger.url).host}` },
      telemetry: { log: () => undefined },
    });
    try {
      expect(
        (
          await put(
            other.url,
            edited((c) => void (c.providers.up.baseUrl = stranger.baseUrl)),
          )
        ).status,
      ).toBe(201);
      expect(
        (
          await put(
            other.url,
            edited((c) => void (c.providers.up.baseUrl = "https://models.eu.example.com/v1")),
          )
        ).status,
      ).toBe(201);
      const res = await put(
        other.url,
        edited((c) => void (c.providers.up.baseUrl = "https://example.org/v1")),
      );
      expect(res.json).toMatchObject({ diagnostics: [{ code: "upstream_not_allowed", path: "config.providers.up.baseUrl" }] });
    } finally {
      await other.close();
    }
    await expect(startTestRouter(boot, { env: { SWITCHYARD_ALLOWED_UPSTREAMS: "https://x.example.com/" } })).rejects.toThrow(
      /SWITCHYARD_ALLOWED_UPSTREAMS: `https:\/\/x.example.com\/`/,
    );
    await expect(startTestRouter(boot, { env: { SWITCHYARD_ALLOWED_SECRETS: "lower" } })).rejects.toThrow(/SWITCHYARD_ALLOWED_SECRETS: `lower`/);
  });
});

describe("item 3: the trace file stays in the trace folder", () => {
  const victim = join(dir, "victim.jsonl");
  const outside = join(dir, "outside");

  beforeAll(() => {
    writeFileSync(victim, "precious\n");
    mkdirSync(outside);
    symlinkSync(outside, join(traceDir, "escape"));
    symlinkSync(victim, join(traceDir, "planted.jsonl"));
  });

  const tracePath = (path: string) => edited((c) => void (c.telemetry.jsonl = { path, maxBytes: 1, keep: 0 }));

  it.each([
    ["`..` out of the folder", () => join(traceDir, "..", "victim.jsonl")],
    ["an absolute path elsewhere", () => victim],
    ["a relative path from the working directory", () => "victim.jsonl"],
    ["a symlinked folder leading out", () => join(traceDir, "escape", "x.jsonl")],
    ["a symlink at the file itself", () => join(traceDir, "planted.jsonl")],
    ["a file not named *.jsonl", () => join(traceDir, "router.mjs")],
  ])("%s → 400 trace_path_not_allowed; the target is untouched", async (_name, path) => {
    await expectRefused(tracePath(path()), "config.telemetry.jsonl.path", "trace_path_not_allowed");
    expect(readFileSync(victim, "utf8")).toBe("precious\n");
    expect(readdirSync(outside)).toEqual([]);
  });

  it("a *.jsonl file in a new folder inside the trace folder is accepted", async () => {
    expect((await put(router.url, tracePath(join(traceDir, "2026", "router.jsonl")))).status).toBe(201);
  });
});

describe("item 12: nonsensical values are refused with their path", () => {
  it.each<[string, (c: Json) => void, string]>([
    ["rpm -5", (c) => void (c.teams.t.limits = { rpm: -5 }), "config.teams.t.limits.rpm"],
    ["tpm 1.5", (c) => void (c.teams.t.limits = { tpm: 1.5 }), "config.teams.t.limits.tpm"],
    ["budget -100 USD", (c) => void (c.teams.t.budget = { usd: -100, per: "day", mode: "hard", alertAt: [] }), "config.teams.t.budget.usd"],
    ["weight 0", (c) => void (c.tiers = { f: { models: [{ model: "m", weight: 0 }] } }), "config.tiers.f.models.0.weight"],
    ["weight -5", (c) => void (c.tiers = { f: { models: [{ model: "m", weight: -5 }] } }), "config.tiers.f.models.0.weight"],
    ["weight 1e308", (c) => void (c.tiers = { f: { models: [{ model: "m", weight: 1e308 }] } }), "config.tiers.f.models.0.weight"],
    ["canary step -50", (c) => void (c.routes.chat.canary = canary([-50, 100])), "config.routes.chat.canary.steps.0"],
    ["canary step 1e9", (c) => void (c.routes.chat.canary = canary([50, 1e9])), "config.routes.chat.canary.steps.1"],
    ["canary steps out of order", (c) => void (c.routes.chat.canary = canary([50, 25])), "config.routes.chat.canary.steps.1"],
    ["baseUrl at 169.254.169.254", (c) => void (c.providers.up.baseUrl = "http://169.254.169.254/latest"), "config.providers.up.baseUrl"],
    ["baseUrl at fe80::1", (c) => void (c.providers.up.baseUrl = "http://[fe80::1]/v1"), "config.providers.up.baseUrl"],
    ["baseUrl at metadata.google.internal", (c) => void (c.providers.up.baseUrl = "http://metadata.google.internal/"), "config.providers.up.baseUrl"],
    ["baseUrl file://", (c) => void (c.providers.up.baseUrl = "file:///etc/passwd"), "config.providers.up.baseUrl"],
    [
      "OTLP endpoint at the metadata service",
      (c) => void (c.telemetry.otlp = { endpoint: "http://169.254.169.254/", headers: {}, serviceName: "s", maxQueue: 10, timeoutMs: 1000 }),
      "config.telemetry.otlp.endpoint",
    ],
    ["a reference to a missing model", (c) => void (c.routes.chat.model = "nope"), "config.routes.chat.model"],
    ["price 1e308 per 1M tokens", (c) => void (c.models.m.price.input = 1e308), "config.models.m.price.input"],
    ["context 1.7 billion tokens", (c) => void (c.models.m.context = 1_729_504_431), "config.models.m.context"],
    ["rpm 2^31", (c) => void (c.teams.t.limits = { rpm: 2_147_483_624 }), "config.teams.t.limits.rpm"],
    ["budget 1e15 USD", (c) => void (c.teams.t.budget = { usd: 1e15, per: "day", mode: "hard", alertAt: [] }), "config.teams.t.budget.usd"],
    [
      "retry attempts 1e6",
      (c) => void (c.routes.chat.retry = { attempts: 1e6, on: ["5xx"], backoffMs: 0, maxRetryAfterMs: 0 }),
      "config.routes.chat.retry.attempts",
    ],
  ])("%s", async (_name, edit, path) => {
    await expectRefused(edited(edit), path);
  });

  it("1e999 (Infinity once parsed) in a free-form validator schema → 400 invalid_release, not a 500 from the hash", async () => {
    const text = JSON.stringify({
      hash: "0".repeat(64),
      config: { ...boot.config, routes: { chat: { ...boot.config.routes["chat"], validate: [{ kind: "json-schema", schema: { maximum: "@BIG@" } }] } } },
    }).replace('"@BIG@"', "1e999");
    const res = await put(router.url, { text, hash: "0".repeat(64) });
    expect(res.status, res.text).toBe(400);
    expect((res.json as { error: { code: string } }).error.code).toBe("invalid_release");
    expect(router.active.current.hash).toBe(boot.hash);
  });

  function canary(steps: number[]) {
    return { model: "m", steps, everyMs: 60_000, guard: { minRequests: 20 }, stickyBy: "user" };
  }
});

describe("item 12: upload size and history are capped", () => {
  it("a 15 MB release → 413 body_too_large (default cap 2 MiB)", async () => {
    const res = await adminFetch(router.url, "PUT", `/admin/releases/${"a".repeat(64)}`, { body: " ".repeat(15 * 1024 * 1024) });
    expect(res.status).toBe(413);
    expect(res.json).toMatchObject({ error: { code: "body_too_large" } });
  });

  it("SWITCHYARD_MAX_RELEASES keeps that many; the active release and the rollback target are never forgotten", async () => {
    const first = numberedRelease(1);
    const small = await startTestRouter(first, {
      env: { SWITCHYARD_ADMIN_TOKEN: ADMIN_TOKEN, SWITCHYARD_MAX_RELEASES: "3" },
      telemetry: { log: () => undefined },
    });
    try {
      for (const n of [2, 3]) {
        const r = numberedRelease(n);
        expect((await adminFetch(small.url, "PUT", `/admin/releases/${r.hash}`, { body: releaseText(r) })).status).toBe(201);
        expect((await adminFetch(small.url, "POST", `/admin/releases/${r.hash}/activate`)).status).toBe(200);
      }
      for (const n of [4, 5, 6, 7]) {
        const r = numberedRelease(n);
        expect((await adminFetch(small.url, "PUT", `/admin/releases/${r.hash}`, { body: releaseText(r) })).status).toBe(201);
      }
      const list = (await adminFetch(small.url, "GET", "/admin/releases")).json as { releases: Array<{ hash: string }> };
      const hashes = list.releases.map((r) => r.hash);
      expect(hashes).toHaveLength(3);
      expect(hashes).toEqual(expect.arrayContaining([numberedRelease(3).hash, numberedRelease(2).hash, numberedRelease(7).hash]));
      expect((await adminFetch(small.url, "POST", "/admin/rollback")).json).toMatchObject({ hash: numberedRelease(2).hash });
    } finally {
      await small.close();
    }
  });

  it("SWITCHYARD_MAX_RELEASE_HISTORY_BYTES forgets the oldest uploads once their bytes pass it", async () => {
    const padded = (n: number) =>
      releaseOf({
        providers: { sim: { kind: "mock", mock: { reply: `${n} ${"x".repeat(2500)}` } } },
        models: { m: { provider: "sim", name: "mock-1", context: 8_000, price: { input: 0, output: 0 } } },
        routes: { chat: { model: "m" } },
      });
    const env = { SWITCHYARD_ADMIN_TOKEN: ADMIN_TOKEN, SWITCHYARD_MAX_RELEASE_BYTES: "4096", SWITCHYARD_MAX_RELEASE_HISTORY_BYTES: "7000" };
    const small = await startTestRouter(numberedRelease(0), { env, telemetry: { log: () => undefined } });
    try {
      for (const n of [1, 2, 3, 4])
        expect((await adminFetch(small.url, "PUT", `/admin/releases/${padded(n).hash}`, { body: releaseText(padded(n)) })).status).toBe(201);
      const hashes = ((await adminFetch(small.url, "GET", "/admin/releases")).json as { releases: Array<{ hash: string }> }).releases.map((r) => r.hash);
      expect(hashes).toEqual([padded(4).hash, padded(3).hash, numberedRelease(0).hash]);
      expect((await adminFetch(small.url, "PUT", `/admin/releases/${"b".repeat(64)}`, { body: " ".repeat(5000) })).status).toBe(413);
    } finally {
      await small.close();
    }
  });
});
