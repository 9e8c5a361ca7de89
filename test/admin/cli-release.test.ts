/** @module `switchyard release` — the real CLI binary against a real router over HTTP: push, activate, status, rollback, and its errors. */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Io, runCli } from "@switchyard/cli";
import type { Release } from "@switchyard/ir";
import type { RunningRouter } from "@switchyard/router";
import { createMockAdapter } from "../../packages/router/src/adapters/mock/index.ts";
import { releaseOf } from "../helpers/release.ts";
import { chat, startTestRouter } from "../helpers/router.ts";
import { ADMIN_TOKEN, numberedRelease, releaseText } from "../helpers/admin.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const bin = join(root, "packages", "cli", "bin", "switchyard.mjs");
const scratch = mkdtempSync(join(tmpdir(), "switchyard-release-cli-"));
const STACK = /\n\s+at .+:\d+:\d+\)?/;

let router: RunningRouter;
const boot = numberedRelease(0);
const one = numberedRelease(1);
const two = numberedRelease(2);

/** Write a build directory (dist/<env>/switchyard.json) for a release. */
function buildDir(name: string, release: Release): string {
  const dir = join(scratch, name, "dist", release.config.environment);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "switchyard.json"), releaseText(release));
  return dir;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, "release", ...args], {
      cwd: scratch,
      env: { PATH: process.env["PATH"] ?? "", NO_COLOR: "1", SWITCHYARD_ADMIN_TOKEN: ADMIN_TOKEN, SWITCHYARD_ROUTER_URL: router.url, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

async function inProcess(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const io: Io = {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    cwd: scratch,
    env: { NO_COLOR: "1", SWITCHYARD_ADMIN_TOKEN: ADMIN_TOKEN, SWITCHYARD_ROUTER_URL: router.url, ...env },
  };
  const code = await runCli({ argv: ["release", ...args], io });
  return { code, stdout, stderr };
}

async function servedVersion(): Promise<string | null> {
  const res = await chat(router, { model: "chat", messages: [{ role: "user", content: "hi" }] });
  await res.text();
  return res.headers.get("x-switchyard-config-version");
}

beforeAll(async () => {
  // The quickstart's team key and 127.0.0.1 may be named (the boot release names neither).
  router = await startTestRouter(boot, {
    env: { SWITCHYARD_ADMIN_TOKEN: ADMIN_TOKEN, SWITCHYARD_ALLOWED_SECRETS: "SWITCHYARD_DEMO_KEY", SWITCHYARD_ALLOWED_UPSTREAMS: "127.0.0.1" },
    adapters: { mock: createMockAdapter },
    telemetry: { log: () => undefined },
  });
});

afterAll(async () => {
  await router.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe("switchyard release (spawned, real router)", () => {
  it("push prints the hash and does not activate; activate by prefix; status lists both; rollback returns; then 409 → exit 1", async () => {
    const pushed = await cli(["push", buildDir("one", one), "--router", router.url]);
    expect(pushed.stderr).toContain(`uploaded release ${one.hash.slice(0, 12)} (environment test)`);
    expect(pushed.code).toBe(0);
    expect(pushed.stdout).toBe(`${one.hash}\n`);
    expect(await servedVersion()).toBe(boot.hash);

    const activated = await cli(["activate", one.hash.slice(0, 10)]);
    expect(activated.code).toBe(0);
    expect(activated.stdout).toBe(`activated ${one.hash} (environment test); was ${boot.hash}\n`);
    expect(await servedVersion()).toBe(one.hash);

    const status = await cli(["status"]);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`router ${router.url}: active release ${one.hash}`);
    expect(status.stdout).toMatch(new RegExp(`^\\*\\s+${one.hash.slice(0, 12)}\\s+test\\s+\\d{4}-`, "m"));
    expect(status.stdout).toMatch(new RegExp(`^\\s+${boot.hash.slice(0, 12)}\\s+test`, "m"));

    const json = await cli(["status", "--format", "json", "--limit", "1"]);
    const parsed = JSON.parse(json.stdout) as { router: string; active: string; releases: Array<{ hash: string; active: boolean }> };
    expect(parsed).toMatchObject({ router: router.url, active: one.hash, releases: [{ hash: one.hash, active: true }] });

    const back = await cli(["rollback"]);
    expect(back.code).toBe(0);
    expect(back.stdout).toBe(`rolled back to ${boot.hash} (environment test); was ${one.hash}\n`);
    expect(await servedVersion()).toBe(boot.hash);

    const none = await cli(["rollback"]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^switchyard release rollback: there is no earlier release to roll back to.*\[409 no_previous_release\]\n$/);
  });

  it("push --activate of a switchyard.json path, JSON output", async () => {
    const file = join(buildDir("two", two), "switchyard.json");
    const result = await cli(["push", file, "--activate", "--format", "json"]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      uploaded: { hash: two.hash, created: true },
      activated: { hash: two.hash, previous: boot.hash, changed: true },
    });
    expect(await servedVersion()).toBe(two.hash);
  });

  it("push compiles a routes.ts first, for the router's environment (in-process CLI), and prints the hash of what it compiled", async () => {
    // The quickstart with an environment named as the router's ("test").
    const quickstart = readFileSync(join(root, "examples", "quickstart", "routes.ts"), "utf8");
    const project = join(scratch, "project");
    mkdirSync(project, { recursive: true });
    writeFileSync(join(project, "routes.ts"), quickstart.replace(/\}\);\s*$/, "  environments: { test: {} },\n});\n"));
    const result = await inProcess(["push", join(project, "routes.ts")]);
    expect(result.stderr).toContain("uploaded release");
    expect(result.stderr).toContain("(environment test)");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^[0-9a-f]{64}\n$/);
    const listed = (await inProcess(["status", "--format", "json"])).stdout;
    expect(listed).toContain(result.stdout.trim());
  });

  it("push of a routes.ts without the router's environment → exit 1 naming it; --env another → the router's 400 environment_not_allowed", async () => {
    const quickstart = join(root, "examples", "quickstart", "routes.ts");
    const missing = await inProcess(["push", quickstart]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('unknown environment "test"');
    expect(missing.stdout).toBe("");
    const other = await inProcess(["push", quickstart, "--env", "default"]);
    expect(other.code).toBe(1);
    expect(other.stderr).toContain("[400 invalid_release]");
    expect(other.stderr).toContain("but this router serves environment `test`");
    expect(other.stderr).toContain("[environment_not_allowed]");
    expect(other.stderr).not.toMatch(STACK);
  });

  it("a release the router cannot run → exit 1 with the router's diagnostics; the active release is untouched", async () => {
    const before = router.active.current.hash;
    const openai = releaseOf({
      providers: { up: { kind: "openai", baseUrl: "http://127.0.0.1:9/v1" } },
      models: { m: { provider: "up", name: "gpt", context: 8_000, price: { input: 0, output: 0 } } },
      routes: { chat: { model: "m" } },
    });
    const result = await cli(["push", buildDir("openai", openai), "--activate"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("[400 invalid_release]");
    expect(result.stderr).toMatch(/\n {2}provider `up` is of kind "openai", which this router build does not include \[missing_adapter\]\n/);
    expect(result.stdout).toBe("");
    expect(router.active.current.hash).toBe(before);
  });

  it("a tampered build is refused before anything is sent (exit 1, the file's problem printed)", async () => {
    const dir = buildDir("tampered", numberedRelease(3));
    writeFileSync(join(dir, "switchyard.json"), releaseText(numberedRelease(3)).replace("release 3", "release 33"));
    const result = await cli(["push", dir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("hash_mismatch");
  });

  it("a wrong token → exit 1 naming the variable, never the token", async () => {
    const wrong = "sk-wrong-admin-token-0099";
    const result = await cli(["status"], { SWITCHYARD_ADMIN_TOKEN: wrong });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("[401 invalid_admin_token]");
    expect(result.stderr).toContain("SWITCHYARD_ADMIN_TOKEN");
    expect(result.stderr + result.stdout).not.toContain(wrong);
    const other = await cli(["status", "--token-env", "OPS_ADMIN_TOKEN"], { OPS_ADMIN_TOKEN: ADMIN_TOKEN, SWITCHYARD_ADMIN_TOKEN: "" });
    expect(other.code).toBe(0);
  });

  it("usage errors exit 2: no token, a token given as --token-env, bad URL, unknown action, missing hash", async () => {
    const noToken = await cli(["status"], { SWITCHYARD_ADMIN_TOKEN: "" });
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toContain("SWITCHYARD_ADMIN_TOKEN is not set");
    expect(noToken.stderr).not.toMatch(STACK);
    // The rest in-process (same code path, no process start each).
    const tokenAsFlag = await inProcess(["status", "--token-env", "s3cr3t-t0ken-value"]);
    expect(tokenAsFlag.code).toBe(2);
    expect(tokenAsFlag.stderr).not.toContain("s3cr3t-t0ken-value");
    expect((await inProcess(["status", "--router", "ftp://x"])).code).toBe(2);
    expect((await inProcess(["status", "--router", "http://user:pw@x"])).stderr).not.toContain("pw@");
    expect((await inProcess(["status"], { SWITCHYARD_ROUTER_URL: "" })).stderr).toContain("--router URL");
    const unknown = await inProcess(["promote"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown action "promote"; use one of push, activate, rollback, status');
    expect((await inProcess(["activate"])).code).toBe(2);
    expect((await inProcess(["activate", "xyz"])).stderr).toContain("is not a release hash");
    expect((await inProcess(["push"])).stderr).toContain("give the build to push");
    expect((await inProcess(["status", "--activate"])).stderr).toContain("--activate goes with push");
    expect((await inProcess(["status", "--limit", "0"])).code).toBe(2);
  });

  it("an unreachable router → exit 1 with a clear message", async () => {
    const gone = await startTestRouter(boot);
    const url = gone.url;
    await gone.close();
    const result = await cli(["status", "--router", url]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(`cannot reach the router at ${url.replace(/[.]/g, "\\.")}: ECONNREFUSED \\(is the router running\\? check --router\\) \\[unreachable\\]`),
    );
    expect(result.stderr).not.toMatch(STACK);
  });
});
