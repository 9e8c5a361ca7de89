/**
 * @module diagnostics-fold.test — Issue 21 item 5: where TypeScript and `check` report the same span, one entry:
 * TypeScript's text with `check`'s code and hint as a note; a wrong-typed value gets no second, wrong message.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { compile, formatDiagnostics } from "@switchyard/compiler";

const scratch = mkdtempSync(join(tmpdir(), "switchyard-fold-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// A fake key, joined at run time so secret scanners reading the repository do not flag it.
const INLINE_KEY = ["sk", "proj", "Zr4Tq8Wn2Xc6Vb0Mk3Lp7Hj1Gf5Ds9Aa4Qe8Rt2Y"].join("-");
const file = join(scratch, "routes.ts");
writeFileSync(
  file,
  [
    'import { defineConfig, secret } from "@switchyard/sdk";',
    "export default defineConfig({",
    "  providers: {",
    `    openai: { kind: "openai", apiKey: "${INLINE_KEY}" },`,
    '    anthropic: { kind: "anthropic", apiKey: secret("ANTHROPIC_API_KEY") },',
    "  },",
    "  models: {",
    '    mini: { provider: "openai", name: "gpt-4o-mini", context: 128_000, price: { input: 0.15, output: 0.6 } },',
    '    claude: { provider: "anthropic", name: "claude", context: 200_000, price: { input: 3, output: 15 } },',
    "  },",
    '  tiers: { fast: { models: [{ model: "mini", weight: "70" }, "claude"] } },',
    '  routes: { chat: { tier: "fast", timeout: { firstToken: "3 sec" } } },',
    "});",
  ].join("\n"),
);

describe("one entry per mistake", () => {
  it("TypeScript's error carries check's code, message and hint as a note; restatements are dropped", async () => {
    const result = await compile({ file });
    expect(result.diagnostics.map((d) => [d.code, d.line, (d.related ?? []).map((note) => note.code)])).toEqual([
      ["TS2322", 4, ["SY0701"]],
      ["TS2322", 11, []],
      ["TS2322", 12, ["SY0103"]],
    ]);
    const [inlineKey, , duration] = result.diagnostics;
    expect(inlineKey?.related?.[0]?.hint).toMatch(/rotate it/);
    expect(duration?.related?.[0]).toMatchObject({
      message: 'routes.chat.timeout.firstToken: expected a duration such as "250ms", "3s", "5m", "1h" or a positive number of milliseconds',
      hint: 'Write durations as "3s" or as milliseconds.',
    });
    // The string weight: TypeScript's "not assignable to type 'number'", and no SY0102 "expected string, received object".
    expect(JSON.stringify(result.diagnostics)).not.toContain("received object");
  });

  it("every format shows the note; the key is masked in it", async () => {
    const result = await compile({ file });
    const pretty = formatDiagnostics(result.diagnostics, "pretty", { cwd: scratch });
    expect(pretty).toContain("  note: SY0103: routes.chat.timeout.firstToken: expected a duration");
    expect(pretty).toContain('  hint: Write durations as "3s" or as milliseconds.');
    expect(pretty).toContain("  note: SY0701: providers.openai.apiKey is a plain string");
    expect(pretty).toMatch(/Found 3 errors/);
    const github = formatDiagnostics(result.diagnostics, "github", { cwd: scratch });
    expect(github).toContain("%0Anote: SY0103: ");
    const json = JSON.parse(formatDiagnostics(result.diagnostics, "json", { cwd: scratch })) as { diagnostics: { related?: { code: string }[] }[] };
    expect(json.diagnostics[0]?.related?.[0]?.code).toBe("SY0701");
    for (const format of ["pretty", "json", "sarif", "github"] as const) {
      expect(formatDiagnostics(result.diagnostics, format, { cwd: scratch })).not.toContain(INLINE_KEY.slice(8, 20));
    }
  });
});
