/** @module malformed.test — Malformed input becomes diagnostics with locations, never a stack trace or a hang. */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compile, formatDiagnostics } from "@switchyard/compiler";
import { fixtures, repoRoot } from "./helpers.ts";

const malformed = (name: string): string => join(fixtures, "malformed", name);

async function only(file: string, options: { env?: string; timeoutMs?: number } = {}) {
  const result = await compile({ file, ...options });
  expect(result.ok).toBe(false);
  const text = formatDiagnostics(result.diagnostics, "pretty");
  expect(text).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/); // no stack frames
  return result;
}

describe("malformed input", () => {
  it("syntax error → TypeScript's diagnostic with its location, not duplicated by esbuild", async () => {
    const result = await only(malformed("syntax-error.ts"));
    expect(result.diagnostics.map((d) => `${d.code}@${d.line}`)).toEqual(["TS1005@7"]);
  });

  it("missing file → SY0001", async () => {
    const result = await only(join(fixtures, "does-not-exist.ts"));
    expect(result.diagnostics.map((d) => d.code)).toEqual(["SY0001"]);
  });

  it("a file that is not a TypeScript module → SY0011, before TypeScript or esbuild see it", async () => {
    const result = await only(join(repoRoot, "README.md"));
    expect(result.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual(["SY0011 README.md is not a TypeScript module: a config is a routes.ts"]);
  });

  it("a directory instead of a file → SY0001", async () => {
    const result = await only(fixtures);
    expect(result.diagnostics.map((d) => d.code)).toEqual(["SY0001"]);
  });

  it("default export of the wrong shape → SY0002", async () => {
    const result = await only(malformed("wrong-shape.ts"));
    expect(result.diagnostics.map((d) => `${d.code}@${d.line}`)).toEqual(["SY0002@1"]);
  });

  it("no default export → SY0002", async () => {
    const result = await only(malformed("no-default.ts"));
    expect(result.diagnostics.map((d) => d.code)).toEqual(["SY0002"]);
  });

  it("a config that throws → SY0004 at the throwing line", async () => {
    const result = await only(malformed("throws.ts"));
    expect(result.diagnostics.map((d) => `${d.code}@${d.line}`)).toEqual(["SY0004@4"]);
    expect(result.diagnostics[0]?.message).toContain("config exploded");
  });

  it("an endless loop → SY0005 after the timeout", async () => {
    const started = Date.now();
    const result = await only(malformed("infinite-loop.ts"), { timeoutMs: 500 });
    expect(result.diagnostics.map((d) => d.code)).toEqual(["SY0005"]);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("a top-level await that never settles → SY0006", async () => {
    const result = await only(malformed("never-settles.ts"), { timeoutMs: 2_000 });
    expect(result.diagnostics.map((d) => d.code)).toEqual(["SY0006"]);
  });

  it("a function in the config → SY0007 at that property", async () => {
    const result = await only(malformed("function-value.ts"));
    expect(result.diagnostics.map((d) => `${d.code}@${d.line}:${d.column}`)).toEqual(["SY0007@1:57"]);
  });

  it("unknown --env → SY0003 naming the declared environments", async () => {
    const result = await only(malformed("envs.ts"), { env: "staging" });
    expect(result.diagnostics.map((d) => `${d.code}@${d.line}`)).toEqual(["SY0003@7"]);
    expect(result.diagnostics[0]?.message).toContain("dev, prod");
    expect(result.environments).toEqual(["dev", "prod"]);
  });

  it("a declared environment compiles", async () => {
    const result = await compile({ file: malformed("envs.ts"), env: "prod" });
    expect(result.ok).toBe(true);
    expect(result.release?.config.environment).toBe("prod");
  });
});
