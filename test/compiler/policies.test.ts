/** @module policies.test — Policy packs: built-in ids and user packs by path, severities per environment, findings at the declaring line. */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compile } from "@switchyard/compiler";
import { fixtures, repoRoot } from "./helpers.ts";

const file = join(fixtures, "policies", "routes.ts");
const summary = (diagnostics: { code: string; severity: string; line: number }[]) => diagnostics.map((d) => `${d.severity} ${d.code}@${d.line}`);

describe("policies", () => {
  it("no packs selected → no findings", async () => {
    const result = await compile({ file, env: "dev" });
    expect(result.ok).toBe(true);
    expect(result.diagnostics).toEqual([]);
  });

  it("a user pack by relative path reports at the node's line; an error finding fails the check", async () => {
    const result = await compile({ file, env: "prod" });
    expect(summary(result.diagnostics)).toEqual(["error acme/route-descriptions@11", "warning acme/small-canary@13"]);
    expect(result.ok).toBe(false);
    expect(result.release).toBeDefined();
    expect(result.diagnostics[1]?.column).toBe(9);
  });

  it("an environment may lower a severity", async () => {
    const result = await compile({ file, env: "lenient" });
    expect(summary(result.diagnostics)).toEqual(["warning acme/route-descriptions@11", "warning acme/small-canary@13"]);
    expect(result.ok).toBe(true);
  });

  it("an unknown pack is SY0801 at the selection, with a suggestion for built-ins", async () => {
    const result = await compile({ file, env: "typo" });
    expect(summary(result.diagnostics)).toEqual(["error SY0801@19", "error SY0801@19"]);
    expect(result.diagnostics[1]?.hint).toBe('Did you mean "baseline"?');
  });

  it("the north-star config checks clean in every environment it declares, built-in packs included", async () => {
    const acme = join(repoRoot, "examples", "acme", "routes.ts");
    const base = await compile({ file: acme });
    expect(base.environments).toEqual(["dev", "prod"]);
    for (const env of [undefined, ...base.environments]) {
      const result = await compile({ file: acme, ...(env === undefined ? {} : { env }) });
      expect({ env, diagnostics: result.diagnostics.map((d) => `${d.code}@${d.line}: ${d.message}`) }).toEqual({ env, diagnostics: [] });
      expect(result.ok).toBe(true);
    }
    const prod = await compile({ file: acme, env: "prod" });
    expect(prod.release?.config.policies.map((selection) => selection.pack)).toEqual(["baseline", "eu-residency", "prod-safety"]);
  });
});
