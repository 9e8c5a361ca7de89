/** @module mask.test — which strings are key-shaped, and how they are masked (length kept, prefix and last 4 shown, never 9+ key characters in a row). */
import { describe, expect, it } from "vitest";
import { isKeyShaped, maskDiagnostic, maskKey, maskLiterals, maskSecrets } from "./mask.ts";

const KEY = "sk-proj-Q7vXk2LmP9rT4wZb8NcY3hJd6FgS1aEuR0tKo5Vi";

describe("maskSecrets", () => {
  it("masks vendor keys keeping their prefix, length and last 4 characters", () => {
    expect(maskKey(KEY)).toBe(`sk-proj-${"*".repeat(KEY.length - 12)}o5Vi`);
    expect(maskKey("sk-abcdefgh12")).toBe("sk-**********");
    expect(maskSecrets(`apiKey: secret("${KEY}"), other: "ghp_abcdefghijklmnop1234567890ABCDEF"`)).toBe(
      `apiKey: secret("${maskKey(KEY)}"), other: "ghp_${"*".repeat(28)}CDEF"`,
    );
  });

  it.each([
    ["sk-proj-abcdefgh", true],
    ["AKIAIOSFODNN7EXAMPLE", true],
    ["0123456789abcdef0123456789abcdef", true],
    ["Zr4Tq8Wn2Xc6Vb0Mk3Lp7Hj1", true],
    ["claude-3-5-sonnet-20241022", false],
    ["SWITCHYARD_ADMIN_TOKEN", false],
    ["averyveryveryverylongwordwithoutdigits", false],
    ["sk-short", false],
  ])("%s key-shaped: %s", (text, shaped) => {
    expect(isKeyShaped(text)).toBe(shaped);
    expect(maskSecrets(text) === text).toBe(!shaped);
  });

  it("leaves paths, URLs, messages and model ids alone", () => {
    const text = "routes.ts:3:5 - Type '\"claude-3-5-sonnet-20241022\"' is not assignable; see https://example.com/docs/diagnostics.md#sy0702";
    expect(maskSecrets(text)).toBe(text);
  });

  it("masks the literals inside a column range whatever their shape, keeping columns", () => {
    const line = '  x: { apiKey: "hunter2", name: "keep" },';
    const masked = maskLiterals(line, 16, 25);
    expect(masked).toBe('  x: { apiKey: "*******", name: "keep" },');
    expect(masked.length).toBe(line.length);
  });

  it("masks a diagnostic's message and hint, keeping its location", () => {
    const d = {
      code: "SY0207",
      severity: "error" as const,
      message: `tier ("${KEY}")`,
      hint: `not ${KEY}`,
      file: "routes.ts",
      line: 8,
      column: 21,
      endLine: 8,
      endColumn: 26,
    };
    const masked = maskDiagnostic(d);
    expect(masked).toEqual({ ...d, message: `tier ("${maskKey(KEY)}")`, hint: `not ${maskKey(KEY)}` });
    const clean = { ...d, message: "fine", hint: "fine" };
    expect(maskDiagnostic(clean)).toBe(clean);
  });
});
