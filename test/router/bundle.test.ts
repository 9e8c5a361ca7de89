/**
 * router.mjs: only the adapters a release uses, deterministic, runs from an empty folder with plain node, drains on
 * SIGTERM, serves the dashboard from its asset beside it, and answers 503 `asset_missing` when an asset was not deployed.
 */
import { spawnSync } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDashboardChunk, bundleRouter } from "../../packages/compiler/src/emit/router-bundle.ts";
import { type FakeAnthropic, startFakeAnthropic } from "../helpers/fake-anthropic.ts";
import { spawnRouter } from "../helpers/process.ts";
import { releaseOf } from "../helpers/release.ts";

const mockOnly = releaseOf({
  environment: "dev",
  providers: { flaky: { kind: "mock", mock: { failRate: 0.5, ttftMs: 400 } }, steady: { kind: "mock" } },
  models: {
    primary: { provider: "flaky", name: "mock-primary", context: 8_000, price: { input: 1, output: 2 } },
    backup: { provider: "steady", name: "mock-backup", context: 8_000, price: { input: 1, output: 2 } },
  },
  routes: { chat: { model: "primary", fallback: [{ model: "backup" }], validate: [{ kind: "non-empty" }] } },
  teams: { demo: { keys: [{ secret: "DEMO_KEY" }], routes: ["chat"] } },
});

let dir: string;
let anthropic: FakeAnthropic;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "switchyard-bundle-"));
  anthropic = await startFakeAnthropic();
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await anthropic.close();
});

describe("bundleRouter", () => {
  it("includes only the adapters the release uses, is small and deterministic", async () => {
    const a = path.join(dir, "a", "router.mjs");
    const b = path.join(dir, "b", "router.mjs");
    const { bytes, assets } = await bundleRouter({ release: mockOnly, outFile: a });
    const second = await bundleRouter({ release: mockOnly, outFile: b });
    const code = await readFile(a, "utf8");
    expect(code).toBe(await readFile(b, "utf8"));
    expect(bytes).toBe(Buffer.byteLength(code));
    expect(bytes).toBeLessThan(150 * 1024);
    // The parts a release may not use are written beside router.mjs, named with their content's hash, the same each build.
    const names = assets.map((asset) => asset.file);
    expect(names.map((name) => name.replace(/\.[0-9a-f]{8}\.mjs$/, ""))).toEqual([
      "switchyard-admin",
      "switchyard-dashboard",
      "switchyard-embeddings",
      "switchyard-messages",
      "switchyard-prompts",
      "switchyard-responses",
    ]);
    expect(second.assets.map((asset) => asset.file)).toEqual(names);
    expect((await readdir(path.dirname(a))).sort()).toEqual([...names, "router.mjs"].sort());
    for (const asset of assets) expect(await readFile(path.join(path.dirname(a), asset.file), "utf8")).toBe(asset.code);
    // Boolean checks, so a failure does not print 40 KB of minified code.
    // Not the bare word "anthropic": the IR's JSON Schema (admin uploads) lists it as a provider kind.
    expect(/anthropic-version|message_start|x-api-key/i.test(code), "no Anthropic adapter").toBe(false);
    expect(code.includes("api.openai.com"), "no OpenAI adapter").toBe(false);
    expect(/ts-morph|typescript|esbuild/.test(code), "no compiler").toBe(false);
    expect(/from"zod"|ZodError/.test(code), "no zod").toBe(false);
    // /metrics is rendered by the router's own telemetry/exposition.ts.
    expect(/getMetricsAsString|globalRegistry/.test(code), "no prom-client").toBe(false);
    console.log(
      `router.mjs (mock only): ${(bytes / 1024).toFixed(1)} KB; ${assets.map((x) => `${x.file} ${(x.code.length / 1024).toFixed(1)} KB`).join(", ")}`,
    );
  });

  it("runs from an empty folder with plain node and drains in-flight requests on SIGTERM", async () => {
    const run = await mkdtemp(path.join(tmpdir(), "switchyard-run-"));
    try {
      await bundleRouter({ release: mockOnly, outFile: path.join(run, "router.mjs") });
      const router = await spawnRouter(["router.mjs", "--port", "0"], { cwd: run, env: { DEMO_KEY: "demo-key" } });
      const headers = { authorization: "Bearer demo-key", "content-type": "application/json" };
      const body = JSON.stringify({ model: "chat", messages: [{ role: "user", content: "hello" }] });
      const first = await fetch(`${router.url}/v1/chat/completions`, { method: "POST", headers, body });
      expect(first.status).toBe(200);
      expect(first.headers.get("x-switchyard-model")).toMatch(/^(primary|backup)$/);

      // A slow request (ttft 400 ms) is in flight when SIGTERM arrives: it must finish, the process must exit 0.
      const inflight = fetch(`${router.url}/v1/chat/completions`, { method: "POST", headers, body });
      await new Promise((r) => setTimeout(r, 150));
      router.child.kill("SIGTERM");
      const res = await inflight;
      expect(res.status).toBe(200);
      expect(((await res.json()) as { choices: unknown[] }).choices).toHaveLength(1);
      expect(await router.exited).toBe(0);
      expect(router.stdout()).toContain("draining 1 in-flight request");
      await expect(fetch(`${router.url}/healthz`)).rejects.toThrow();
    } finally {
      await rm(run, { recursive: true, force: true });
    }
  });

  it("serves the dashboard from its asset beside router.mjs, sharing the core's errors and wrong-token counts", async () => {
    const run = await mkdtemp(path.join(tmpdir(), "switchyard-run-"));
    try {
      const { assets } = await bundleRouter({ release: mockOnly, outFile: path.join(run, "router.mjs") });
      // The handler's text is in the dashboard's asset, not in router.mjs.
      expect((await readFile(path.join(run, "router.mjs"), "utf8")).includes("the dashboard serves GET /dashboard"), "dashboard handler not in the core").toBe(
        false,
      );
      expect(assets.find((asset) => asset.file.startsWith("switchyard-dashboard."))?.code).toContain("the dashboard serves GET /dashboard");
      const token = "bundle-admin-token";
      const router = await spawnRouter(["router.mjs", "--port", "0"], { cwd: run, env: { SWITCHYARD_ADMIN_TOKEN: token } });
      try {
        expect((await fetch(`${router.url}/dashboard`)).status).toBe(401);
        const login = await fetch(`${router.url}/dashboard/login`, {
          method: "POST",
          redirect: "manual",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: `token=${token}`,
        });
        expect(login.status).toBe(303);
        const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
        const page = await fetch(`${router.url}/dashboard`, { headers: { cookie } });
        expect(page.status).toBe(200);
        expect(await page.text()).toContain("<!doctype html>");
        const snapshot = await fetch(`${router.url}/dashboard/api/snapshot`, { headers: { authorization: `Bearer ${token}` } });
        expect(((await snapshot.json()) as { environment: string }).environment).toBe("dev");
        // A RouterError thrown in the chunk is the core's class: the server answers 404 in OpenAI's shape, not 500.
        const missing = await fetch(`${router.url}/dashboard/nothing`, { method: "DELETE" });
        expect(missing.status).toBe(404);
        expect(((await missing.json()) as { error: { code: string } }).error.code).toBe("not_found");
        // Wrong tokens at the dashboard count against the admin API too (one AdminAttempts for both).
        for (let i = 0; i < 10; i++) await (await fetch(`${router.url}/dashboard/api/snapshot`, { headers: { authorization: "Bearer wrong" } })).body?.cancel();
        const admin = await fetch(`${router.url}/admin/releases`, { headers: { authorization: "Bearer wrong" } });
        expect(((await admin.json()) as { error: { code: string } }).error.code).toBe("too_many_admin_attempts");
      } finally {
        router.child.kill("SIGTERM");
        await router.exited;
      }
    } finally {
      await rm(run, { recursive: true, force: true });
    }
  });

  it("serves the admin API from its asset beside router.mjs: uploads verified against the schema, errors in OpenAI's shape, wrong tokens throttled", async () => {
    const run = await mkdtemp(path.join(tmpdir(), "switchyard-run-"));
    try {
      await bundleRouter({ release: mockOnly, outFile: path.join(run, "router.mjs") });
      // The handler's text and the IR's JSON Schema are in the admin asset, not in router.mjs.
      const code = await readFile(path.join(run, "router.mjs"), "utf8");
      expect(code.includes("the admin API serves PUT /admin/releases"), "admin handler compressed").toBe(false);
      expect(code.includes("is not a release hash"), "admin handler compressed").toBe(false);
      const token = "bundle-admin-token";
      const router = await spawnRouter(["router.mjs", "--port", "0"], { cwd: run, env: { SWITCHYARD_ADMIN_TOKEN: token, DEMO_KEY: "demo-key" } });
      try {
        const auth = { authorization: `Bearer ${token}` };
        // The first admin request loads the asset and answers.
        const list = await fetch(`${router.url}/admin/releases`, { headers: auth });
        expect(list.status).toBe(200);
        expect(((await list.json()) as { active: string }).active).toBe(mockOnly.hash);
        // A RouterError thrown in the chunk is the core's class: 404 in OpenAI's shape.
        const missing = await fetch(`${router.url}/admin/releases/${"0".repeat(64)}`, { headers: auth });
        expect(missing.status).toBe(404);
        expect(((await missing.json()) as { error: { code: string } }).error.code).toBe("release_not_found");
        // An upload is checked against the IR's JSON Schema inside the chunk.
        const bad = await fetch(`${router.url}/admin/releases/${mockOnly.hash}`, {
          method: "PUT",
          headers: auth,
          body: JSON.stringify({ hash: mockOnly.hash, config: { ...mockOnly.config, routes: 7 } }),
        });
        expect(bad.status).toBe(400);
        const rejected = (await bad.json()) as { error: { code: string }; diagnostics: { path?: string }[] };
        expect(rejected.error.code).toBe("invalid_release");
        expect(rejected.diagnostics.some((d) => d.path === "config.routes")).toBe(true);
        const state = await fetch(`${router.url}/admin/state`, { headers: auth });
        expect(((await state.json()) as { release: { hash: string } }).release.hash).toBe(mockOnly.hash);
        for (let i = 0; i < 10; i++) await (await fetch(`${router.url}/admin/state`, { headers: { authorization: "Bearer wrong" } })).body?.cancel();
        const throttled = await fetch(`${router.url}/admin/state`, { headers: { authorization: "Bearer wrong" } });
        expect(((await throttled.json()) as { error: { code: string } }).error.code).toBe("too_many_admin_attempts");
      } finally {
        router.child.kill("SIGTERM");
        await router.exited;
      }
    } finally {
      await rm(run, { recursive: true, force: true });
    }
  });

  it("refuses to build a dashboard chunk that would carry its own copy of a core module", async () => {
    const src = path.join(dir, "fake-src");
    await mkdir(path.join(src, "dashboard"), { recursive: true });
    await writeFile(path.join(src, "errors.ts"), "export class RouterError extends Error {}\n");
    await writeFile(
      path.join(src, "dashboard", "lazy.ts"),
      'import { RouterError } from "../errors.ts";\nexport const openDashboard = () => new RouterError("x");\n',
    );
    await expect(buildDashboardChunk(src)).rejects.toThrow(/would carry its own copy of errors\.ts/);
    // A type-only import carries nothing: the chunk builds (an asset: its file URL names it in stack traces).
    await writeFile(
      path.join(src, "dashboard", "lazy.ts"),
      'import type { RouterError } from "../errors.ts";\nexport const openDashboard = (e: RouterError) => e.message;\n',
    );
    expect(await buildDashboardChunk(src)).toMatch(/export\{\w+ as openDashboard\}/);
  });

  it("copied alone into an empty folder: chat works, the parts in missing assets answer 503 asset_missing, logged once", async () => {
    const built = path.join(dir, "alone-build");
    const run = await mkdtemp(path.join(tmpdir(), "switchyard-alone-"));
    try {
      const { assets } = await bundleRouter({ release: mockOnly, outFile: path.join(built, "router.mjs") });
      await copyFile(path.join(built, "router.mjs"), path.join(run, "router.mjs"));
      const token = "alone-admin-token";
      const router = await spawnRouter(["router.mjs", "--port", "0"], { cwd: run, env: { DEMO_KEY: "demo-key", SWITCHYARD_ADMIN_TOKEN: token } });
      try {
        const headers = { authorization: "Bearer demo-key", "content-type": "application/json" };
        const responsesFile = assets.find((asset) => asset.file.startsWith("switchyard-responses."))?.file ?? "";
        for (let i = 0; i < 2; i++) {
          const refused = await fetch(`${router.url}/v1/responses`, { method: "POST", headers, body: JSON.stringify({ model: "chat", input: "hi" }) });
          expect(refused.status).toBe(503);
          const { error } = (await refused.json()) as { error: { code: string; type: string; message: string } };
          expect(error).toMatchObject({ code: "asset_missing", type: "server_error" });
          expect(error.message).toContain(responsesFile);
          expect(error.message).toContain("deploy the whole dist/<env>/ folder");
        }
        // Messages (its dialect cannot load: OpenAI's shape) and the dashboard likewise.
        const messages = await fetch(`${router.url}/v1/messages`, { method: "POST", headers, body: "{}" });
        expect(messages.status).toBe(503);
        expect(((await messages.json()) as { error: { code: string } }).error.code).toBe("asset_missing");
        const embeddings = await fetch(`${router.url}/v1/embeddings`, { method: "POST", headers, body: JSON.stringify({ model: "chat", input: "hi" }) });
        expect(embeddings.status).toBe(503);
        expect(((await embeddings.json()) as { error: { message: string } }).error.message).toMatch(/switchyard-embeddings\.[0-9a-f]{8}\.mjs/);
        const dashboard = await fetch(`${router.url}/dashboard`);
        expect(dashboard.status).toBe(503);
        expect(((await dashboard.json()) as { error: { message: string } }).error.message).toMatch(/switchyard-dashboard\.[0-9a-f]{8}\.mjs/);
        // Everything in the core goes on serving.
        const chat = await fetch(`${router.url}/v1/chat/completions`, {
          method: "POST",
          headers,
          body: JSON.stringify({ model: "chat", messages: [{ role: "user", content: "hello" }] }),
        });
        expect(chat.status).toBe(200);
        expect((await fetch(`${router.url}/healthz`)).status).toBe(200);
        // One log line per missing asset, however many requests it refused; no stack trace.
        expect(
          router
            .stderr()
            .split("\n")
            .filter((line) => line.includes(responsesFile)),
        ).toHaveLength(1);
        expect(router.stderr()).not.toMatch(/\n\s+at /);
      } finally {
        router.child.kill("SIGTERM");
        await router.exited;
      }
    } finally {
      await rm(run, { recursive: true, force: true });
    }
  });

  it("bundles the Anthropic adapter when the release needs it, and it works", async () => {
    const run = await mkdtemp(path.join(tmpdir(), "switchyard-run-"));
    try {
      const release = releaseOf({
        providers: { ant: { kind: "anthropic", baseUrl: anthropic.baseUrl, apiKey: { secret: "ANT_KEY" } } },
        models: { claude: { provider: "ant", name: "claude-x", context: 200_000, price: { input: 3, output: 15 } } },
        routes: { chat: { model: "claude" } },
      });
      await bundleRouter({ release, outFile: path.join(run, "router.mjs") });
      // The adapter's refusals are plain text in router.mjs; its calls are a compressed chunk unpacked by the first call.
      expect(await readFile(path.join(run, "router.mjs"), "utf8")).toContain("Anthropic's Messages API");
      const router = await spawnRouter(["router.mjs", "--port", "0"], { cwd: run, env: { ANT_KEY: "k" } });
      const res = await fetch(`${router.url}/v1/chat/completions`, {
        method: "POST",
        body: JSON.stringify({ model: "chat", stream: true, messages: [{ role: "user", content: "hi" }] }),
      });
      expect(await res.text()).toContain('"content":"Claude"');
      router.child.kill("SIGTERM");
      expect(await router.exited).toBe(0);
    } finally {
      await rm(run, { recursive: true, force: true });
    }
  });

  it("rejects bad flags with one line and exit 2, and a port in use with a clear error", async () => {
    const run = await mkdtemp(path.join(tmpdir(), "switchyard-run-"));
    try {
      await bundleRouter({ release: mockOnly, outFile: path.join(run, "router.mjs") });
      const bad = spawnSync(process.execPath, ["router.mjs", "--port", "nope"], { cwd: run, encoding: "utf8" });
      expect(bad.status).toBe(2);
      expect(bad.stderr).toContain('--port must be an integer 0..65535, got "nope"');
      expect(bad.stderr).not.toMatch(/\n\s+at /);
      const router = await spawnRouter(["router.mjs", "--port", "0"], { cwd: run });
      const port = new URL(router.url).port;
      const clash = spawnSync(process.execPath, ["router.mjs", "--port", port], { cwd: run, encoding: "utf8" });
      expect(clash.status).toBe(1);
      expect(clash.stderr).toContain(`port ${port} on 127.0.0.1 is already in use`);
      router.child.kill("SIGTERM");
      await router.exited;
    } finally {
      await rm(run, { recursive: true, force: true });
    }
  });
});
