/** @module cli.test — The real `switchyard` binary: help, exit codes 0/1/2, formats, build, and no stack traces. */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const bin = join(root, "packages", "cli", "bin", "switchyard.mjs");
const fixtures = join(root, "test", "fixtures", "compiler");
const scratch = mkdtempSync(join(tmpdir(), "switchyard-cli-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: options.cwd ?? root,
      env: { ...process.env, NO_COLOR: "1", SWITCHYARD_DEBUG: "", ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const STACK = /\n\s+at .+:\d+:\d+\)?/;

describe("switchyard CLI (spawned)", () => {
  it("--help lists the verbs; --version prints the version", async () => {
    const help = await run(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("check");
    expect(help.stdout).toContain("build");
    const version = await run(["--version"]);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("unknown verb → exit 2 with a suggestion", async () => {
    const result = await run(["chek"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Did you mean `switchyard check`?");
  });

  it("unknown flag or format → exit 2 (usage)", async () => {
    expect((await run(["check", "--fromat", "json"])).code).toBe(2);
    const format = await run(["check", "examples/quickstart/routes.ts", "--format", "xml"]);
    expect(format.code).toBe(2);
    expect(format.stderr).toContain("pretty, json, sarif, github");
  });

  it("check on a clean config → exit 0", async () => {
    const result = await run(["check", "examples/quickstart/routes.ts"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("no problems");
  });

  it("check with errors → exit 1 and tsc-like output with a caret", async () => {
    const result = await run(["check", join(fixtures, "misspellings.ts")]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("test/fixtures/compiler/misspellings.ts:18:27 - error SY0101:");
    expect(result.stdout).toContain("~~~~~~~");
    expect(result.stdout).toContain("Found 8 errors");
  });

  it("build writes dist/<env>/ and exit 0; on errors writes nothing and exit 1", async () => {
    const out = join(scratch, "dist");
    const ok = await run(["build", "examples/quickstart/routes.ts", "--out", out]);
    expect(ok.code).toBe(0);
    expect(existsSync(join(out, "default", "switchyard.json"))).toBe(true);
    expect(existsSync(join(out, "default", "manifest.json"))).toBe(true);
    const bad = await run(["build", join(fixtures, "semantic", "weights.ts"), "--out", join(scratch, "bad")]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("Nothing was written.");
    expect(existsSync(join(scratch, "bad"))).toBe(false);
  });
});
