/** @module policy-robustness.test — Policies under a time limit, console output forwarded, and policies skipped (and counted) after earlier errors. */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compile, formatDiagnostics, type ConsoleLine } from "@switchyard/compiler";
import { fixtures } from "./helpers.ts";

const dir = join(fixtures, "policy-robustness");
const file = join(dir, "routes.ts");
const summary = (diagnostics: { code: string; severity: string; line: number }[]) => diagnostics.map((d) => `${d.severity} ${d.code}@${d.line}`);

describe("policy robustness", () => {
  it("a policy that never finishes is stopped at the time limit and reported naming it; its sibling still runs", async () => {
    const started = Date.now();
    const result = await compile({ file, env: "loops", policyTimeLimitMs: 200 });
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(summary(result.diagnostics)).toEqual(["warning loopy/fine@11", "error loopy/forever@14"]);
    expect(result.diagnostics[1]?.message).toBe("policy loopy/forever crashed: did not finish within 200 ms (an endless loop?)");
    expect(result.ok).toBe(false);
  });

  it("a user pack whose top level never finishes is SY0802 at its selection, not a hang", async () => {
    const result = await compile({ file, env: "loops-on-load", policyTimeLimitMs: 200 });
    expect(summary(result.diagnostics)).toEqual(["error SY0802@15"]);
    expect(result.diagnostics[0]?.message).toBe(
      'policy pack "./looping-load-pack.ts" could not be loaded: its top level did not finish within 200 ms (an endless loop?)',
    );
  });

  it("console output of routes.ts and of a user pack reaches onConsole, naming the file that printed it", async () => {
    const lines: ConsoleLine[] = [];
    const result = await compile({ file, env: "logs", onConsole: (line) => lines.push(line) });
    expect(result.ok).toBe(true);
    expect(lines).toEqual([
      { stream: "stdout", text: "evaluating routes.ts", source: file },
      { stream: "stdout", text: "loading the logging pack", source: join(dir, "logging-pack.ts") },
      { stream: "stdout", text: "checking 1 route(s)", source: join(dir, "logging-pack.ts") },
      { stream: "stderr", text: "a warning from a policy", source: join(dir, "logging-pack.ts") },
    ]);
  });

  it("policies do not run over a config with errors, and the summary counts them in every format", async () => {
    const broken = join(dir, "with-errors.ts");
    const prod = await compile({ file: broken, env: "prod" });
    expect(summary(prod.diagnostics)).toEqual(["error SY0304@8"]);
    // baseline's 6 policies, prod-safety's 8 less the one turned off, and the user pack by name.
    const note = "17 policies (baseline, prod-safety) and the policies of ./logging-pack.ts were not run because of earlier errors; fix those and check again.";
    expect(prod.notes).toEqual([note]);
    const notes = prod.notes ?? [];
    expect(formatDiagnostics(prod.diagnostics, "pretty", { notes })).toContain(`Found 1 error in ${broken}.\nnote: ${note}\n`);
    expect((JSON.parse(formatDiagnostics(prod.diagnostics, "json", { notes })) as { notes: string[] }).notes).toEqual([note]);
    expect(formatDiagnostics(prod.diagnostics, "github", { notes })).toContain(`::notice title=switchyard::${note}`);
    const sarif = JSON.parse(formatDiagnostics(prod.diagnostics, "sarif", { notes })) as {
      runs: { invocations: { toolExecutionNotifications: { message: { text: string } }[] }[] }[];
    };
    expect(sarif.runs[0]?.invocations[0]?.toolExecutionNotifications[0]?.message.text).toBe(note);
    // Without an environment the base selection applies.
    expect((await compile({ file: broken })).notes).toEqual(["9 policies (baseline) were not run because of earlier errors; fix those and check again."]);
  });

  it("no note when no policies are selected or the config is clean", async () => {
    expect((await compile({ file, env: "logs" })).notes).toBeUndefined();
    expect((await compile({ file: join(fixtures, "semantic", "weights.ts") })).notes).toBeUndefined();
  });
});
