/**
 * @module docs-example.test — The custom pack of docs/policies.md ("Walking a route's chain") runs as written: it is
 * extracted from the page, loaded by path from a routes.ts like a user's pack, and reports at the offending step.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { compile } from "@switchyard/compiler";

const docs = readFileSync(join(dirname(fileURLToPath(import.meta.url)), "..", "..", "docs", "policies.md"), "utf8");
const scratch = mkdtempSync(join(tmpdir(), "switchyard-docs-pack-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function exampleBlock(name: string): string {
  const marker = docs.indexOf(`<!-- example: ${name}`);
  const start = docs.indexOf("```ts\n", marker);
  const end = docs.indexOf("\n```", start + 6);
  if (marker < 0 || start < 0 || end < 0) throw new Error(`docs/policies.md has no example ${name}`);
  return docs.slice(start + 6, end + 1);
}

describe("docs/policies.md: a custom pack built on the exported graph helpers", () => {
  it("reports the one fallback step that leaves the allowlist, at that step", async () => {
    mkdirSync(join(scratch, "policies"));
    writeFileSync(join(scratch, "policies", "chain.ts"), exampleBlock("chain-pack"));
    const routes = join(scratch, "routes.ts");
    writeFileSync(
      routes,
      [
        'import { defineConfig, secret } from "@switchyard/sdk";',
        "export default defineConfig({",
        "  providers: {",
        '    azureEu: { kind: "openai", apiKey: secret("AZURE_EU_KEY"), residency: "eu" },',
        '    anthropic: { kind: "anthropic", apiKey: secret("ANTHROPIC_API_KEY") },',
        "  },",
        "  models: {",
        '    mini: { provider: "azureEu", name: "gpt-4o-mini", context: 128_000, price: { input: 0.15, output: 0.6 } },',
        '    claude: { provider: "anthropic", name: "claude", context: 200_000, price: { input: 3, output: 15 } },',
        "  },",
        '  tiers: { fast: { models: ["mini"] } },',
        "  routes: {",
        '    chat: { tier: "fast",',
        '            fallback: ["claude"] },',
        "  },",
        '  policies: [{ pack: "./policies/chain.ts", options: { allowed: ["azureEu"] } }],',
        "});",
      ].join("\n"),
    );
    const result = await compile({ file: routes });
    expect(result.diagnostics.map((d) => [d.code, d.line, d.column, d.message])).toEqual([
      ["chain/allowed-providers", 14, 24, "route chat reaches model claude (anthropic) through fallback step 1, outside the allowed providers"],
    ]);
  });
});
