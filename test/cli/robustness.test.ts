/** @module robustness.test — The real `switchyard` binary as a new user meets it: console output of routes.ts, unwritable output, the code cache. */
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const bin = join(root, "packages", "cli", "bin", "switchyard.mjs");
const robustness = join("test", "fixtures", "compiler", "policy-robustness");
const scratch = mkdtempSync(join(tmpdir(), "switchyard-cli-robustness-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: root,
      env: { ...process.env, NO_COLOR: "1", SWITCHYARD_DEBUG: "", ...env },
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

describe("switchyard CLI robustness (spawned)", () => {
  it("console.log in routes.ts and in a user pack goes to stderr, prefixed; --format json stdout stays one JSON document", async () => {
    const result = await run(["check", join(robustness, "routes.ts"), "--env", "logs", "--format", "json"]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ ok: true, errorCount: 0, warningCount: 0, diagnostics: [] });
    expect(result.stderr.split("\n").filter(Boolean)).toEqual([
      `[${robustness}/routes.ts] evaluating routes.ts`,
      `[${robustness}/logging-pack.ts] loading the logging pack`,
      `[${robustness}/logging-pack.ts] checking 1 route(s)`,
      `[${robustness}/logging-pack.ts] a warning from a policy`,
    ]);
    const sarif = await run(["check", join(robustness, "routes.ts"), "--format", "sarif"]);
    expect((JSON.parse(sarif.stdout) as { version: string }).version).toBe("2.1.0");
    expect(sarif.stderr).toBe(`[${robustness}/routes.ts] evaluating routes.ts\n`);
  });

  it("pretty output says how many policies were not run because of earlier errors", async () => {
    const result = await run(["check", join(robustness, "with-errors.ts"), "--env", "prod"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("error SY0304:");
    expect(result.stdout).toContain("note: 17 policies (baseline, prod-safety) and the policies of ./logging-pack.ts were not run because of earlier errors");
  });

  it("build into a folder that cannot be made → SY0010, exit 1, nothing written, no stack", async () => {
    const blocker = join(scratch, "a-file");
    writeFileSync(blocker, "");
    const result = await run(["build", "examples/quickstart/routes.ts", "--out", join(blocker, "dist")]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("error SY0010: writing the build failed: ENOTDIR");
    expect(result.stderr).toContain("Nothing was written.");
    expect(result.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });

  it("the V8 code cache: written by a first check, used by the next, same output", async () => {
    const cache = join(scratch, "code-cache");
    const first = await run(["check", "examples/quickstart/routes.ts", "--format", "json"], { SWITCHYARD_CACHE_DIR: cache });
    expect(first.code).toBe(0);
    const files = readdirSync(cache).sort();
    // TypeScript's and ts-morph's code caches (tagged with the CLI's V8 flags), and the type-check
    // thread's bundle with its source list.
    expect(files.map((name) => name.replace(/-(?:[0-9a-f]{8}-)?[0-9a-f]{32}\.(v8|cjs)$/, ".$1"))).toEqual([
      "ts-morph-common.js.v8",
      "ts-morph.js.v8",
      "typecheck-worker.cjs",
      "typecheck-worker.sources.json",
      "typescript.js.v8",
    ]);
    const second = await run(["check", "examples/quickstart/routes.ts", "--format", "json"], { SWITCHYARD_CACHE_DIR: cache });
    expect(second).toEqual(first);
    expect(readdirSync(cache).sort()).toEqual(files);
    const off = await run(["check", "examples/quickstart/routes.ts", "--format", "json"], { SWITCHYARD_CODE_CACHE: "0" });
    expect(off).toEqual(first);
  });
});
