/** `switchyard serve` and `switchyard demo` as real processes. */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serialiseRelease } from "@switchyard/ir";
import { spawnRouter } from "../helpers/process.ts";
import { releaseOf } from "../helpers/release.ts";

const root = path.resolve(import.meta.dirname, "../..");
const cli = ["--import", "tsx", path.join(root, "packages/cli/src/bin.ts")];
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "switchyard-serve-"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("switchyard serve", () => {
  it("serves a build directory until SIGTERM, then drains and exits 0", async () => {
    const release = releaseOf({
      environment: "dev",
      providers: { sim: { kind: "mock" } },
      models: { m: { provider: "sim", name: "mock-1", context: 8_000, price: { input: 0, output: 0 } } },
      routes: { chat: { model: "m" } },
    });
    const build = path.join(dir, "dist", "dev");
    await import("node:fs/promises").then((fs) => fs.mkdir(build, { recursive: true }));
    await writeFile(path.join(build, "switchyard.json"), serialiseRelease(release));
    const router = await spawnRouter([...cli, "serve", build, "--port", "0"], { cwd: root });
    const res = await fetch(`${router.url}/v1/chat/completions`, {
      method: "POST",
      body: JSON.stringify({ model: "chat", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-switchyard-config-version")).toBe(release.hash);
    router.child.kill("SIGTERM");
    expect(await router.exited).toBe(0);
    expect(router.stdout()).toContain("stopped");
  });

  it("rejects a missing target and a bad port as usage errors (exit 2)", () => {
    const missing = spawnSync(process.execPath, [...cli, "serve", path.join(dir, "nope")], { cwd: root, encoding: "utf8" });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain("does not exist");
    const port = spawnSync(process.execPath, [...cli, "serve", dir, "--port", "http"], { cwd: root, encoding: "utf8" });
    expect(port.status).toBe(2);
    expect(port.stderr).toContain('--port must be an integer 0..65535, got "http"');
  });

  it("compiles a routes.ts first and exits 1 with diagnostics when it has errors", async () => {
    const file = path.join(dir, "routes.ts");
    await writeFile(file, 'export default { providers: 1 } as unknown as never;\nconst x: number = "nope";\n');
    const result = spawnSync(process.execPath, [...cli, "serve", file, "--port", "0"], { cwd: root, encoding: "utf8", timeout: 60_000 });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/routes\.ts/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});

describe.runIf(existsSync(path.join(root, "examples/quickstart/routes.ts")))("switchyard demo --once", () => {
  it("builds the quickstart, serves it, shows a fallback in the x-switchyard headers and exits 0", () => {
    const result = spawnSync(process.execPath, [...cli, "demo", "--once", "--port", "0"], {
      cwd: root,
      encoding: "utf8",
      timeout: 120_000,
      env: { PATH: process.env["PATH"] ?? "" },
    });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("router.mjs");
    expect(result.stdout).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+/);
    expect(result.stdout).toContain("curl http://127.0.0.1:");
    expect(result.stdout).toContain('import OpenAI from "openai"');
    expect(result.stdout).toMatch(/x-switchyard-attempts=[2-9].*fallback/);
    expect(result.stdout).toMatch(/Streaming \(x-switchyard-model=\S+\): \S+/);
  });
});
