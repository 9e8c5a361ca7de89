/** @module test-summary.test — scripts/test-summary.mjs, .ci/run's last step: the closing line added up over reports, and what failed listed just above it (CI keeps the end of the output). */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot } from "../compiler/helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "switchyard-summary-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function summary(...reports: unknown[]): { status: number; lines: string[] } {
  const files = reports.map((r, i) => {
    const file = join(dir, `r${i}.json`);
    writeFileSync(file, typeof r === "string" ? r : JSON.stringify(r));
    return file;
  });
  try {
    const out = execFileSync(process.execPath, [join(repoRoot, "scripts/test-summary.mjs"), ...files], {
      cwd: repoRoot,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
    return { status: 0, lines: out.trimEnd().split("\n") };
  } catch (error) {
    const e = error as { status: number; stdout: string };
    return { status: e.status, lines: e.stdout.trimEnd().split("\n") };
  }
}

describe("scripts/test-summary.mjs", () => {
  it("adds up passing reports into one plain line and exits 0", () => {
    const r = summary({ numPassedTests: 3, numFailedTests: 0, testResults: [] }, { numPassedTests: 2, numPendingTests: 1, testResults: [] });
    expect(r).toEqual({ status: 0, lines: ["5 passed, 0 failed, 1 skipped"] });
  });

  it("lists each failed test (file, name, first line of its message without colours) and each file that did not load, then the closing line; exits 1", () => {
    const r = summary({
      numPassedTests: 4,
      numFailedTests: 1,
      testResults: [
        {
          name: join(repoRoot, "test/a.test.ts"),
          status: "failed",
          assertionResults: [
            { status: "failed", fullName: "suite > case", failureMessages: ["\u001b[31mAssertionError: expected 1 to be 2\u001b[39m\n    at x"] },
          ],
        },
        { name: join(repoRoot, "test/b.test.ts"), status: "failed", message: "SyntaxError: bad token\nmore", assertionResults: [] },
      ],
    });
    expect(r.status).toBe(1);
    expect(r.lines.at(-1)).toBe("4 passed, 2 failed");
    expect(r.lines.slice(0, -1).join("\n")).toMatch(
      /^failed:\n {2}.*r0\.json: test\/a\.test\.ts > suite > case: AssertionError: expected 1 to be 2\n {2}.*r0\.json: test\/b\.test\.ts: the file failed to run: SyntaxError: bad token$/,
    );
  });

  it("a report that cannot be read counts as a failure", () => {
    const r = summary("{not json");
    expect(r.status).toBe(1);
    expect(r.lines.at(-1)).toBe("0 passed, 1 failed");
  });
});
