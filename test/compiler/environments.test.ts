/**
 * @module environments.test — Issue 21: waivers declared in routes.ts, environments declared production (not
 * named so), `--env default`, a warning when no policy ran, deep-partial overrides, and `check --all-envs`.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compile, formatDiagnostics } from "@switchyard/compiler";
import { explain } from "../../packages/cli/src/commands/explain.ts";
import { fixtures, repoRoot } from "./helpers.ts";

const file = join(fixtures, "environments", "routes.ts");
const now = new Date("2026-06-01T12:00:00Z");
const summary = (diagnostics: { code: string; line: number }[]) => diagnostics.map((d) => `${d.code}@${d.line}`);

describe("waivers", () => {
  it("suppress a finding of the waived policy on that node, listed with the reason; an expired waiver is an error at its date", async () => {
    const result = await compile({ file, env: "live", now });
    expect(summary(result.diagnostics)).toEqual(["SY0803@29"]);
    expect(result.diagnostics[0]).toMatchObject({
      severity: "error",
      message:
        'the waiver of baseline/fallback-required on route chat expired on 2026-01-31 ("was needed before the EU fallback existed"), so the policy applies again',
      column: 115,
    });
    expect(result.waived).toEqual([
      {
        finding: expect.objectContaining({ code: "baseline/multi-provider", line: 15, path: ["routes", "legal-review"] }) as unknown,
        reason: "EU-only confidential data: one approved provider (DPA-114)",
        until: "2099-12-31",
      },
    ]);
    const pretty = formatDiagnostics(result.diagnostics, "pretty", { cwd: repoRoot, waived: result.waived });
    expect(pretty).toContain(
      "waived: baseline/multi-provider at test/fixtures/compiler/environments/routes.ts:15:5 waived until 2099-12-31: EU-only confidential data: one approved provider (DPA-114)",
    );
    expect(pretty).toContain("Found 1 error in");
  });

  it("are SARIF results with an in-source suppression carrying the justification", async () => {
    const result = await compile({ file, env: "live", now });
    const log = JSON.parse(formatDiagnostics(result.diagnostics, "sarif", { cwd: repoRoot, waived: result.waived })) as {
      runs: { results: { ruleId: string; suppressions?: { kind: string; justification: string }[] }[] }[];
    };
    const results = log.runs[0]?.results ?? [];
    expect(results.map((r) => [r.ruleId, r.suppressions?.[0]?.kind ?? null])).toEqual([
      ["SY0803", null],
      ["baseline/multi-provider", "inSource"],
    ]);
    expect(results[1]?.suppressions?.[0]?.justification).toBe("EU-only confidential data: one approved provider (DPA-114) (waived until 2099-12-31)");
  });

  it("a waiver whose id no selected pack has is SY0804 with a suggestion, and waives nothing", async () => {
    const result = await compile({ file, env: "typo", now });
    expect(summary(result.diagnostics)).toEqual(["SY0803@29", "baseline/multi-provider@45", "SY0804@45"]);
    expect(result.diagnostics[2]?.hint).toBe('Did you mean "baseline/multi-provider"?');
    expect(result.waived).toBeUndefined();
  });
});

describe("production is declared, not named", () => {
  it("an environment named like production without `production` is flagged; a declared one is not", async () => {
    const prod = await compile({ file, env: "prod", now });
    expect(summary(prod.diagnostics)).toEqual(["SY0803@29", "baseline/production-declared@43"]);
    const live = await compile({ file, env: "live", now });
    expect(live.release?.config.production).toBe(true);
    expect(live.diagnostics.map((d) => d.code)).not.toContain("baseline/production-declared");
  });

  it("explain treats an environment declared production like prod: the preview model is excluded, not planned first", async () => {
    const plan = async (env: string) => {
      const compiled = await compile({ file, env, now });
      const config = compiled.release!.config;
      const { decision } = explain({ config, route: "chat", team: "support", now: now.getTime() });
      return decision.ok ? decision.plan.candidates.map((c) => c.model) : [];
    };
    expect((await plan("live"))[0]).toBe("claude");
    expect(await plan("live")).not.toContain("claude-next");
    expect((await plan("staging"))[0]).toBe("claude-next");
  });
});

describe("environments", () => {
  it("--env default is the view without overrides, as the output calls it", async () => {
    const named = await compile({ file, env: "default", now });
    const none = await compile({ file, now });
    expect(named.diagnostics.map((d) => d.code)).not.toContain("SY0003");
    expect(named.release?.hash).toBe(none.release?.hash);
    expect(named.release?.config.environment).toBe("default");
  });

  it("an environment that selects no policy pack gets a warning that none ran", async () => {
    const dev = await compile({ file, env: "dev", now });
    expect(dev.warnings).toEqual([
      'no policy packs are selected for environment dev, so no policies ran; select them with `policies: ["baseline"]` (top level) or under environments.<name>.policies (docs/policies.md)',
    ]);
    const pretty = formatDiagnostics(dev.diagnostics, "pretty", { warnings: dev.warnings });
    expect(pretty).toContain("warning: no policy packs are selected for environment dev");
    const sarif = JSON.parse(formatDiagnostics([], "sarif", { warnings: dev.warnings })) as {
      runs: { invocations: { toolExecutionNotifications: { level: string }[] }[] }[];
    };
    expect(sarif.runs[0]?.invocations[0]?.toolExecutionNotifications[0]?.level).toBe("warning");
  });

  it("overrides merge deeply: a canary's steps and a model's input price change, the rest is kept; arrays replace", async () => {
    const staging = (await compile({ file, env: "staging", now })).release!.config;
    expect(staging.routes.chat?.canary).toMatchObject({ model: "claude", steps: [10, 50, 100], everyMs: 3_600_000 });
    expect(staging.models["big-eu"]?.price).toEqual({ input: 12, output: 10 });
  });
});

describe("switchyard check --all-envs", () => {
  const run = (args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [join(repoRoot, "packages", "cli", "bin", "switchyard.mjs"), ...args], {
        cwd: repoRoot,
        env: { ...process.env, NO_COLOR: "1" },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      child.on("error", reject);
      child.on("close", (code) => resolve({ code, stdout, stderr }));
    });

  it("checks every declared environment, reports each finding once naming its environments, and fails if any fails", async () => {
    const result = await run(["check", file, "--all-envs", "--format", "json"]);
    expect(result.code, result.stderr).toBe(1);
    const body = JSON.parse(result.stdout) as { ok: boolean; environments: { environment: string; ok: boolean; diagnostics: { code: string }[] }[] };
    expect(body.ok).toBe(false);
    expect(body.environments.map((e) => e.environment)).toEqual(["dev", "staging", "live", "prod", "typo"]);
    expect(body.environments.find((e) => e.environment === "prod")?.diagnostics.map((d) => d.code)).toContain("baseline/production-declared");

    const github = await run(["check", file, "--all-envs", "--format", "github"]);
    const lines = github.stdout.trimEnd().split("\n");
    expect(lines.filter((line) => line.includes("title=SY0803") && line.includes("line=29,"))).toHaveLength(1);
    expect(lines.find((line) => line.includes("title=baseline/production-declared"))).toMatch(/\[environment prod\]$/);
  }, 60_000);
});
