/** @module typecheck-thread.test — TypeScript checks on its own thread while evaluation, validation and built-in policies run; the results are those of a sequential check. */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compile } from "@switchyard/compiler";
import { fixtures, repoRoot } from "./helpers.ts";

const dir = join(fixtures, "typecheck-thread");
const summary = (diagnostics: { code: string; severity: string; line: number }[]) => diagnostics.map((d) => `${d.severity} ${d.code}@${d.line}`);

describe("the type-check thread", () => {
  it("a TypeScript error drops the findings of the built-in packs that ran meanwhile, and the note counts them", async () => {
    const result = await compile({ file: join(dir, "type-error.ts") });
    expect(summary(result.diagnostics)).toEqual(["error TS2322@3"]);
    expect(result.notes).toEqual(["9 policies (baseline) were not run because of earlier errors; fix those and check again."]);
    expect(result.ok).toBe(false);
  });

  it("without TypeScript errors the same packs report, located in routes.ts", async () => {
    const result = await compile({ file: join(dir, "clean.ts") });
    const codes = result.diagnostics.map((d) => d.code);
    expect(codes).toContain("baseline/fallback-required");
    expect(result.diagnostics.every((d) => d.file === join(dir, "clean.ts") && d.line >= 3)).toBe(true);
    expect(result.notes).toBeUndefined();
  });

  it("two compiles in one process, then the process exits by itself: the idle thread does not hold it open", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", join(dir, "compile-twice.ts")], { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    clearTimeout(timer);
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    expect(stdout.split("\n")[1]).toBe("type-error.ts TS2322@3");
    expect(stdout).toMatch(/^clean\.ts .*baseline\/fallback-required@/);
  });
});
