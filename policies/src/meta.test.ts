/**
 * @module Meta-test: policy files, ids, packs, README, docs and tests stay in step (the
 * typescript-eslint "rule file name = rule name = docs page" check).
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import type { Policy } from "./define.ts";
import { builtinPacks } from "./index.ts";

const here = dirname(fileURLToPath(import.meta.url));
const readme = readFileSync(join(here, "..", "README.md"), "utf8");
const docs = readFileSync(join(here, "..", "..", "docs", "policies.md"), "utf8");

const policyFiles = (packId: string): string[] =>
  readdirSync(join(here, packId))
    .filter((file) => file.endsWith(".ts") && file !== "index.ts" && !file.endsWith(".test.ts"))
    .sort();

describe("built-in packs", () => {
  it("are keyed by their id and each has a folder", () => {
    expect(Object.keys(builtinPacks).sort()).toEqual(["baseline", "cost-guard", "eu-residency", "prod-safety"]);
    for (const [key, pack] of Object.entries(builtinPacks)) {
      expect(pack.id).toBe(key);
      expect(policyFiles(key).length).toBeGreaterThan(0);
    }
  });

  for (const [packId, pack] of Object.entries(builtinPacks)) {
    describe(packId, () => {
      it("holds exactly the policies of its folder, each file named after its id", async () => {
        const fromFiles: Policy[] = [];
        for (const file of policyFiles(packId)) {
          const module = (await import(pathToFileURL(join(here, packId, file)).href)) as { default: Policy };
          expect(module.default.id, `${packId}/${file}`).toBe(`${packId}/${file.replace(/\.ts$/, "")}`);
          fromFiles.push(module.default);
        }
        expect(new Set(pack.policies)).toEqual(new Set(fromFiles));
        expect(pack.policies.length).toBe(fromFiles.length);
      });

      for (const policy of pack.policies) {
        describe(policy.id, () => {
          const name = policy.id.slice(packId.length + 1);
          const source = readFileSync(join(here, packId, `${name}.ts`), "utf8");
          const testSource = readFileSync(join(here, packId, `${name}.test.ts`), "utf8");

          it("has a well-formed id, a description, a rationale and at least one message", () => {
            expect(policy.id).toMatch(/^[a-z0-9-]+\/[a-z0-9-]+$/);
            expect(policy.description.length).toBeGreaterThan(10);
            expect(policy.rationale.length).toBeGreaterThan(10);
            expect(["error", "warning", "off"]).toContain(policy.defaultSeverity);
            expect(Object.keys(policy.messages).length).toBeGreaterThan(0);
          });

          it("is listed in policies/README.md and docs/policies.md", () => {
            expect(readme).toContain(`\`${policy.id}\` — `);
            expect(docs).toContain(`| \`${policy.id}\` | ${policy.defaultSeverity} |`);
          });

          it("documents each of its options in docs/policies.md", () => {
            const row = docs.split("\n").find((line) => line.startsWith(`| \`${policy.id}\``)) ?? "";
            for (const option of Object.keys(policy.defaultOptions as Record<string, unknown>)) expect(row).toContain(`\`${option}\``);
          });

          it("has each messageId exercised by an invalid case in its test table", () => {
            for (const messageId of Object.keys(policy.messages)) expect(testSource).toContain(`messageId: "${messageId}"`);
          });

          it("fills its templates only with data keys its check provides", () => {
            // The check's source without the templates themselves must name each placeholder
            // (as a `data` key); rendered messages are also checked for leftovers in every table.
            let code = source;
            for (const template of Object.values(policy.messages)) code = code.split(JSON.stringify(template).slice(1, -1)).join("");
            for (const template of Object.values(policy.messages)) {
              for (const [, key] of template.matchAll(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g)) {
                expect(code, `placeholder {{${key}}} of ${policy.id}`).toMatch(new RegExp(`\\b${key}\\b\\s*[:,}]`));
              }
            }
          });
        });
      }
    });
  }
});
