/**
 * @module The repository's lint and format, as part of the test run (so `.ci/run`'s closing line counts them):
 * ESLint with typescript-eslint's type-aware rules (eslint.config.js) must report nothing, and Prettier
 * (.prettierrc.json, .prettierignore) must find every file formatted. Each failure lists what to fix.
 */
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");

describe("lint", () => {
  // One TypeScript program for ~400 files: tens of seconds of CPU, more on a busy machine.
  it("eslint (type-aware) reports nothing", { timeout: 300_000 }, async () => {
    const started = Date.now();
    const eslint = new ESLint({ cwd: ROOT });
    const results = await eslint.lintFiles(["."]);
    const findings = results.flatMap((r) =>
      r.messages.map((m) => `${path.relative(ROOT, r.filePath)}:${m.line}:${m.column} ${m.ruleId ?? "(parse)"} ${m.message}`),
    );
    console.log(`eslint: ${results.length} files in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    expect(findings.join("\n")).toBe("");
    // A config that matched nothing would pass the line above: every source tree must have been linted.
    const linted = results.map((r) => path.relative(ROOT, r.filePath));
    for (const tree of ["packages/router/src/", "packages/compiler/src/", "packages/cli/src/", "policies/src/", "test/", "scripts/", "examples/"]) {
      expect(
        linted.some((file) => file.startsWith(tree)),
        tree,
      ).toBe(true);
    }
    expect(linted.length).toBeGreaterThan(300);
  });

  it("prettier finds every file formatted", { timeout: 120_000 }, () => {
    const prettier = createRequire(import.meta.url).resolve("prettier/bin/prettier.cjs");
    // --list-different prints one unformatted file per line; `pnpm format` rewrites them.
    const run = spawnSync(process.execPath, [prettier, "--list-different", "."], { cwd: ROOT, encoding: "utf8" });
    expect(run.stderr).toBe("");
    expect(run.stdout, "unformatted files (run `pnpm format`)").toBe("");
    expect(run.status).toBe(0);
  });
});
