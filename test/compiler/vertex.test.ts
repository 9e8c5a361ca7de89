/** @module vertex.test — A vertex provider's own fields in routes.ts: a missing `project`, a region that is no Google Cloud location and a `project` elsewhere are errors at the literal (TypeScript and SY01xx); a valid one compiles to the IR. */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compile } from "@switchyard/compiler";
import { validateConfigValue } from "../../packages/compiler/src/validate/validate.ts";
import { fixtures } from "./helpers.ts";

describe("vertex providers in routes.ts", () => {
  it("a vertex provider without its project, with a region that is no location, and a project on a gemini provider are errors where they are written", async () => {
    const result = await compile({ file: join(fixtures, "vertex-fields.ts") });
    expect(result.ok).toBe(false);
    expect(result.diagnostics.map((d) => `${d.line}:${d.column} ${d.code}`)).toEqual(["6:5 TS2322", "7:60 SY0102", "8:31 TS2353"]);
    const [missing, location, foreign] = result.diagnostics;
    expect(missing?.message).toContain("Property 'project' is missing");
    expect(location?.message).toContain('vertex provider "gcpEu" has region "Europe_West4", which is not a Google Cloud location');
    expect(foreign?.message).toContain("'project' does not exist");
  });

  it("lowers a vertex provider's project and region into the IR", () => {
    const value = {
      providers: { gcp: { kind: "vertex", project: "acme-prod", region: "europe-west4", residency: "eu" } },
      models: { flash: { provider: "gcp", name: "gemini-2.5-flash", context: 1_048_576, price: { input: 0.3, output: 2.5 } } },
      routes: { chat: { model: "flash" } },
    };
    const { findings, config } = validateConfigValue({ value });
    expect(findings).toEqual([]);
    expect(config?.providers.gcp).toMatchObject({ kind: "vertex", project: "acme-prod", region: "europe-west4", residency: "eu" });
  });

  it("where TypeScript was bypassed, a missing project and a foreign one are SY0104 and SY0101 at the provider", () => {
    const value = {
      providers: { gcp: { kind: "vertex", region: "us-central1" }, studio: { kind: "gemini", project: "acme-prod", apiKey: { secret: "GEMINI_API_KEY" } } },
      models: { flash: { provider: "gcp", name: "gemini-2.5-flash", context: 1_048_576, price: { input: 0.3, output: 2.5 } } },
      routes: { chat: { model: "flash" } },
    };
    const { findings } = validateConfigValue({ value });
    expect(findings.map((f) => `${f.code} ${f.path.join(".")}`)).toEqual(["SY0104 providers.gcp", "SY0101 providers.studio.project"]);
  });

  it("refuses a project id that could not be a Google Cloud one", () => {
    const value = {
      providers: { gcp: { kind: "vertex", project: "../acme", region: "us-central1" } },
      models: { flash: { provider: "gcp", name: "gemini-2.5-flash", context: 1_048_576, price: { input: 0.3, output: 2.5 } } },
      routes: { chat: { model: "flash" } },
    };
    const { findings } = validateConfigValue({ value });
    expect(findings.map((f) => `${f.code} ${f.path.join(".")}`)).toEqual(["SY0102 providers.gcp.project"]);
    expect(findings[0]?.message).toContain("a Google Cloud project id");
  });
});
