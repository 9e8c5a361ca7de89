/** @module catalogue.test — The catalogue, its docs page and its use stay in step. */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { renderDiagnosticsDoc } from "./docs.ts";
import { catalogue } from "./catalogue.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "..");

describe("diagnostics catalogue", () => {
  it("docs/diagnostics.md is generated from the catalogue", () => {
    expect(readFileSync(join(root, "docs", "diagnostics.md"), "utf8")).toBe(renderDiagnosticsDoc());
  });

  it("codes are SY followed by four digits; names are unique kebab-case", () => {
    const names = new Set<string>();
    for (const [code, entry] of Object.entries(catalogue)) {
      expect(code).toMatch(/^SY\d{4}$/);
      expect(entry.name).toMatch(/^[a-z]+(-[a-z0-9]+)*$/);
      expect(names.has(entry.name)).toBe(false);
      names.add(entry.name);
    }
  });
});
