/**
 * @module End to end: real routes.ts fixtures compiled by `compile()` (type-check, evaluate,
 * validate, policies); each finding asserted by policy id, severity per environment, and the exact
 * line and column of the node in routes.ts.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { compile } from "@switchyard/compiler";

const fixtures = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "policies");
const now = new Date("2026-06-01T12:00:00Z");

interface Located {
  code: string;
  line: number;
  column: number;
  /** The source text the diagnostic starts at, so each row says what it points at. */
  at: string;
}

async function check(fixture: string, env: string) {
  const file = join(fixtures, fixture, "routes.ts");
  const result = await compile({ file, env, now });
  const lines = readFileSync(file, "utf8").split("\n");
  return {
    result,
    /** Every diagnostic as `severity code @line:column`, in the compiler's order. */
    summary: result.diagnostics.map((d) => `${d.severity} ${d.code} @${d.line}:${d.column}`),
    textAt: (line: number, column: number) => (lines[line - 1] ?? "").slice(column - 1),
  };
}

describe("residency across the whole chain", () => {
  it("only the THIRD fallback step leaves the EU → one error at that step's line and column (prod)", async () => {
    const { result, summary, textAt } = await check("eu-chain", "prod");
    expect(summary).toEqual(["error eu-residency/eu-providers-only @23:9"]);
    expect(textAt(23, 9)).toMatch(/^"mini-us",/);
    expect(result.diagnostics[0]).toMatchObject({ endLine: 23, endColumn: 18, path: ["routes", "legal", "fallback", 2] });
    expect(result.diagnostics[0]?.message).toBe(
      "route legal must stay in the EU (residency eu) but fallback step 3 reaches model mini-us on provider openai (residency us)",
    );
    expect(result.ok).toBe(false);
  });

  it("dev lowers it to a warning (by short name); the check passes", async () => {
    const { result, summary } = await check("eu-chain", "dev");
    expect(summary).toEqual(["warning eu-residency/eu-providers-only @23:9"]);
    expect(result.ok).toBe(true);
  });

  it("sandbox turns it off (by full id)", async () => {
    const { result, summary } = await check("eu-chain", "sandbox");
    expect(summary).toEqual([]);
    expect(result.ok).toBe(true);
  });
});

describe("every built-in policy", () => {
  it("passes on the clean fixture in prod (all four packs) and dev", async () => {
    for (const env of ["prod", "dev"]) {
      const { result, summary } = await check("clean", env);
      expect(summary, env).toEqual([]);
      expect(result.ok, env).toBe(true);
    }
  });

  // One violation per policy; `at` is what the diagnostic's start points at in routes.ts: the
  // offending property when the policy names one, else the key that declares the node.
  const violations: Located[] = [
    { code: "baseline/no-inline-secrets", line: 8, column: 45, at: '"sk-proj-' },
    { code: "prod-safety/approved-providers", line: 9, column: 5, at: "groq:" },
    { code: "baseline/deprecated-models", line: 17, column: 129, at: '"2025-01-01"' },
    { code: "baseline/owners-set", line: 19, column: 5, at: "unowned:" },
    { code: "baseline/fallback-required", line: 29, column: 5, at: "nofallback:" },
    { code: "baseline/route-has-caller", line: 29, column: 5, at: "nofallback:" },
    { code: "baseline/multi-provider", line: 30, column: 5, at: "solo:" },
    { code: "baseline/fallback-context", line: 31, column: 53, at: '"small"]' },
    { code: "prod-safety/no-experimental-models", line: 33, column: 51, at: '"next"]' },
    { code: "eu-residency/eu-providers-only", line: 34, column: 68, at: '"llama-us"]' },
    { code: "prod-safety/canary-first-step", line: 36, column: 52, at: "50, 100]" },
    { code: "prod-safety/bounded-retries", line: 37, column: 74, at: "5 }" },
    { code: "prod-safety/timeouts-set", line: 38, column: 5, at: "untimed:" },
    { code: "prod-safety/no-mock-providers", line: 39, column: 38, at: '"canned"]' },
    { code: "cost-guard/price-ceiling", line: 40, column: 21, at: '"frontier"' },
    { code: "prod-safety/cache-scope", line: 41, column: 165, at: '"route"' },
    { code: "prod-safety/team-budget", line: 45, column: 5, at: "ops:" },
    { code: "prod-safety/team-rate-limits", line: 45, column: 5, at: "ops:" },
    { code: "baseline/prompt-variables", line: 73, column: 64, at: "extra:" },
  ];

  it("covers every built-in policy in the violations fixture", async () => {
    const { builtinPacks } = await import("@switchyard/policies");
    // production-declared is about the environment, not a node: test/compiler/environments.test.ts covers it end to end.
    const ids = Object.values(builtinPacks)
      .flatMap((pack) => pack.policies.map((policy) => policy.id))
      .filter((id) => id !== "baseline/production-declared");
    expect(new Set(violations.map((v) => v.code))).toEqual(new Set(ids));
  });

  it("prod (strict): each violation is an error at its node, except the warning-by-default ones", async () => {
    const { result, summary, textAt } = await check("violations", "prod");
    const warnings = new Set(["baseline/deprecated-models", "baseline/owners-set"]);
    expect(summary).toEqual(violations.map((v) => `${warnings.has(v.code) ? "warning" : "error"} ${v.code} @${v.line}:${v.column}`));
    for (const v of violations) expect(textAt(v.line, v.column).startsWith(v.at), `${v.code} points at ${v.at}`).toBe(true);
    expect(result.ok).toBe(false);
    // The inline key is flagged without echoing it.
    expect(JSON.stringify(result.diagnostics)).not.toContain("ABCDEFGHIJKLMNOP");
    expect(result.diagnostics.find((d) => d.code === "cost-guard/price-ceiling")?.message).toBe(
      "route pricey: tier frontier costs $6.00/1M > ceiling $2.00/1M (input:output 3:1); worst case $6.00/1M",
    );
  });

  it("dev (lenient): the same places at warning, owners-set off; the check passes", async () => {
    const { result, summary } = await check("violations", "dev");
    expect(summary).toEqual(violations.filter((v) => v.code !== "baseline/owners-set").map((v) => `warning ${v.code} @${v.line}:${v.column}`));
    expect(result.ok).toBe(true);
  });
});

describe("selection problems point at the selection in routes.ts", () => {
  it("a user policy that throws is an error naming it, at the pack reference; its sibling still runs", async () => {
    const { result, summary, textAt } = await check("engine", "crash");
    expect(summary).toEqual(["warning acme/descriptions @7:13", "error acme/broken @9:25"]);
    expect(textAt(9, 25)).toMatch(/^"\.\/crashing-pack\.ts"/);
    expect(result.diagnostics[1]?.message).toBe("policy acme/broken crashed: Cannot read properties of undefined (reading 'deeper')");
  });

  it("invalid options are an error with the policy's id at the option", async () => {
    const { summary, textAt, result } = await check("engine", "options");
    expect(summary).toEqual(["error prod-safety/bounded-retries @13:35"]);
    expect(textAt(13, 35)).toMatch(/^"three"/);
    expect(result.diagnostics[0]?.message).toMatch(/^invalid options for policy prod-safety\/bounded-retries: maxAttempts: /);
  });

  it("a misspelt severity key is an error at that key's value", async () => {
    const { summary, textAt, result } = await check("engine", "misspelt");
    expect(summary).toEqual(["error policies/unknown-policy @16:81"]);
    expect(textAt(16, 81)).toMatch(/^"off"/);
    expect(result.diagnostics[0]?.message).toBe('pack "cost-guard" has no policy "price-cieling"; its policies: price-ceiling. Did you mean "price-ceiling"?');
  });
});
