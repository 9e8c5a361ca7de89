/**
 * The real `switchyard simulate`, `switchyard traces generate` and `switchyard diff` on a temporary git repository
 * whose second commit moves support-faq from the fast tier to frontier (the scenario of issue 21): the ~20× price
 * change in both, byte-identical output on a second run, and every bad input a user can give (a malformed line, a
 * missing file, an unknown route, --strict). Every command runs as its own process.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FixtureRepo, createGitRepo, replaceOnce } from "../diff/fixture-repo.ts";
import { type CliRun as Run, switchyard } from "../helpers/switchyard-cli.ts";

const root = join(import.meta.dirname, "..", "..");

let repo: FixtureRepo;
let dir: string;
const runs: Record<string, Run> = {};

beforeAll(async () => {
  const acme = readFileSync(join(root, "examples", "acme", "routes.ts"), "utf8");
  // The PR of the worked example (docs/reviewing-changes.md), plus a slower canary: diff's details must read `every: "2h"`.
  const pr = replaceOnce(
    replaceOnce(
      acme,
      `"support-faq": { tier: "fast", optimize: "cost", fallback: ["frontier", "llama-local"]`,
      `"support-faq": { tier: "frontier", optimize: "cost", fallback: ["fast", "llama-local"]`,
    ),
    `every: "1h"`,
    `every: "2h"`,
  );
  repo = createGitRepo(
    [
      { message: "acme", files: { "routes.ts": acme } },
      { message: "support-faq on frontier", files: { "routes.ts": pr } },
    ],
    "switchyard-simulate-test-",
  );
  dir = repo.dir;

  runs.generate = await switchyard(
    dir,
    "traces",
    "generate",
    "--config",
    "HEAD~1",
    "--env",
    "prod",
    "--requests",
    "3000",
    "--seed",
    "7",
    "--long-share",
    "0",
    "--out",
    "traces.jsonl",
  );
  const lines = readFileSync(join(dir, "traces.jsonl"), "utf8").split("\n");
  // Line 3 is not JSON, line 5 names a route neither side has.
  const ghost = (lines[4] ?? "").replace(/"route":"[^"]+"/, '"route":"ghost-route"');
  writeFileSync(join(dir, "bad.jsonl"), [lines[0], lines[1], "{not json", lines[3], ghost, ...lines.slice(5)].join("\n"));

  const commands: Record<string, string[]> = {
    json: ["simulate", "HEAD~1", "HEAD", "--env", "prod", "--traces", "traces.jsonl", "--format", "json"],
    jsonAgain: ["simulate", "HEAD~1", "HEAD", "--env", "prod", "--traces", "traces.jsonl", "--format", "json"],
    markdown: ["simulate", "HEAD~1", "HEAD", "--env", "prod", "--traces", "traces.jsonl", "--format", "markdown"],
    bad: ["simulate", "HEAD~1", "routes.ts", "--env", "prod", "--traces", "bad.jsonl"],
    strict: ["simulate", "HEAD~1", "routes.ts", "--env", "prod", "--traces", "bad.jsonl", "--strict"],
    missing: ["simulate", "HEAD~1", "HEAD", "--env", "prod", "--traces", "missing.jsonl"],
    noTraces: ["simulate", "HEAD~1", "HEAD"],
    unknownRef: ["simulate", "nope", "HEAD", "--traces", "traces.jsonl"],
    diffJson: ["diff", "HEAD~1", "HEAD", "--env", "prod", "--format", "json"],
    diffMarkdown: ["diff", "HEAD~1", "HEAD", "--env", "prod", "--format", "markdown"],
  };
  // Two at a time: each run type-checks both sides; more in parallel only thrashes small machines.
  const queue = Object.entries(commands);
  const worker = async (): Promise<void> => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) runs[next[0]] = await switchyard(dir, ...next[1]);
  };
  await Promise.all([worker(), worker()]);
}, 600_000);

afterAll(() => repo.remove());

interface Group {
  id: string;
  requests: number;
  base: { usdPer1kRequests: number; mix: { key: string; share: number }[] };
  new: { usdPer1kRequests: number; mix: { key: string; share: number }[] };
}

describe("switchyard simulate", () => {
  it("generates a trace file", () => {
    expect(runs.generate?.code, runs.generate?.stderr).toBe(0);
    expect(readFileSync(join(dir, "traces.jsonl"), "utf8").trim().split("\n")).toHaveLength(3000);
  });

  it("shows support-faq moved to frontier at ~20× the $ per 1,000 requests, per route and per team", () => {
    expect(runs.json?.code, runs.json?.stderr).toBe(0);
    const report = JSON.parse(runs.json?.stdout ?? "{}") as { schemaVersion: number; routes: Group[]; teams: Group[]; traces: { replayed: number } };
    expect(report.schemaVersion).toBe(1);
    expect(report.traces.replayed).toBe(3000);
    for (const group of [report.routes.find((r) => r.id === "support-faq"), report.teams.find((t) => t.id === "support")]) {
      const ratio = (group?.new.usdPer1kRequests ?? 0) / (group?.base.usdPer1kRequests ?? 1);
      expect(ratio).toBeGreaterThan(15);
      expect(ratio).toBeLessThan(30);
      expect(group?.new.mix).toEqual([{ key: "claude", share: 1 }]);
    }
  });

  it("is deterministic: a second run prints the same bytes", () => {
    expect(runs.jsonAgain?.stdout).toBe(runs.json?.stdout);
  });

  it("prints markdown for a PR comment with a Mermaid chart of $ per 1,000 requests", () => {
    const markdown = runs.markdown?.stdout ?? "";
    expect(runs.markdown?.code).toBe(0);
    expect(markdown).toMatch(/^### Switchyard: traffic impact `HEAD~1` → `HEAD` \(env `prod`\)/);
    expect(markdown).toContain("```mermaid\nxychart-beta\n");
    expect(markdown).toMatch(/\| `support-faq` \| [\d,]+ \| \$0\.\d{4} \| \$\d+\.\d\d \| ×\d\d\.\d \|/);
    expect(markdown).toContain("<details><summary>How these figures are made</summary>");
  });

  it("names a malformed line and an unknown route with file:line, skips them and still reports", () => {
    expect(runs.bad?.code, runs.bad?.stderr).toBe(0);
    expect(runs.bad?.stderr).toContain("bad.jsonl:3: skipped: not JSON");
    expect(runs.bad?.stderr).toContain('bad.jsonl:5: warning: route "ghost-route" is in neither BASE nor NEW (1 requests, replayed as 404 on both)');
    expect(runs.bad?.stdout).toContain("1 malformed line");
    expect(runs.bad?.stdout).toContain("2,999 requests replayed from bad.jsonl");
  });

  it("stops at the first malformed line with --strict (exit 1)", () => {
    expect(runs.strict?.code).toBe(1);
    expect(runs.strict?.stderr).toContain("error: bad.jsonl:3: not JSON");
    expect(runs.strict?.stdout).toBe("");
  });

  it("refuses a missing trace file, a missing --traces and an unknown ref (exit 2), without a stack trace", () => {
    expect(runs.missing?.code).toBe(2);
    expect(runs.missing?.stderr).toContain("error: missing.jsonl: no such file");
    expect(runs.noTraces?.code).toBe(2);
    expect(runs.noTraces?.stderr).toContain("--traces FILE.jsonl is required");
    expect(runs.unknownRef?.code).toBe(2);
    expect(runs.unknownRef?.stderr).toContain('"nope" is not a commit');
    for (const run of Object.values(runs)) expect(run.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });
});

describe("switchyard diff shows the impact", () => {
  it("gives blended and worst-case $/1M and the context window of support-faq, with a schemaVersion", () => {
    expect(runs.diffJson?.code, runs.diffJson?.stderr).toBe(0);
    const report = JSON.parse(runs.diffJson?.stdout ?? "{}") as {
      schemaVersion: number;
      impact: {
        mix: { input: number; output: number };
        routes: { route: string; because: string[]; blended: { old: number; new: number }; context: { old: number; new: number } }[];
      };
    };
    expect(report.schemaVersion).toBe(1);
    expect(report.impact.mix).toEqual({ input: 3, output: 1 });
    const faq = report.impact.routes.find((r) => r.route === "support-faq");
    expect(faq?.because).toEqual(["route"]);
    // gpt-4o-mini at $0.15/$0.60 → claude-sonnet at $3/$15 per 1M, blended 3:1.
    expect(faq?.blended.old).toBeCloseTo(0.2625, 6);
    expect(faq?.blended.new).toBeCloseTo(6, 6);
    expect(faq?.context).toEqual({ old: 128_000, new: 200_000 });
    expect(report.impact.routes.map((r) => r.route)).toEqual(["support-faq"]);
  });

  it("puts the impact table and a Mermaid chart in the markdown", () => {
    const markdown = runs.diffMarkdown?.stdout ?? "";
    expect(markdown).toContain("#### Impact on routes");
    expect(markdown).toContain("| ✏️ | `support-faq` | route | $0.26 → $6.00 (×22.9) |");
    expect(markdown).toContain("128,000 → 200,000 tokens");
    expect(markdown).toContain('    x-axis ["support-faq before", "support-faq after"]');
  });

  it("lists the changed settings in the words of routes.ts, without defaults nobody wrote", () => {
    const markdown = runs.diffMarkdown?.stdout ?? "";
    expect(markdown).toContain("<details><summary>Changed settings, as written in routes.ts (3)</summary>");
    expect(markdown).toContain('| `routes.legal-review.canary.every` | changed | `"1h"` | `"2h"` |');
    expect(markdown).toContain('| `routes.support-faq.tier` | changed | `"fast"` | `"frontier"` |');
    expect(markdown).toContain('| `routes.support-faq.fallback` | changed | `["frontier", "llama-local"]` | `["fast", "llama-local"]` |');
    for (const compiled of ["everyMs", "7200000", "minRequests", "backoffMs"]) expect(markdown).not.toContain(compiled);
  });
});
