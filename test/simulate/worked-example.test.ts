/**
 * docs/reviewing-changes.md#worked-example runs as written: its commands, from a folder where `examples/` is the
 * repository's, print the excerpt the page shows, line for line.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");
const bin = join(root, "packages", "cli", "src", "bin.ts");
const tsx = pathToFileURL(join(root, "node_modules", "tsx", "dist", "loader.mjs")).href;
const page = readFileSync(join(root, "docs", "reviewing-changes.md"), "utf8");
const section = page.slice(page.indexOf("### Worked example"), page.indexOf("## In CI"));
const commands = (/```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? "").trim().split("\n");
const excerpt = (/```text\n([\s\S]*?)```/.exec(section)?.[1] ?? "").split("\n").filter((line) => line.trim() !== "");

function run(cwd: string, line: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const args = line.split(/\s+/).slice(1);
  return new Promise((done) => {
    execFile(process.execPath, ["--import", tsx, bin, ...args], { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } }, (error, stdout, stderr) =>
      done({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout, stderr }),
    );
  });
}

let dir: string;
const outputs: { code: number; stdout: string; stderr: string }[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "switchyard-worked-example-"));
  symlinkSync(join(root, "examples"), join(dir, "examples"), "dir");
  for (const line of commands) outputs.push(await run(dir, line));
}, 300_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the worked example of docs/reviewing-changes.md", () => {
  it("is three switchyard commands: generate, diff, simulate", () => {
    expect(commands.map((line) => line.split(" ").slice(0, 2).join(" "))).toEqual(["switchyard traces", "switchyard diff", "switchyard simulate"]);
    expect(excerpt.length).toBeGreaterThan(10);
  });

  it("runs, and diff prices the move at ×22.9 per token", () => {
    for (const output of outputs) expect(output.code, output.stderr).toBe(0);
    expect(outputs[1]?.stdout).toContain("blended $0.26 → $6.00 (×22.9)");
  });

  it("prints the excerpt the page shows", () => {
    const printed = new Set((outputs[2]?.stdout ?? "").split("\n"));
    for (const line of excerpt) expect(printed.has(line), line).toBe(true);
  });
});
