/** @module The admin API in a built router.mjs (no node_modules, no zod): the real CLI pushes, activates and rolls back against it. */
import { spawn } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { build } from "@switchyard/compiler";
import type { Release } from "@switchyard/ir";
import { type RouterProcess, spawnRouter } from "../helpers/process.ts";
import { releaseOf } from "../helpers/release.ts";
import { repoRoot } from "../compiler/helpers.ts";
import { ADMIN_TOKEN, numberedRelease, releaseText } from "../helpers/admin.ts";

const scratch = mkdtempSync(join(tmpdir(), "switchyard-admin-bundle-"));
const bin = join(repoRoot, "packages", "cli", "bin", "switchyard.mjs");
let router: RouterProcess;
let booted: string;

function buildDir(name: string, release: Release): string {
  const dir = join(scratch, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "switchyard.json"), releaseText(release));
  return dir;
}

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, "release", ...args, "--router", router.url], {
      cwd: scratch,
      env: { PATH: process.env["PATH"] ?? "", NO_COLOR: "1", SWITCHYARD_ADMIN_TOKEN: ADMIN_TOKEN },
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

beforeAll(async () => {
  const result = await build({ file: join(repoRoot, "examples", "quickstart", "routes.ts"), outDir: join(scratch, "dist") });
  if (!result.ok || result.release === undefined || result.outDir === undefined) throw new Error("quickstart did not build");
  booted = result.release.hash;
  // Only router.mjs and its assets (the admin API is one), in an empty folder: nothing to resolve from node_modules.
  const runDir = join(scratch, "run");
  mkdirSync(runDir);
  const outDir = result.outDir;
  for (const file of readdirSync(outDir).filter((name) => name === "router.mjs" || /^switchyard-[a-z-]+\.[0-9a-f]{8}\.mjs$/.test(name))) {
    copyFileSync(join(outDir, file), join(runDir, file));
  }
  router = await spawnRouter(["router.mjs", "--port", "0"], {
    cwd: runDir,
    env: { SWITCHYARD_ADMIN_TOKEN: ADMIN_TOKEN, SWITCHYARD_DEMO_KEY: "demo", SWITCHYARD_ALLOWED_UPSTREAMS: "127.0.0.1" },
  });
}, 60_000);

afterAll(async () => {
  router?.child.kill("SIGTERM");
  await router?.exited;
  rmSync(scratch, { recursive: true, force: true });
});

describe("admin API in router.mjs", () => {
  it("status, push --activate, a release the build cannot run, rollback — readyz follows", async () => {
    const status = await cli(["status"]);
    expect(status.stderr).toBe("");
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`active release ${booted}`);

    // The quickstart built without --env serves environment "default": a release goes to its own environment's routers.
    const next = numberedRelease(5, { environment: "default" });
    const pushed = await cli(["push", buildDir("five", next), "--activate"]);
    expect(pushed.code).toBe(0);
    expect(pushed.stdout).toBe(`${next.hash}\n`);
    const res = await fetch(`${router.url}/v1/chat/completions`, {
      method: "POST",
      body: JSON.stringify({ model: "chat", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-switchyard-config-version")).toBe(next.hash);
    expect(((await res.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]?.message.content).toBe("release 5");

    // The bundle carries only the mock adapter (the quickstart's only provider kind).
    const openai = releaseOf({
      environment: "default",
      providers: { up: { kind: "openai", baseUrl: "http://127.0.0.1:9/v1" } },
      models: { m: { provider: "up", name: "gpt", context: 8_000, price: { input: 0, output: 0 } } },
      routes: { chat: { model: "m" } },
    });
    const refused = await cli(["push", buildDir("openai", openai), "--activate"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("[missing_adapter]");
    const otherEnvironment = await cli(["push", buildDir("five-test", numberedRelease(5))]);
    expect(otherEnvironment.code).toBe(1);
    expect(otherEnvironment.stderr).toContain("is `test`, but this router serves environment `default`");

    const back = await cli(["rollback"]);
    expect(back.code).toBe(0);
    expect(back.stdout).toContain(`rolled back to ${booted}`);
    const ready = (await (await fetch(`${router.url}/readyz`)).json()) as { status: string; release: string };
    expect(ready).toMatchObject({ status: "ready", release: booted });
    expect(router.stderr()).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });
});
