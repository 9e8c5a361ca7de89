/**
 * @module console-forwarding.test — what routes.ts prints while it is evaluated reaches stderr, prefixed
 * with its file, for every verb that compiles it: serve, demo and diff here (check/build/explain in
 * robustness.test.ts). stdout stays the verb's own output.
 */
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { runCli, type Io } from "@switchyard/cli";
import { repoRoot } from "../compiler/helpers.ts";
import { spawnRouter } from "../helpers/process.ts";

const fixture = join("test", "fixtures", "cli", "console", "routes.ts");
const printed = [`[${fixture}] evaluating the console fixture`, `[${fixture}] a line on console.error`];

async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const io: Io = { stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text), cwd: repoRoot, env: { NO_COLOR: "1" } };
  const code = await runCli({ argv, io });
  return { code, stdout, stderr };
}

describe("console output of routes.ts", () => {
  it("serve (spawned, compiling a routes.ts) forwards it to stderr before listening", async () => {
    const bin = join(repoRoot, "packages", "cli", "bin", "switchyard.mjs");
    const router = await spawnRouter([bin, "serve", fixture, "--port", "0"], { cwd: repoRoot, env: { NO_COLOR: "1" } });
    try {
      // stderr and stdout are separate pipes: the lines printed before "listening" may arrive just after it.
      await vi.waitFor(() => {
        for (const line of printed) expect(router.stderr()).toContain(`${line}\n`);
      });
      expect(router.stdout()).not.toContain("evaluating the console fixture");
    } finally {
      router.child.kill("SIGTERM");
      await router.exited;
    }
  });

  it("demo --once forwards it to stderr", async () => {
    const result = await cli(["demo", fixture, "--once", "--port", "0"]);
    expect(result.code).toBe(0);
    expect(result.stderr.split("\n").filter((l) => l.startsWith("["))).toEqual(printed);
    expect(result.stdout).not.toContain("evaluating the console fixture");
  });

  it("diff forwards both sides' output to stderr; --format json stdout stays one JSON document", async () => {
    const result = await cli(["diff", fixture, fixture, "--format", "json"]);
    expect(result.code).toBe(0);
    expect(result.stderr.split("\n").filter(Boolean)).toEqual([...printed, ...printed]);
    expect(() => JSON.parse(result.stdout) as unknown).not.toThrow();
  });
});
