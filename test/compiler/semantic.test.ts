/** @module semantic.test — Each semantic check has a failing fixture; its diagnostics (code and line) must be exactly the marked ones. */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compile, formatDiagnostics } from "@switchyard/compiler";
import { byPosition, expectationsOf, fixtures } from "./helpers.ts";

const directory = join(fixtures, "semantic");
const files = readdirSync(directory)
  .filter((name) => name.endsWith(".ts"))
  .sort();

describe("semantic checks", () => {
  it("has a fixture per check", () => {
    expect(files.length).toBeGreaterThanOrEqual(15);
  });

  for (const name of files) {
    it(`${name}: reports exactly the marked diagnostics`, async () => {
      const file = join(directory, name);
      const { expected, env } = expectationsOf(file);
      expect(expected.length).toBeGreaterThan(0);
      const result = await compile({ file, ...(env === undefined ? {} : { env }) });
      const actual = result.diagnostics.map((d) => ({ code: d.code, line: d.line })).sort(byPosition);
      expect(actual).toEqual([...expected].sort(byPosition));
      expect(result.ok).toBe(false);
      for (const diagnostic of result.diagnostics) {
        expect(diagnostic.file).toBe(file);
        expect(diagnostic.column).toBeGreaterThan(0);
        expect(diagnostic.message.length).toBeGreaterThan(0);
      }
    });
  }

  it("never echoes an inline secret's value, in any format", async () => {
    const file = join(directory, "secrets.ts");
    const result = await compile({ file });
    for (const format of ["pretty", "json", "sarif", "github"] as const) {
      const text = formatDiagnostics(result.diagnostics, format, { sources: { [file]: "" } });
      expect(text).not.toContain("DO-NOT-ECHO");
    }
    expect(JSON.stringify(result)).not.toContain("DO-NOT-ECHO");
  });

  it("reports overrides against the override's line for the chosen environment", async () => {
    const file = join(directory, "duplicates.ts");
    const base = await compile({ file });
    expect(base.ok).toBe(true);
    const prod = await compile({ file, env: "prod" });
    expect(prod.diagnostics.map((d) => d.code)).toEqual(["SY0502"]);
  });
});
