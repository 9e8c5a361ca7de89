/**
 * docs/reviewing-changes.md#worked-example runs as written: the pull request is examples/acme/routes.ts with the
 * page's one-line diff applied (`pr/routes.ts`), and the page's commands, from a folder where `examples/` is the
 * repository's, print the excerpt the page shows, line for line.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliRun, switchyard } from "../helpers/switchyard-cli.ts";

const root = join(import.meta.dirname, "..", "..");
const page = readFileSync(join(root, "docs", "reviewing-changes.md"), "utf8");
const section = page.slice(page.indexOf("### Worked example"), page.indexOf("## In CI"));
const commands = (/```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? "").trim().split("\n");
const excerpt = (/```text\n([\s\S]*?)```/.exec(section)?.[1] ?? "").split("\n").filter((line) => line.trim() !== "");
const edit = (/```diff\n([\s\S]*?)```/.exec(section)?.[1] ?? "").trim().split("\n");

/** examples/acme/routes.ts with the page's diff applied: its one `-` line, found exactly once, becomes the `+` line. */
function pullRequest(): string {
  const acme = readFileSync(join(root, "examples", "acme", "routes.ts"), "utf8");
  const [removed, added] = edit;
  if (edit.length !== 2 || !removed?.startsWith("-") || !added?.startsWith("+")) throw new Error("the page's diff is not one changed line");
  const before = removed.slice(1);
  if (acme.split(before).length !== 2) throw new Error(`examples/acme/routes.ts does not have the line the page's diff changes once: ${before}`);
  return acme.replace(before, added.slice(1));
}

/** One documented command line (`switchyard …`), run as a process in `cwd`. */
const run = (cwd: string, line: string): Promise<CliRun> => switchyard(cwd, ...line.split(/\s+/).slice(1));

let dir: string;
const outputs: CliRun[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "switchyard-worked-example-"));
  symlinkSync(join(root, "examples"), join(dir, "examples"), "dir");
  mkdirSync(join(dir, "pr"));
  writeFileSync(join(dir, "pr", "routes.ts"), pullRequest());
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
