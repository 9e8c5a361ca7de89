/** @module format.test — Formatters are pure functions over diagnostics; SARIF validates against the official 2.1.0 schema. */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Ajv from "ajv-draft-04";
import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../diagnostics/types.ts";
import { formatDiagnostics } from "./index.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "..");
const file = join(root, "project", "routes.ts");
const source = [
  'import { defineConfig } from "@switchyard/sdk";',
  "export default defineConfig({",
  '  routes: { faq: { tier: "fastt", fallbak: [] } },',
  "});",
].join("\n");

const diagnostics: Diagnostic[] = [
  {
    code: "TS2820",
    severity: "error",
    message: "Type '\"fastt\"' is not assignable to type '\"fast\"'.",
    file,
    line: 3,
    column: 20,
    endLine: 3,
    endColumn: 24,
  },
  {
    code: "SY0101",
    severity: "error",
    message: 'unknown property "fallbak" in routes.faq',
    file,
    line: 3,
    column: 35,
    endLine: 3,
    endColumn: 42,
    path: ["routes", "faq", "fallbak"],
    hint: 'Did you mean "fallback"?',
  },
  {
    code: "prod-safety/no-experimental",
    severity: "warning",
    message: "a, b: 100% of traffic\nsecond line",
    file,
    line: 2,
    column: 1,
    endLine: 4,
    endColumn: 3,
  },
];
const options = { cwd: join(root, "project"), sources: { [file]: source } };

describe("formatDiagnostics", () => {
  it("pretty: tsc-like header, source line, carets under the range, hint and summary", () => {
    const text = formatDiagnostics(diagnostics, "pretty", options);
    expect(text).toContain('routes.ts:3:35 - error SY0101: unknown property "fallbak" in routes.faq');
    const lines = text.split("\n");
    const header = lines.findIndex((line) => line.startsWith("routes.ts:3:35"));
    expect(lines[header + 2]).toBe(`3 ${'  routes: { faq: { tier: "fastt", fallbak: [] } },'}`);
    expect(lines[header + 3]).toBe(`  ${" ".repeat(34)}~~~~~~~`);
    expect(lines[header + 4]).toBe('  hint: Did you mean "fallback"?');
    expect(text.trimEnd().endsWith("Found 2 errors and 1 warning in routes.ts.")).toBe(true);
    expect(text).not.toContain("\u001b[");
    expect(formatDiagnostics(diagnostics, "pretty", { ...options, color: true })).toContain("\u001b[");
  });

  it("pretty: nothing for no diagnostics", () => {
    expect(formatDiagnostics([], "pretty")).toBe("");
  });

  it("json: counts and relative paths", () => {
    const parsed = JSON.parse(formatDiagnostics(diagnostics, "json", options)) as {
      ok: boolean;
      errorCount: number;
      warningCount: number;
      diagnostics: { file: string; code: string }[];
    };
    expect(parsed).toMatchObject({ ok: false, errorCount: 2, warningCount: 1 });
    expect(parsed.diagnostics.map((d) => d.file)).toEqual(["routes.ts", "routes.ts", "routes.ts"]);
  });

  it("github: one escaped workflow command per diagnostic", () => {
    const lines = formatDiagnostics(diagnostics, "github", options).trimEnd().split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[1]).toBe(
      '::error file=routes.ts,line=3,col=35,endLine=3,endColumn=42,title=SY0101::unknown property "fallbak" in routes.faq%0ADid you mean "fallback"?',
    );
    expect(lines[2]).toBe(
      "::warning file=routes.ts,line=2,col=1,endLine=4,endColumn=3,title=prod-safety/no-experimental::a, b: 100%25 of traffic%0Asecond line",
    );
  });

  it("sarif: valid SARIF 2.1.0 (official schema), one rule per code, relative URIs", () => {
    const schema = JSON.parse(readFileSync(join(root, "test", "fixtures", "compiler", "sarif-2.1.0-rtm.5.json"), "utf8")) as object;
    const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false, unicodeRegExp: false });
    const validate = ajv.compile(schema);
    expect(validate({ version: "2.0.0", runs: [] })).toBe(false); // the schema really constrains
    const waived = [
      { finding: { ...diagnostics[2]!, code: "baseline/multi-provider", severity: "error" as const }, reason: "EU-only data", until: "2099-12-31" },
    ];
    for (const [input, extra] of [
      [diagnostics, {}],
      [[], {}],
      [diagnostics, { waived, warnings: ["no policy packs are selected for environment dev, so no policies ran"] as string[], notes: ["a note"] as string[] }],
    ] as const) {
      const log = JSON.parse(formatDiagnostics([...input], "sarif", { ...options, ...extra, toolVersion: "0.1.0" })) as unknown;
      const valid = validate(log);
      expect(validate.errors ?? []).toEqual([]);
      expect(valid).toBe(true);
    }
    const log = JSON.parse(formatDiagnostics(diagnostics, "sarif", options)) as {
      runs: {
        tool: { driver: { rules: { id: string }[] } };
        results: { ruleId: string; level: string; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[];
      }[];
    };
    const run = log.runs[0];
    expect(run?.tool.driver.rules.map((rule) => rule.id)).toEqual(["TS2820", "SY0101", "prod-safety/no-experimental"]);
    expect(run?.results.map((result) => result.level)).toEqual(["error", "error", "warning"]);
    expect(run?.results[0]?.locations[0]?.physicalLocation.artifactLocation.uri).toBe("routes.ts");
  });
});
