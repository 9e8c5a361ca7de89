/** @module secret-masking.test — `switchyard check` never prints a key pasted into routes.ts, in any format; the location and the "rotate it" hint stay. */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const bin = join(root, "packages", "cli", "bin", "switchyard.mjs");
const scratch = mkdtempSync(join(tmpdir(), "switchyard-mask-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// 40 random-looking characters after each prefix, as real keys have (joined at run time, so secret scanners
// reading the repository do not take these fakes for leaked keys).
const PROJECT_KEY = ["sk", "proj", "Q7vXk2LmP9rT4wZb8NcY3hJd6FgS1aEuR0tKo5Vi"].join("-");
const INLINE_KEY = ["sk", "Zr4Tq8Wn2Xc6Vb0Mk3Lp7Hj1Gf5Ds9Aa4Qe8Rt2Yu6I"].join("-");
const source = [
  'import { defineConfig, secret } from "@switchyard/sdk";',
  "export default defineConfig({",
  "  providers: {",
  `    openai: { kind: "openai", apiKey: secret("${PROJECT_KEY}") },`,
  `    other: { kind: "openai", apiKey: "${INLINE_KEY}" },`,
  "  },",
  '  models: { mini: { provider: "openai", name: "gpt-4o-mini", context: 128_000, price: { input: 0.15, output: 0.6 } } },',
  // TypeScript quotes this literal in its message: the message text is masked too.
  `  routes: { chat: { model: "mini", tier: "${PROJECT_KEY}" } },`,
  "});",
].join("\n");
const file = join(scratch, "routes.ts");
writeFileSync(file, source);

function check(format: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, "check", "routes.ts", "--format", format], {
      cwd: scratch,
      env: { ...process.env, NO_COLOR: "1", SWITCHYARD_DEBUG: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, out }));
  });
}

/** Every substring of `key` of `length` characters. */
function pieces(key: string, length: number): string[] {
  return Array.from({ length: key.length - length + 1 }, (_, i) => key.slice(i, i + length));
}

/** How each format writes a location. */
const LOCATIONS: Record<string, (line: number, column: number) => RegExp> = {
  pretty: (line, column) => new RegExp(`^routes\\.ts:${line}:${column} - error`, "m"),
  json: (line, column) => new RegExp(`"line": ${line},\\s*"column": ${column},`),
  sarif: (line, column) => new RegExp(`"startLine": ${line},\\s*"startColumn": ${column},`),
  github: (line, column) => new RegExp(`file=routes\\.ts,line=${line},col=${column},`),
};

describe("switchyard check masks key-shaped literals (spawned CLI)", () => {
  it.each(Object.keys(LOCATIONS))("%s: no 12-character piece of either key; locations and the rotate hint stay", async (format) => {
    const { code, out } = await check(format);
    expect(code).toBe(1);
    for (const key of [PROJECT_KEY, INLINE_KEY]) for (const piece of pieces(key, 12)) expect(out, `${format} leaks ${piece}`).not.toContain(piece);
    const locate = LOCATIONS[format] as (line: number, column: number) => RegExp;
    expect(out).toMatch(locate(4, 39)); // SY0702 secret("sk-proj-…")
    expect(out).toMatch(locate(5, 30)); // TypeScript's TS2322 at apiKey: "sk-…", with SY0701 and its "rotate it" folded in as a note
    expect(out).toContain("SY0701");
    expect(out).toContain("SY0702");
    expect(out.match(/rotate it/g)?.length).toBe(2); // one hint each for SY0701 and SY0702
    expect(out).toContain("sk-proj-*");
    if (format === "pretty") expect(out).toContain(`apiKey: secret("sk-proj-${"*".repeat(PROJECT_KEY.length - 12)}${PROJECT_KEY.slice(-4)}")`);
  });
});
